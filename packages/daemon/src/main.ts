#!/usr/bin/env node
/**
 * `vmd`: the vmd daemon's command line (`serve`, `config print`, `backup`, `version`).
 * @module
 */
import { Command } from 'commander';
import { backupCommand, type BackupFlags } from './commands/backup.js';
import { configPrintCommand } from './commands/config-print.js';
import { VERSION, serveCommand, type ServeFlags } from './commands/serve.js';
import { CONFIG_KEYS } from './config/schema.js';

const program = new Command('vmd')
  .description('vmd: a multi-tenant JavaScript execution service (V8 isolates over gRPC)')
  .version(VERSION, '-V, --version')
  // Usage errors exit 2, like invalid configuration (help and --version exit 0).
  .exitOverride((err) => process.exit(err.exitCode === 0 ? 0 : 2));

/**
 * Every config key with a flag becomes an option of `vmd serve` and `vmd config print` (one
 * table: config/schema.ts), so `config print` shows what `serve` with the same flags would use.
 */
function withConfigFlags(command: Command): Command {
  for (const info of Object.values(CONFIG_KEYS)) {
    if (info.flag === undefined) continue;
    const help = `${info.description} (default ${info.defaultText.replace(/`/g, '')})`;
    if (info.kind === 'boolean') {
      command.option(info.flag, help);
      // Booleans that default to on can be turned off.
      if (info.defaultText.includes('true'))
        command.option(info.flag.replace(/^--/, '--no-'), `turn ${info.flag} off`);
    } else {
      command.option(`${info.flag} <value>`, help);
    }
  }
  return command.option('--config <file>', 'JSON config file (also VMD_CONFIG)');
}

withConfigFlags(
  program.command('serve').description('run the daemon (local mode: loopback or unix socket only)'),
).action(async (flags: ServeFlags) => {
  await serveCommand(flags);
});

const config = program.command('config').description('configuration');
withConfigFlags(
  config
    .command('print')
    .description(
      'print the effective configuration and where each value comes from; takes the flags of `vmd serve`',
    )
    .option('--json', 'machine-readable output'),
).action((opts: ServeFlags & { json?: boolean }) => {
  configPrintCommand(opts);
});

program
  .command('backup')
  .description(
    'write a consistent copy of the store (vmd.db) to FILE, also while the daemon runs; never overwrites FILE',
  )
  .argument('<file>', 'the backup file to create (must not exist)')
  .option('--data-dir <dir>', 'the data directory of the daemon (default: as `vmd serve` would use it)')
  .option('--config <file>', 'JSON config file (also VMD_CONFIG), for its dataDir')
  .option('--json', 'machine-readable output')
  .action((file: string, opts: BackupFlags) => {
    backupCommand(file, opts);
  });

program
  .command('version')
  .description('print the version')
  .action(() => {
    process.stdout.write(`vmd ${VERSION} (node ${process.version})\n`);
  });

program.parseAsync(process.argv).catch((err: unknown) => {
  process.stderr.write(`vmd: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
