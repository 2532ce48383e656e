import { describeAdminTokenSource } from '../config/admin-token.js';
import { ConfigError, loadConfig } from '../config/load-config.js';
import { createDaemon } from '../daemon.js';
import { routeGrpcLogs, type ListenError } from '../grpc/server.js';
import { installShutdownHandlers } from '../lifecycle/shutdown.js';
import { componentLogger } from '../telemetry/logger.js';

/**
 * Flags of `vmd serve`, as commander parses them: one per config key with a flag (camelCase of
 * the flag, which is the key's own name), strings to be parsed by loadConfig, booleans for
 * switches; plus `config`.
 */
export type ServeFlags = Record<string, string | boolean | undefined> & { config?: string };

/** Config keys set by `vmd serve` flags (flag values are strings; loadConfig parses them). */
export function flagsToConfig(flags: ServeFlags): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(flags)) {
    if (value !== undefined) out[key] = value;
  }
  return out;
}

/** `vmd serve`: load config (exit 2 when invalid), build, start, handle signals. */
export async function serveCommand(flags: ServeFlags): Promise<void> {
  let loaded;
  try {
    loaded = loadConfig({ flags: flagsToConfig(flags) });
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`vmd: ${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  let daemon;
  try {
    daemon = createDaemon(loaded.config);
  } catch (err) {
    if ((err as Error).name === 'StartupError') {
      process.stderr.write(`vmd: ${(err as Error).message}\n`);
      process.exit(2);
    }
    throw err;
  }
  // grpc-js's own log lines go to the daemon's log, not to stderr.
  routeGrpcLogs(componentLogger(daemon.logger, 'grpc', { source: 'grpc-js' }));
  const log = componentLogger(daemon.logger, 'lifecycle');
  process.on('unhandledRejection', (reason) => {
    log.error({ err: reason }, 'unhandled promise rejection');
  });
  process.on('uncaughtException', (err) => {
    log.fatal({ err }, 'uncaught exception; exiting');
    process.exit(1);
  });
  installShutdownHandlers({ stop: () => daemon.stop(), logger: log });
  log.info(
    {
      version: VERSION,
      node: process.version,
      config_file: loaded.configFile,
      workers: loaded.config.workers,
      worker_max_in_flight: loaded.config.workerMaxInFlight,
      data_dir: loaded.config.dataDir,
      // Where the admin token came from (`file PATH` or `env VMD_ADMIN_TOKEN`), never the token.
      ...(loaded.adminToken ? { admin_token_from: describeAdminTokenSource(loaded.adminToken.source) } : {}),
    },
    'starting',
  );
  for (const w of loaded.warnings) log.warn(w.fields, w.msg);
  try {
    await daemon.start();
  } catch (err) {
    const { name, message } = err as Error;
    // Problems a person fixes (the address, the data directory, a file of the config) are one
    // line on stderr; anything else is a bug, logged with its stack.
    const line =
      name === 'ListenError'
        ? `cannot listen on ${(err as ListenError).address ?? loaded.config.listen}: ${message}`
        : name === 'StoreOpenError' || name === 'DataDirError'
          ? `cannot use the data directory ${loaded.config.dataDir}: ${message}`
          : name === 'StartupError'
            ? message
            : undefined;
    if (line === undefined) log.fatal({ err, listen: loaded.config.listen }, 'cannot start');
    process.stderr.write(`vmd: ${line ?? `cannot start: ${message}`}\n`);
    process.exit(1);
  }
}

import { VERSION } from '../version.js';

export { VERSION };
