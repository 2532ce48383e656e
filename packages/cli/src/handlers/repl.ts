/**
 * `vmctl repl`: an interactive session in the daemon, with Node's own line editor
 * (`node:readline`): prompt and continuation prompt, history saved per user (bounded), Tab
 * completion through the daemon, coloured results, dot-commands, Ctrl-C and Ctrl-D like Node's
 * REPL. When stdin is not a terminal, the lines are evaluated without prompts (scripts, tests).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import type { ExecutionOutputEvent, ReplEvalResult, ReplSessionClient } from '@vmd/client';
import type { CliContext } from '../context.js';
import { ExitCode } from '../output/exit-codes.js';

/** Options of `vmctl repl`. */
export interface ReplCommandOptions {
  tenant?: string;
  resume?: string;
  memory?: number;
  timeout?: number;
  cpu?: number;
  historyFile?: string;
  historySize: number;
}

const HELP = `.break    Sometimes you get stuck, this gets you out (clears the input)
.clear    Alias for .break
.editor   Enter editor mode (Ctrl-D to run, Ctrl-C to cancel)
.exit     Exit the REPL (also Ctrl-D, or Ctrl-C twice)
.help     Print this help message
.load     Load JS from a file into the REPL session: .load FILE
.reset    Reset the session's context: every binding is dropped
.save     Save all evaluated commands in this session to a file: .save FILE

Press Tab to complete names and properties (looked up in the session, never run).
Press Ctrl-C to interrupt a running input; on an empty line, twice to exit.
`;

/** Where history is kept: VMD_REPL_HISTORY, else the XDG state dir (~/.local/state/vmd). */
export function historyPath(
  env: Readonly<Record<string, string | undefined>>,
  flag?: string,
): string | undefined {
  const chosen = flag ?? env['VMD_REPL_HISTORY'];
  if (chosen !== undefined) return chosen === '' ? undefined : chosen;
  const base = env['XDG_STATE_HOME'] || path.join(os.homedir(), '.local', 'state');
  return path.join(base, 'vmd', 'repl_history');
}

