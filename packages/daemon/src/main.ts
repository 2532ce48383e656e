#!/usr/bin/env node
/**
 * `vmd`: the vmd daemon's command line (`serve`, `config print`, `version`).
 * @module
 */
import { Command } from 'commander';
import { configPrintCommand } from './commands/config-print.js';
import { VERSION, serveCommand, type ServeFlags } from './commands/serve.js';
import { CONFIG_KEYS } from './config/schema.js';

const program = new Command('vmd')
  .description('vmd: a multi-tenant JavaScript execution service (V8 isolates over gRPC)')
  .version(VERSION, '-V, --version')
  // Usage errors exit 2, like invalid configuration (help and --version exit 0).
  .exitOverride((err) => process.exit(err.exitCode === 0 ? 0 : 2));

// Every config key with a flag becomes an option of `vmd serve` (one table: config/schema.ts).
const serve = program
  .command('serve')
  .description('run the daemon (local mode: loopback or unix socket only)');
for (const info of Object.values(CONFIG_KEYS)) {
  if (info.flag === undefined) continue;
  const help = `${info.description} (default ${info.defaultText.replace(/`/g, '')})`;
  if (info.kind === 'boolean') {
    serve.option(info.flag, help);
    // Booleans that default to on can be turned off.
    if (info.defaultText.includes('true'))
      serve.option(info.flag.replace(/^--/, '--no-'), `turn ${info.flag} off`);
  } else {
    serve.option(`${info.flag} <value>`, help);
  }
}
serve.option('--config <file>', 'JSON config file (also VMD_CONFIG)').action(async (flags: ServeFlags) => {
  await serveCommand(flags);
});

const config = program.command('config').description('configuration');
config
  .command('print')
  .description('print the effective configuration and where each value comes from')
  .option('--json', 'machine-readable output')
  .option('--config <file>', 'JSON config file (also VMD_CONFIG)')
  .action((opts: { json?: boolean; config?: string }) => {
    configPrintCommand(opts);
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
