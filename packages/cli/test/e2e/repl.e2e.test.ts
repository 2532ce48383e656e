import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCli, startDaemon, VMCTL_BIN, type RunningDaemon } from '@vmd/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * `vmctl repl`, the real binary against a real daemon: driven through piped stdin, and typed
 * into a real terminal (tmux: send-keys, capture-pane) as a person would.
 */
let daemon: RunningDaemon;
let dir: string;

beforeAll(async () => {
  daemon = await startDaemon({ workers: 1 });
  dir = mkdtempSync(path.join(os.tmpdir(), 'vmctl-repl-'));
});
afterAll(async () => {
  await daemon.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('vmctl repl with piped stdin', () => {
  it('runs the lines, multi-line input included, and prints results without prompts', async () => {
    const input = [
      'let a = 1',
      'function f(x) {',
      '  return x * 2',
      '}',
      'f(a + 20)',
      'console.log("hi from", a)',
      "const { v } = await Promise.resolve({ v: 'awaited' })",
      'v',
      'null.x',
      'a',
    ].join('\n');
    const r = await runCli(['repl', '--tenant', 'piped'], { env: { VMD_ADDR: daemon.address }, input });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("42\nhi from 1\n'awaited'\n1\n");
    expect(r.stderr).toContain("Uncaught TypeError: Cannot read properties of null (reading 'x')");
  });

  it('words syntax errors as node does, and reports an input left unfinished at the end', async () => {
    const r = await runCli(['repl', '--tenant', 'piped'], {
      env: { VMD_ADDR: daemon.address },
      input: 'let x = ;\n1 + 1\nfunction f() {\n',
    });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('2\n');
    expect(r.stderr).toContain("Uncaught SyntaxError: Unexpected token ';' (line 1, column 9)");
    expect(r.stderr).toContain('Uncaught SyntaxError: Unexpected end of input');
  });

  it('.load and .save', async () => {
    const lib = path.join(dir, 'lib.js');
    writeFileSync(lib, 'const greet = (n) => `hello ${n}`;\n');
    const saved = path.join(dir, 'saved.js');
    const r = await runCli(['repl'], {
      env: { VMD_ADDR: daemon.address },
      input: `.load ${lib}\ngreet("vmd")\n.save ${saved}\n`,
    });
    expect(r.stdout).toContain("'hello vmd'");
    expect(readFileSync(saved, 'utf8')).toContain('greet("vmd")');
  });
});

/** A real terminal: tmux. */
function tmux(...args: string[]): string {
  return execFileSync('tmux', args, { encoding: 'utf8' });
}
const screen = (name: string): string => tmux('capture-pane', '-t', name, '-p', '-J');
async function waitForScreen(name: string, pattern: RegExp, timeoutMs = 10_000): Promise<string> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const text = screen(name);
    if (pattern.test(text)) return text;
    if (Date.now() > until) throw new Error(`the terminal never showed ${pattern}:\n${text}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('vmctl repl in a terminal', () => {
  const name = `vmctl-repl-${process.pid}`;
  const history = () => path.join(dir, 'history');

  beforeAll(() => {
    if (spawnSync('tmux', ['-V']).status !== 0) {
      throw new Error('the terminal tests need tmux: apt-get install tmux (.ci/run installs it)');
    }
    const env = [`VMD_ADDR=${daemon.address}`, `VMD_REPL_HISTORY=${history()}`, 'TERM=xterm-256color']
      .map((e) => `export ${e};`)
      .join(' ');
    tmux(
      'new-session',
      '-d',
      '-s',
      name,
      '-x',
      '160',
      '-y',
      '50',
      `${env} ${process.execPath} ${VMCTL_BIN} repl --tenant tty; echo "[vmctl exited $?]"; sleep 60`,
    );
  });
  afterAll(() => {
    spawnSync('tmux', ['kill-session', '-t', name]);
  });

  it('multi-line input, Tab completion, Ctrl-C of a loop, history with Up, .exit', async () => {
    await waitForScreen(name, /^> $/m);
    tmux('send-keys', '-t', name, 'const config = { server: { port: 8080 } }', 'Enter');
    tmux('send-keys', '-t', name, 'function add(a, b) {', 'Enter');
    await waitForScreen(name, /^\.\.\. $/m);
    tmux('send-keys', '-t', name, 'return a + b', 'Enter');
    tmux('send-keys', '-t', name, '}', 'Enter');
    tmux('send-keys', '-t', name, 'add(40, 2)', 'Enter');
    await waitForScreen(name, /^42$/m);

    tmux('send-keys', '-t', name, 'config.server.po', 'Tab');
    await waitForScreen(name, /^> config\.server\.port$/m);
    tmux('send-keys', '-t', name, 'Enter');
    await waitForScreen(name, /^8080$/m);

    tmux('send-keys', '-t', name, 'while (true) {}', 'Enter');
    await new Promise((r) => setTimeout(r, 300));
    tmux('send-keys', '-t', name, 'C-c');
    await waitForScreen(name, /Interrupted/);
    await waitForScreen(name, /state \(variables, functions\) was lost/);

    tmux('send-keys', '-t', name, 'Up');
    await waitForScreen(name, /^> while \(true\) \{\}$/m);
    tmux('send-keys', '-t', name, 'C-u', '.exit', 'Enter');
    await waitForScreen(name, /\[vmctl exited 0\]/);
    const saved = readFileSync(history(), 'utf8');
    expect(saved.split('\n')).toEqual(
      expect.arrayContaining([
        'const config = { server: { port: 8080 } }',
        'add(40, 2)',
        'while (true) {}',
        '.exit',
      ]),
    );
  });
});
