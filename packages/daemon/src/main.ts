#!/usr/bin/env node
/**
 * `vmd`: the vmd daemon's command line (`serve`, `config print`, `version`).
 * @module
 */
import { Command } from 'commander';
import { configPrintCommand } from './commands/config-print.js';
import { VERSION, serveCommand, type ServeFlags } from './commands/serve.js';
import { LOG_FORMATS, LOG_LEVELS } from './config/schema.js';

const program = new Command('vmd')
  .description('vmd: a multi-tenant JavaScript execution service (V8 isolates over gRPC)')
  .version(VERSION, '-V, --version')
  // Usage errors exit 2, like invalid configuration (help and --version exit 0).
  .exitOverride((err) => process.exit(err.exitCode === 0 ? 0 : 2));

program
  .command('serve')
  .description('run the daemon (local mode: loopback or unix socket only)')
  .option('--listen <address>', 'HOST:PORT or unix:/PATH (default 127.0.0.1:50051)')
  .option('--data-dir <dir>', 'state directory (default $XDG_DATA_HOME/vmd or ~/.local/share/vmd)')
  .option('--workers <n>', 'worker processes (default: number of cores)')
  .option('--worker-max-in-flight <n>', 'runs in flight per worker (default: cores + 1)')
  .option('--queue-depth-per-tenant <n>', 'queued requests per tenant (default 256)')
  .option('--max-code-bytes <n>', 'largest source code, bytes (default 1048576)')
  .option('--max-message-bytes <n>', 'largest gRPC message received, bytes (default 8388608)')
  .option('--shutdown-grace-ms <ms>', 'drain time on SIGTERM/SIGINT (default 10000)')
  .option('--worker-rss-ceiling-mib <mib>', 'kill a worker above this RSS (default 1024)')
  .option('--worker-user <user>', 'user workers run as when vmd runs as root (default: nobody if possible)')
  .option('--log-level <level>', `minimum log level: ${LOG_LEVELS.join(', ')} (default info)`)
  .option('--log-format <format>', `${LOG_FORMATS.join(' or ')} (default json)`)
  .option('--insecure', 'allow a non-loopback --listen address without authentication')
  .option('--auth', 'secure mode: API keys for tenants, the admin token for TenantService')
  .option('--admin-token-file <file>', 'admin token for --auth (or env VMD_ADMIN_TOKEN)')
  .option('--tls-cert <file>', 'serve over TLS with this certificate chain (PEM)')
  .option('--tls-key <file>', 'private key of --tls-cert (PEM)')
  .option('--tls-client-ca <file>', 'mutual TLS: require client certificates signed by this CA')
  .option(
    '--isolate-snapshot',
    'create fresh isolates from a V8 snapshot of the sandbox bootstrap (the default)',
  )
  .option('--no-isolate-snapshot', 'bootstrap every fresh isolate from source instead of a snapshot')
  .option('--config <file>', 'JSON config file (also VMD_CONFIG)')
  .action(async (flags: ServeFlags) => {
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
