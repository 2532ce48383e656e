import { Option, type Command } from 'commander';
import type { RegisterCommand } from './command-kit.js';
import { limitFlag, withUsageHint } from './command-kit.js';

/** Options of `vmctl exec` (global flags such as --tenant and --json come from the program). */
export interface ExecCommandOptions {
  timeout?: number;
  memory?: number;
  cpu?: number;
  input?: string;
  module?: boolean;
  script?: boolean;
}

/** `vmctl exec FILE|-`: run a file once and stream its output. */
export const registerExecCommand: RegisterCommand = (program, runAction): Command => {
  const command = program
    .command('exec')
    .summary('run a JavaScript file once in a fresh isolate')
    .description(
      'Run a JavaScript file once in a fresh isolate and stream its console output: ' +
        'console.log/info/debug to stdout, console.warn/error to stderr, then the result on stdout.\n\n' +
        'Scripts return their completion value. ES modules (--module, a .mjs file, or import/export ' +
        'statements) return their default export, called with the input when it is a function.\n\n' +
        'Exit status: 0 ok, 1 the code failed (syntax error, exception, limit), 2 usage or platform ' +
        'error, 130 interrupted (Ctrl-C cancels the run).',
    )
    .argument('<file>', "the file to run, or '-' for stdin")
    .addOption(
      new Option('--timeout <ms>', 'wall-time limit in milliseconds (capped by the tenant quota)').argParser(
        limitFlag.timeout(),
      ),
    )
    .addOption(
      new Option('--memory <mib>', 'isolate heap limit in MiB (capped by the tenant quota)').argParser(
        limitFlag.memory(),
      ),
    )
    .addOption(
      new Option('--cpu <ms>', 'CPU-time limit in milliseconds (capped by the tenant quota)').argParser(
        limitFlag.cpu(),
      ),
    )
    .addOption(
      new Option('--input <json>', "input as JSON text, or @file.json ('@-' for stdin); the global `input`"),
    )
    .addOption(new Option('--module', 'run as an ES module (default: detected)').conflicts('script'))
    .addOption(new Option('--script', 'run as a classic script even if it looks like a module'))
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  vmctl exec main.js --tenant acme\n' +
        "  echo '6 * 7' | vmctl exec - --tenant acme --json\n" +
        '  vmctl exec handler.mjs --tenant acme --input \'{"n": 3}\' --timeout 2000',
    )
    .action(async (file: string, options: ExecCommandOptions, self: Command) => {
      await runAction(self, async (context) => {
        const { runExec } = await import('../handlers/exec.js');
        return runExec(context, file, options);
      });
    });
  return withUsageHint(command, 'vmctl exec');
};
