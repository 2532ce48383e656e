/**
 * A consistent copy of a vmd store while its daemon runs (`vmd backup`). The store is in WAL
 * mode, so `vmd.db` alone misses every write not yet checkpointed (a `cp vmd.db` of a young
 * daemon is an empty database): the copy is made by SQLite itself, `VACUUM INTO`, through a
 * read-only connection. In WAL mode a reader never blocks the daemon's writes, and the copy is
 * one snapshot: every transaction the daemon had committed when it began, none after.
 */
import { closeSync, existsSync, openSync, rmSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { SQLITE_APPLICATION_ID, SQLITE_FILE_NAME } from './sqlite-store.js';

/** What {@link backupSqliteStore} wrote. */
export interface BackupSummary {
  /** The database copied (`<dataDir>/vmd.db`). */
  source: string;
  /** The copy, an absolute path. */
  file: string;
  bytes: number;
  /** When the copy began (its snapshot is of that moment or a little later). */
  time: Date;
  schemaVersion: number;
  tenants: number;
  apiKeys: number;
  functions: number;
  functionVersions: number;
  kvEntries: number;
}

/** A backup that cannot be made; the message says why and what to do. */
export class BackupError extends Error {
  override readonly name = 'BackupError';
}

/**
 * Copies `<dataDir>/vmd.db` to `outFile` with `VACUUM INTO`. Never overwrites: `outFile` is
 * created exclusively (mode 0600: the store holds hashed keys and tenants' code) and removed
 * again if the copy fails. The copy is checked (`PRAGMA quick_check`) before it is reported.
 *
 * @throws BackupError when there is no vmd store in `dataDir`, `outFile` exists or cannot be
 *   created, or SQLite cannot make the copy.
 */
export function backupSqliteStore(options: {
  dataDir: string;
  outFile: string;
  /** How long to wait for a lock held by the daemon, ms. @default 5000 */
  busyTimeoutMs?: number;
}): BackupSummary {
  const source = resolve(options.dataDir, SQLITE_FILE_NAME);
  const file = resolve(options.outFile);
  if (!existsSync(source)) {
    throw new BackupError(`there is no vmd store at ${source}; check --data-dir (or VMD_DATA_DIR)`);
  }
  if (file === source || file.startsWith(`${source}-`)) {
    throw new BackupError(`${file} is the store itself; write the backup to another file`);
  }
  let db: DatabaseSync;
  try {
    db = new DatabaseSync(source, { readOnly: true, timeout: options.busyTimeoutMs ?? 5000 });
  } catch (err) {
    throw new BackupError(`cannot open ${source}: ${(err as Error).message}`);
  }
  const time = new Date();
  try {
    const appId = (db.prepare('PRAGMA application_id').get() as { application_id: number }).application_id;
    if (appId !== SQLITE_APPLICATION_ID) {
      throw new BackupError(`${source} is not a vmd store (application_id ${appId}); check --data-dir`);
    }
    // Exclusive creation: an existing file, or one another backup creates meanwhile, is never
    // overwritten. VACUUM INTO accepts an empty file.
    try {
      closeSync(openSync(file, 'wx', 0o600));
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      throw new BackupError(
        code === 'EEXIST'
          ? `${file} exists; vmd backup never overwrites a file: choose a new name, or remove it first`
          : `cannot create ${file}: ${(err as Error).message}`,
      );
    }
    try {
      db.prepare('VACUUM INTO ?').run(file);
    } catch (err) {
      rmSync(file, { force: true });
      throw new BackupError(`cannot copy ${source} to ${file}: ${(err as Error).message}`);
    }
  } finally {
    db.close();
  }
  return { ...describeCopy(file), source, file, bytes: statSync(file).size, time };
}

/** Checks the copy and counts what it holds. */
function describeCopy(file: string): Omit<BackupSummary, 'source' | 'file' | 'bytes' | 'time'> {
  const copy = new DatabaseSync(file, { readOnly: true });
  try {
    const check = copy.prepare('PRAGMA quick_check').all() as Array<{ quick_check: string }>;
    if (check.length !== 1 || check[0]?.quick_check !== 'ok') {
      throw new BackupError(`the copy ${file} does not pass SQLite's quick_check; keep the old backup`);
    }
    const tables = new Set(
      (
        copy.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as Array<{ name: string }>
      ).map((r) => r.name),
    );
    // A store of an older schema may lack the later tables.
    const count = (table: string): number =>
      tables.has(table) ? (copy.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n : 0;
    return {
      schemaVersion: (copy.prepare('PRAGMA user_version').get() as { user_version: number }).user_version,
      tenants: count('tenants'),
      apiKeys: count('api_keys'),
      functions: count('functions'),
      functionVersions: count('function_versions'),
      kvEntries: count('kv'),
    };
  } finally {
    copy.close();
  }
}
