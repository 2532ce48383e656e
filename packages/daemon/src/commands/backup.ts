import { ConfigError, loadConfig } from '../config/load-config.js';
import { BackupError, backupSqliteStore, type BackupSummary } from '../store/sqlite/backup.js';

/** Flags of `vmd backup`. */
export interface BackupFlags {
  dataDir?: string;
  config?: string;
  json?: boolean;
}

/**
 * `vmd backup [--data-dir DIR] [--config FILE] [--json] OUT_FILE`: a consistent copy of the
 * store while the daemon runs. The data directory is `--data-dir`, else it comes from the
 * configuration as `vmd serve` would use it (defaults < config file < VMD_DATA_DIR). Prints what
 * it wrote; exit 0, 1 when no backup was made, 2 for an invalid configuration.
 */
export function backupCommand(outFile: string, flags: BackupFlags): void {
  let dataDir: string;
  try {
    // With --data-dir nothing else of the configuration matters: a backup must not fail on an
    // unrelated setting (a bad VMD_METRICS, say).
    dataDir =
      flags.dataDir ??
      loadConfig({ flags: flags.config !== undefined ? { config: flags.config } : {} }).config.dataDir;
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(
        `vmd: ${err.message}\nvmd: give --data-dir DIR to back up without reading the configuration\n`,
      );
      process.exit(2);
    }
    throw err;
  }
  let summary: BackupSummary;
  try {
    summary = backupSqliteStore({ dataDir, outFile });
  } catch (err) {
    if (err instanceof BackupError) {
      process.stderr.write(`vmd: backup failed: ${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
  if (flags.json === true) {
    process.stdout.write(`${JSON.stringify({ ...summary, time: summary.time.toISOString() }, null, 2)}\n`);
    return;
  }
  const s = summary;
  process.stdout.write(
    `wrote ${s.file} (${s.bytes} bytes): a consistent copy of ${s.source} as of ${s.time.toISOString()}\n` +
      `  ${s.tenants} tenants, ${s.apiKeys} API keys, ${s.functions} functions (${s.functionVersions} versions), ${s.kvEntries} kv entries; schema version ${s.schemaVersion}\n` +
      `  restore: stop the daemon, replace ${s.source} with this file, delete ${s.source}-wal and ${s.source}-shm, start it\n`,
  );
}
