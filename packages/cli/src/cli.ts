import { readFileSync } from 'node:fs';
import { Command, CommanderError, Help, Option } from 'commander';
import { VmdClientError } from '@vmd/client';
import type { RegisterCommand, RunAction } from './commands/command-kit.js';
import { registerExecCommand } from './commands/exec.js';
import { registerHealthCommand } from './commands/health.js';
import { registerKeyCommand, registerTenantCommand } from './commands/tenant.js';
import { registerUsageCommand } from './commands/usage.js';
import { registerAuditCommand } from './commands/audit.js';
import { registerReplCommand } from './commands/repl.js';
import { registerFnCommand } from './commands/fn.js';
import { registerStatsCommand, registerTopCommand } from './commands/top.js';
import { CliContext, type CliDependencies, type GlobalOptions } from './context.js';
import { CliUsageError } from './errors.js';
import type { CliIo } from './io.js';
import { createColors, shouldColor } from './output/colors.js';
import { ExitCode, exitCodeForError } from './output/exit-codes.js';
import { formatClientError, type ErrorRenderContext } from './output/render.js';

/** Every command, one file each; later commands (repl, fn, tenant, top) are added here. */
const COMMANDS: readonly RegisterCommand[] = [
  registerExecCommand,
  registerHealthCommand,
  registerReplCommand,
  registerFnCommand,
  registerTenantCommand,
  registerKeyCommand,
  registerUsageCommand,
  registerAuditCommand,
  registerStatsCommand,
  registerTopCommand,
];

/** vmctl's version, from its package.json (dist/../package.json). */
function readVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
      version?: string;
    };
    return pkg.version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}

/**
 * Builds the command tree. `runAction` runs a handler with the context of the global flags.
 * Commander never exits the process (exitOverride) and writes through `io`.
 */
export function createProgram(io: CliIo, runAction: RunAction): Command {
  const program = new Command('vmctl')
    .description('The vmd command line: run JavaScript in vmd, the multi-tenant isolate service.')
    .version(readVersion(), '-V, --version', 'print the vmctl version')
    .helpOption('-h, --help', 'show help')
    // The program's own options (-V/--version above all) are read only before the command, so a
    // command may have an option of the same name: `vmctl fn invoke NAME --version 2`. The
    // global options below are added to every command as well (hidden), so they still work
    // anywhere: `vmctl exec a.js --json --tenant acme`.
    .enablePositionalOptions();
  for (const option of globalOptions()) program.addOption(option);
  program
    .addHelpText(
      'after',
      "\nTLS: VMD_TLS=1 (system roots), VMD_TLS_CA=FILE (the daemon's CA), VMD_TLS_CERT=FILE and\n" +
        'VMD_TLS_KEY=FILE (a client certificate, for mutual TLS), VMD_TLS_SERVER_NAME=NAME.\n' +
        '\nExit status: 0 ok, 1 the tenant code failed, 2 usage/connection/platform error, 130 interrupted.\n' +
        "Run 'vmctl COMMAND --help' for a command's options.",
    )
    .configureHelp({
      showGlobalOptions: true,
      // `-V, --version` works only as `vmctl --version`: do not list it under a command.
      visibleGlobalOptions(command) {
        return Help.prototype.visibleGlobalOptions
          .call(this, command)
          .filter((option) => option.long !== '--version');
      },
    })
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
      outputError: (text, write) => {
        const colors = createColors(shouldColor(io.stderr, io.env, !io.env.NO_COLOR));
        write(`${colors.red('vmctl:')} ${text.replace(/^error: /, '')}`);
      },
    })
    .showHelpAfterError("Run 'vmctl --help' for usage.");
  for (const register of COMMANDS) register(program, runAction);
  addGlobalOptionsToCommands(program);
  return program;
}

