import { InvalidArgumentError, Option, type Command } from 'commander';
import type { RegisterCommand } from './command-kit.js';
import { limitFlag, positiveIntegerArgument, withUsageHint } from './command-kit.js';

/** Options of `vmctl fn deploy`. */
export interface FnDeployOptions {
  entry?: string;
  memory?: number;
  timeout?: number;
  cpu?: number;
  env?: Record<string, string>;
  fresh?: boolean;
  capability?: string[];
}

/** Options of `vmctl fn invoke`. */
export interface FnInvokeOptions {
  event?: string;
  /** `--input`, the name `vmctl exec` uses: the same as `--event`. */
  input?: string;
  version?: number;
  memory?: number;
  timeout?: number;
  cpu?: number;
}

/** Collects repeated `--env NAME=value` (no default, so the help shows none). */
function envPair(value: string, previous: Record<string, string> | undefined): Record<string, string> {
  const at = value.indexOf('=');
  if (at <= 0) throw new InvalidArgumentError(`--env expects NAME=value, got '${value}'`);
  return { ...previous, [value.slice(0, at)]: value.slice(at + 1) };
}

/** The capabilities a function may request (the daemon's list). */
const CAPABILITIES = ['kv', 'fetch'];

/** Help of the NAME argument, shared by every `fn` command. */
const NAME_HELP = 'function name';

const load = () => import('../handlers/fn.js');

/** `vmctl fn deploy|invoke|list|versions|get|delete|rollback`. */
export const registerFnCommand: RegisterCommand = (program, runAction): Command => {
  const fn = program
    .command('fn')
    .summary('deployed functions: deploy once, invoke with events')
    .description(
      'Deploy JavaScript handlers (module.exports = async (event, ctx) => … or export default) as immutable versions, invoke them with JSON events, roll back.',
    );
  withUsageHint(
    fn
      .command('deploy')
      .argument('<name>', NAME_HELP)
      .argument(
        '<files...>',
        'source files of the bundle (paths are kept relative to their common directory)',
      )
      .option('--entry <file>', 'entry file of the bundle (default: the only file, else index.js)')
      .option('--memory <mib>', 'heap per instance, MiB', limitFlag.memory())
      .option('--timeout <ms>', 'wall time per invocation, ms', limitFlag.timeout())
      .option('--cpu <ms>', 'cpu time per invocation, ms', limitFlag.cpu())
      .option('--env <NAME=value>', 'a value the handler sees in ctx.env (repeatable)', envPair)
      .option('--fresh', 'a fresh isolate for every invocation (no warm instances)')
      .addOption(
        new Option(
          '--capability <name...>',
          'capabilities the handler uses (the tenant must be granted each: `vmctl tenant update TENANT --kv` / `--fetch ORIGIN`)',
        ).choices(CAPABILITIES),
      )
      .summary('deploy a new version of a function'),
    'vmctl fn deploy',
  ).action(async (name: string, files: string[], o: FnDeployOptions, self: Command) => {
    await runAction(self, async (context) => (await load()).runFnDeploy(context, name, files, o));
  });
  withUsageHint(
    fn
      .command('invoke')
      .argument('<name>', NAME_HELP)
      .option(
        '--event <json>',
        "the event: JSON text, @file.json or '@-' for stdin (default null; also --input, as for exec)",
      )
      // `--input` as `vmctl exec` names it.
      .addOption(new Option('--input <json>').hideHelp())
      .option(
        '--version <n>',
        'run this version (default: the active one; see `vmctl fn versions NAME`)',
        positiveIntegerArgument('--version', 'a version number', 'vmctl fn invoke NAME --version 2'),
      )
      .option('--memory <mib>', 'heap, MiB', limitFlag.memory())
      .option('--timeout <ms>', 'wall time, ms', limitFlag.timeout())
      .option('--cpu <ms>', 'cpu time, ms', limitFlag.cpu())
      .summary('invoke a function with an event (logs stream live)'),
    'vmctl fn invoke',
  ).action(async (name: string, o: FnInvokeOptions, self: Command) => {
    await runAction(self, async (context) => (await load()).runFnInvoke(context, name, o));
  });
  fn.command('list')
    .summary("list the tenant's functions")
    .action(async (_o: unknown, self: Command) => {
      await runAction(self, async (context) => (await load()).runFnList(context));
    });
  fn.command('versions')
    .argument('<name>', NAME_HELP)
    .summary("list a function's versions")
    .action(async (name: string, _o: unknown, self: Command) => {
      await runAction(self, async (context) => (await load()).runFnVersions(context, name));
    });
  fn.command('get')
    .argument('<name>', NAME_HELP)
    .summary('show a function and its active version')
    .action(async (name: string, _o: unknown, self: Command) => {
      await runAction(self, async (context) => (await load()).runFnGet(context, name));
    });
  fn.command('delete')
    .argument('<name>', NAME_HELP)
    .summary('delete a function and all its versions')
    .action(async (name: string, _o: unknown, self: Command) => {
      await runAction(self, async (context) => (await load()).runFnDelete(context, name));
    });
  withUsageHint(
    fn
      .command('rollback')
      .argument('<name>', NAME_HELP)
      .argument(
        '<version>',
        'the version to make active (see `vmctl fn versions NAME`)',
        positiveIntegerArgument('VERSION', 'a version number', 'vmctl fn rollback NAME 1'),
      )
      .summary('make an earlier version active again'),
    'vmctl fn rollback',
  ).action(async (name: string, version: number, _o: unknown, self: Command) => {
    await runAction(self, async (context) => (await load()).runFnRollback(context, name, version));
  });
  return fn;
};
