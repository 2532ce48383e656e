import type { Command } from 'commander';
import type { RegisterCommand } from './command-kit.js';
import { CliUsageError } from '../errors.js';
import { limitFlag, positiveInteger, withUsageHint } from './command-kit.js';

/** `vmctl repl`: an interactive session in the daemon. */
export const registerReplCommand: RegisterCommand = (program, runAction): Command =>
  withUsageHint(
    program
      .command('repl')
      .summary('an interactive JavaScript session in the daemon (like `node`)')
      .description(
        'Start a REPL whose state lives in an isolate in the daemon: multi-line input, Tab completion, history, top-level await, .help for commands. With stdin not a terminal, runs the lines and prints each result (for scripts). --resume ID continues a session after a dropped connection, within its idle TTL.',
      )
      .option('--resume <id>', 'continue this session (printed when the REPL starts)')
      .option('--memory <mib>', 'session heap, MiB (clamped to the quota)', limitFlag.memory())
      .option('--timeout <ms>', 'wall time per input, ms', limitFlag.timeout())
      .option('--cpu <ms>', 'cpu time per input, ms', limitFlag.cpu())
      .option('--history-file <path>', "history file ('' for none; env VMD_REPL_HISTORY)")
      .option(
        '--history-size <n>',
        'lines of history kept',
        positiveInteger('--history-size', 'lines', 1000),
        1000,
      ),
    'vmctl repl',
  ).action(
    async (
      o: {
        resume?: string;
        memory?: number;
        timeout?: number;
        cpu?: number;
        historyFile?: string;
        historySize: number;
      },
      self: Command,
    ) => {
      await runAction(self, async (context) => {
        if (context.json) {
          // A session prints results as they come, with prompts on a terminal: it cannot be one
          // JSON document, and ignoring the flag would hand a script text it cannot parse.
          throw new CliUsageError(
            '--json does not apply to repl (a session prints each result as it comes); for JSON, run the code with `vmctl exec --json` or use client.repl() from @vmd/client',
          );
        }
        const { runRepl } = await import('../handlers/repl.js');
        return runRepl(context, {
          historySize: o.historySize,
          ...(o.resume !== undefined ? { resume: o.resume } : {}),
          ...(o.memory !== undefined ? { memory: o.memory } : {}),
          ...(o.timeout !== undefined ? { timeout: o.timeout } : {}),
          ...(o.cpu !== undefined ? { cpu: o.cpu } : {}),
          ...(o.historyFile !== undefined ? { historyFile: o.historyFile } : {}),
          ...(context.globals.tenant !== undefined ? { tenant: context.globals.tenant } : {}),
        });
      });
    },
  );