export async function runRepl(context: CliContext, options: ReplCommandOptions): Promise<ExitCode> {
  const input = process.stdin;
  const output = process.stdout;
  const interactive = input.isTTY === true && output.isTTY === true;
  const color = interactive && context.out.isColorSupported;
  const client = context.createClient();
  let session: ReplSessionClient;
  try {
    session = await client.repl({
      ...(options.tenant !== undefined ? { tenant: options.tenant } : {}),
      ...(options.resume !== undefined ? { resume: options.resume } : {}),
      limits: {
        ...(options.memory !== undefined ? { memoryMib: options.memory } : {}),
        ...(options.timeout !== undefined ? { wallTimeMs: options.timeout } : {}),
        ...(options.cpu !== undefined ? { cpuTimeMs: options.cpu } : {}),
      },
      color,
      onBackgroundOutput: (event) => printOutput(event),
    });
  } catch (err) {
    client.close();
    throw err;
  }

  const out = context.out;
  const err = context.err;
  function printOutput(event: ExecutionOutputEvent): void {
    const text = `${event.text}\n`;
    if (event.stream === 'stderr') context.io.stderr.write(text);
    else context.io.stdout.write(text);
  }
  function printResult(r: ReplEvalResult): void {
    if (r.status === 'ok') {
      if (r.value.preview !== '' && r.value.preview !== 'undefined')
        context.io.stdout.write(`${r.value.preview}\n`);
      else if (r.value.preview === 'undefined' && interactive)
        context.io.stdout.write(`${out.gray('undefined')}\n`);
      return;
    }
    if (r.status !== 'error') return;
    const f = r.failure;
    if (f.kind === 'SYNTAX') {
      // As node's REPL words it (`Uncaught SyntaxError: …`), with the place in the input.
      const at = f.line !== undefined ? ` (line ${f.line}, column ${f.column ?? 0})` : '';
      context.io.stderr.write(`${err.red(`Uncaught ${f.name}: ${f.message}`)}${at}\n`);
    } else if (f.kind === 'CANCELLED') {
      context.io.stderr.write(`${err.yellow(f.message || 'Interrupted')}\n`);
    } else if (f.kind === 'RUNTIME') {
      const stack = f.stack.split('\n').slice(1).join('\n');
      context.io.stderr.write(
        `${err.red(`Uncaught ${f.name}: ${f.message}`)}${stack ? `\n${err.dim(stack)}` : ''}\n`,
      );
    } else {
      context.io.stderr.write(`${err.red(`${f.name}: ${f.message}`)}\n`);
    }
    if (r.stateLost && f.kind !== 'CANCELLED') {
      context.io.stderr.write(
        `${err.yellow('The session was restarted: its state (variables, functions) was lost.')}\n`,
      );
    }
  }

  if (interactive) {
    context.io.stderr.write(
      err.dim(
        `vmd REPL on ${client.address}, session ${session.id}${session.resumed ? ' (resumed)' : ''}; heap ${session.limits.memoryMib} MiB, ${session.limits.cpuTimeMs} ms cpu per input. Type .help for help.\n`,
      ),
    );
  }

  const historyFile = interactive ? historyPath(context.io.env, options.historyFile) : undefined;
  const saved: string[] = [];
  let history: string[] = [];
  if (historyFile !== undefined) {
    try {
      history = readFileSync(historyFile, 'utf8')
        .split('\n')
        .filter(Boolean)
        .reverse()
        .slice(0, options.historySize);
    } catch {
      history = [];
    }
  }

  const rl = readline.createInterface({
    input,
    output,
    terminal: interactive,
    prompt: interactive ? '> ' : '',
    history,
    historySize: options.historySize,
    removeHistoryDuplicates: true,
    tabSize: 2,
    completer: interactive
      ? (line: string, callback: (err: null, result: [string[], string]) => void) => {
          session.complete(line, line.length).then(
            ({ prefix, candidates }) => callback(null, [candidates, prefix]),
            () => callback(null, [[], line]),
          );
        }
      : undefined,
  });

  let buffer = '';
  let running = false;
  let sawCtrlC = false;
  let editor: string[] | undefined;
  let closing = false;
  const queue: string[] = [];

  const setPrompt = (): void => {
    if (!interactive) return;
    rl.setPrompt(editor !== undefined ? '' : buffer === '' ? '> ' : '... ');
    rl.prompt();
  };

  const evaluate = async (code: string): Promise<'done' | 'incomplete'> => {
    running = true;
    try {
      const r = await session.eval(code, { onOutput: printOutput });
      if (r.status === 'incomplete') return 'incomplete';
      saved.push(code);
      printResult(r);
      return 'done';
    } finally {
      running = false;
    }
  };

  const command = async (line: string): Promise<boolean> => {
    const [name = '', ...rest] = line.trim().split(/\s+/);
    const arg = rest.join(' ');
    switch (name) {
      case '.exit':
        return false;
      case '.help':
        context.io.stdout.write(HELP);
        return true;
      case '.break':
      case '.clear':
        buffer = '';
        return true;
      case '.reset':
        await session.reset();
        saved.length = 0;
        context.io.stdout.write('Clearing context...\n');
        return true;
      case '.load': {
        if (arg === '') {
          context.io.stderr.write('usage: .load FILE\n');
          return true;
        }
        let code: string;
        try {
          code = await readFile(arg, 'utf8');
        } catch (e) {
          context.io.stderr.write(`${err.red(`Failed to load ${arg}: ${(e as Error).message}`)}\n`);
          return true;
        }
        await evaluate(code);
        return true;
      }
      case '.save': {
        if (arg === '') {
          context.io.stderr.write('usage: .save FILE\n');
          return true;
        }
        try {
          await writeFile(arg, saved.join('\n') + '\n');
          context.io.stdout.write(`Session saved to: ${arg}\n`);
        } catch (e) {
          context.io.stderr.write(`${err.red(`Failed to save ${arg}: ${(e as Error).message}`)}\n`);
        }
        return true;
      }
      case '.editor':
        editor = [];
        context.io.stdout.write('// Entering editor mode (Ctrl+D to finish, Ctrl+C to cancel)\n');
        return true;
      default:
        context.io.stderr.write(`Invalid REPL keyword ${name}; type .help for the list\n`);
        return true;
    }
  };

  const handleLine = async (line: string): Promise<boolean> => {
    if (editor !== undefined) {
      editor.push(line);
      return true;
    }
    if (buffer === '' && line.trim().startsWith('.') && /^\.[a-z]+/.test(line.trim())) return command(line);
    buffer = buffer === '' ? line : `${buffer}\n${line}`;
    if (buffer.trim() === '') {
      buffer = '';
      return true;
    }
    const outcome = await evaluate(buffer);
    if (outcome === 'done') buffer = '';
    return true;
  };

  const finished = new Promise<void>((resolve) => {
    let draining = false;
    const drain = async (): Promise<void> => {
      if (draining) return;
      draining = true;
      while (queue.length > 0) {
        const line = queue.shift()!;
        let keepGoing: boolean;
        try {
          keepGoing = await handleLine(line);
        } catch (e) {
          context.io.stderr.write(`${err.red((e as Error).message)}\n`);
          keepGoing = !(e instanceof Error && /session ended|SESSION_NOT_FOUND|UNAVAILABLE/.test(e.message));
        }
        if (!keepGoing) {
          queue.length = 0;
          closing = true;
          rl.close();
          break;
        }
      }
      draining = false;
      // Once closing, the 'close' handler resolves, after an unfinished last input.
      if (!closing) setPrompt();
    };
    rl.on('line', (line) => {
      sawCtrlC = false;
      queue.push(line);
      void drain();
    });
    rl.on('SIGINT', () => {
      if (running) {
        session.interrupt();
        return;
      }
      if (editor !== undefined) {
        editor = undefined;
        context.io.stdout.write('\n');
        setPrompt();
        return;
      }
      if (buffer !== '' || rl.line !== '') {
        buffer = '';
        sawCtrlC = false;
        rl.write(null, { ctrl: true, name: 'u' });
        context.io.stdout.write('\n');
        setPrompt();
        return;
      }
      if (sawCtrlC) {
        closing = true;
        rl.close();
        return;
      }
      sawCtrlC = true;
      context.io.stdout.write('\n(To exit, press Ctrl+C again or Ctrl+D or type .exit)\n');
      setPrompt();
    });
    // Ctrl-D in editor mode runs what was typed (readline would close instead), as in Node.
    const internals = rl as unknown as { _ttyWrite?: (s: string, key: readline.Key) => void; line: string };
    const ttyWrite = internals._ttyWrite?.bind(rl);
    if (ttyWrite !== undefined) {
      internals._ttyWrite = (s, key) => {
        if (editor !== undefined && key?.ctrl === true && key.name === 'd') {
          const code = [...editor, rl.line].join('\n');
          editor = undefined;
          rl.write(null, { ctrl: true, name: 'u' });
          context.io.stdout.write('\n');
          void evaluate(code).then(setPrompt, (e: unknown) => {
            context.io.stderr.write(`${err.red((e as Error).message)}\n`);
            setPrompt();
          });
          return;
        }
        ttyWrite(s, key);
      };
    }
    rl.on('close', () => {
      closing = true;
      const wait = (): void => {
        if (!draining && queue.length === 0) {
          // Piped input that ends mid-statement: evaluate what is there so its error shows.
          if (buffer.trim() !== '' && !interactive) {
            const rest = buffer;
            buffer = '';
            void evaluate(rest)
              .then((outcome) => {
                // Still unfinished: it can never be completed now, as node says.
                if (outcome === 'incomplete') {
                  context.io.stderr.write(`${err.red('Uncaught SyntaxError: Unexpected end of input')}\n`);
                }
              })
              .finally(() => resolve());
            return;
          }
          resolve();
        } else setTimeout(wait, 10);
      };
      wait();
    });
    session.ended.then(
      (ended) => {
        if (ended.reason !== 'closed' && !closing) {
          context.io.stderr.write(`${err.yellow(`The session ended (${ended.reason}): ${ended.message}`)}\n`);
          closing = true;
          rl.close();
        }
      },
      () => undefined,
    );
  });
  setPrompt();
  await finished;

  if (historyFile !== undefined) {
    try {
      mkdirSync(path.dirname(historyFile), { recursive: true, mode: 0o700 });
      const lines = [...((rl as unknown as { history: string[] }).history ?? [])]
        .slice(0, options.historySize)
        .reverse();
      writeFileSync(historyFile, lines.join('\n') + '\n', { mode: 0o600 });
    } catch (e) {
      context.warn(`could not save the REPL history to ${historyFile}: ${(e as Error).message}`);
    }
  }
  await session.close().catch(() => undefined);
  client.close();
  if (interactive) context.io.stdout.write('\n');
  return ExitCode.OK;
}