/** The global flags (a fresh set of `Option`s for each command that gets them). */
function globalOptions(): Option[] {
  return [
    new Option(
      '--addr <address>',
      'daemon address: host:port or unix:/path (env VMD_ADDR; default 127.0.0.1:50051)',
    ),
    new Option('--address <address>').hideHelp(),
    new Option(
      '--tenant <name>',
      'tenant to act as (env VMD_TENANT); for an admin command, the tenant it is about',
    ),
    new Option(
      '--api-key <key>',
      'API key for secure mode; visible in `ps`, prefer env VMD_API_KEY or --api-key-file',
    ),
    new Option('--api-key-file <path>', 'file holding the API key (env VMD_API_KEY_FILE)'),
    new Option('--json', 'machine-readable output: exactly one JSON document on stdout'),
    new Option('--no-color', 'never colour output (also NO_COLOR=1); colours are only used on a terminal'),
  ];
}

/**
 * Adds the global flags, hidden (the help lists them once, under "Global Options"), to every
 * command below the program, so that they are accepted after the command name too.
 */
function addGlobalOptionsToCommands(parent: Command): void {
  for (const command of parent.commands) {
    for (const option of globalOptions()) {
      const name = option.attributeName();
      // A command's own option of the same name wins (none today).
      if (!command.options.some((own) => own.attributeName() === name)) command.addOption(option.hideHelp());
    }
    addGlobalOptionsToCommands(command);
  }
}

/**
 * The global flags as given anywhere on the command line: the innermost command where one
 * was set explicitly wins (as the last of repeated flags would); the program's defaults apply
 * otherwise (`--no-color` defaults `color` to true on every command, which must not undo a
 * `--no-color` given before the command).
 */
function resolveGlobalOptions(command: Command): GlobalOptions {
  const chain: Command[] = [];
  for (let c: Command | null = command; c !== null; c = c.parent) chain.unshift(c);
  const keys = globalOptions().map((option) => option.attributeName());
  const merged: Record<string, unknown> = {};
  for (const [depth, c] of chain.entries()) {
    const values = c.opts<Record<string, unknown>>();
    for (const key of keys) {
      const source = c.getOptionValueSource(key);
      if (values[key] === undefined) continue;
      if (depth === 0 || (source !== undefined && source !== 'default')) merged[key] = values[key];
    }
  }
  return merged;
}

/**
 * Runs vmctl with `argv` (without `node` and the script path) and returns the exit code.
 * Never calls `process.exit`; `main.ts` does, after stdout has drained.
 */
export async function runCli(
  argv: readonly string[],
  io: CliIo,
  dependencies: CliDependencies = {},
): Promise<number> {
  let exitCode: number = ExitCode.OK;
  let context: CliContext | undefined;
  const runAction: RunAction = async (command, handler) => {
    context = new CliContext(io, resolveGlobalOptions(command), dependencies);
    exitCode = await handler(context);
  };
  const program = createProgram(io, runAction);
  if (argv.length === 0) {
    program.outputHelp({ error: true });
    return ExitCode.ERROR;
  }
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return exitCode;
  } catch (error) {
    return reportError(error, io, context);
  }
}

function reportError(error: unknown, io: CliIo, context: CliContext | undefined): number {
  if (error instanceof CommanderError) {
    // help (--help, `vmctl help CMD`) and version exit 0, as commander says; every parse error
    // exits 2 (commander already printed it)
    return error.exitCode === 0 ? ExitCode.OK : ExitCode.ERROR;
  }
  const colors = context?.err ?? createColors(shouldColor(io.stderr, io.env, true));
  if (error instanceof CliUsageError) {
    io.stderr.write(`${colors.red('vmctl:')} ${error.message}\n`);
    io.stderr.write(colors.dim("Run 'vmctl --help' for usage.\n"));
    return ExitCode.ERROR;
  }
  if (error instanceof VmdClientError) {
    let loaded;
    try {
      loaded = context?.config();
    } catch {
      loaded = undefined;
    }
    const render: ErrorRenderContext = {
      addressSource: loaded?.sources.address,
      hasApiKey: loaded !== undefined && loaded.options.apiKey !== undefined,
      tenant: loaded?.options.tenant,
      tenantArgument: context?.errorContext.tenantArgument,
      files: context?.errorContext.files,
    };
    io.stderr.write(formatClientError(error, render, colors));
    return exitCodeForError(error);
  }
  const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
  io.stderr.write(`${colors.red('vmctl:')} unexpected error (a vmctl bug, please report it):\n${detail}\n`);
  return ExitCode.ERROR;
}
