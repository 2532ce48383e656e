import type { Command } from 'commander';
import type { RegisterCommand } from './command-kit.js';
import { positiveInteger, withUsageHint } from './command-kit.js';

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
      .option(
        '--memory <mib>',
        'session heap, MiB (clamped to the quota)',
        positiveInteger('--memory', 'MiB', 64),
      )
      .option('--timeout <ms>', 'wall time per input, ms', positiveInteger('--timeout', 'milliseconds', 5000))
      .option('--cpu <ms>', 'cpu time per input, ms', positiveInteger('--cpu', 'milliseconds', 1000))
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
        const { runRepl } = await import('../handlers/repl.js');
        return runRepl(context, {
          ...o,
          ...(context.globals.tenant !== undefined ? { tenant: context.globals.tenant } : {}),
        });
      });
    },
  );
