import { closeSync, openSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DatabaseSync, type SQLInputValue, type StatementSync } from 'node:sqlite';
import { ErrorCode, InvalidArgumentError, NotFoundError, VmdError, isErrorCode } from '@vmd/core';
import {
  DEFAULT_PAGE_SIZE,
  MAX_PAGE_SIZE,
  StoreOpenError,
  TENANT_QUOTA_FIELDS,
  type ApiKeyRecord,
  type AuditEntry,
  type AuditEntryInput,
  type AuditOutcome,
  type AuditQuery,
  type CreateApiKeyInput,
  type CreateTenantInput,
  type DeployFunctionInput,
  type FunctionRecord,
  type FunctionVersionRecord,
  type IsolationMode,
  type Page,
  type PageRequest,
  type Store,
  type TenantCapabilities,
  type TenantQuotas,
  type TenantRecord,
  type TenantUpdate,
  type UsageDelta,
  type UsageSummary,
} from '../store.js';
import { LATEST_SCHEMA_VERSION, MIGRATIONS } from './migrations.js';
import { makeDirectory } from '../../lifecycle/make-directory.js';

/** The database file inside the data directory. */
export const SQLITE_FILE_NAME = 'vmd.db';

/**
 * `PRAGMA application_id` of a vmd database ("vmd\0"), set by the first migration. A file with
 * another application id is someone else's SQLite database and is left alone.
 */
export const SQLITE_APPLICATION_ID = 0x766d6400;

/** Options for {@link openSqliteStore}. */
export interface SqliteStoreOptions {
  /** The data directory; created (mode 0700) if missing. The database is `<dataDir>/vmd.db`. */
  dataDir: string;
  /**
   * How long a write waits for another connection's lock (another vmd process on the same
   * data dir, a backup tool) before failing, ms.
   * @default 5000
   */
  busyTimeoutMs?: number;
  /**
   * Run `PRAGMA quick_check` at open, so damage anywhere in the file (not only in its header) is
   * reported at start-up instead of by a later request. O(database size).
   * @default false
   */
  checkIntegrity?: boolean;
  /** Clock for record timestamps, epoch ms. @default Date.now */
  now?: () => number;
}

/**
 * Opens (creating if needed) the SQLite store in `options.dataDir` and brings its schema up to
 * date.
 * @throws StoreOpenError when the data dir was written by a newer vmd, the file is corrupted or
 *   is not a vmd database, or it cannot be created/opened/written.
 */
export function openSqliteStore(options: SqliteStoreOptions): Promise<SqliteStore> {
  try {
    return Promise.resolve(SqliteStore.open(options));
  } catch (err) {
    return Promise.reject(err instanceof Error ? err : new Error(String(err)));
  }
}

interface TenantRow {
  name: string;
  display_name: string;
  quotas: string;
  capabilities: string;
  isolation: string;
  created_at: number;
  updated_at: number;
}

interface ApiKeyRow {
  id: string;
  tenant: string;
  hash: string;
  description: string;
  created_at: number;
  revoked_at: number | null;
  last_used_at: number | null;
}

interface AuditRow {
  id: number;
  time: number;
  actor: string;
  action: string;
  target: string;
  outcome: string;
  details: string;
}

interface UsageTotalsRow {
  executions: number;
  cpu_ms: number;
  queue_wait_ms: number;
  rejected: number;
}

interface FunctionRow {
  tenant: string;
  name: string;
  active_version: number;
  latest_version: number;
  created_at: number;
  updated_at: number;
}

interface FunctionVersionRow {
  tenant: string;
  name: string;
  version: number;
  entry: string;
  files: string;
  config: string;
  sha256: string;
  created_at: number;
}

const FUNCTION_COLUMNS = 'tenant, name, active_version, latest_version, created_at, updated_at';
const FUNCTION_VERSION_COLUMNS = 'tenant, name, version, entry, files, config, sha256, created_at';
const TENANT_COLUMNS = 'name, display_name, quotas, capabilities, isolation, created_at, updated_at';
const API_KEY_COLUMNS = 'id, tenant, hash, description, created_at, revoked_at, last_used_at';
const AUDIT_COLUMNS = 'id, time, actor, action, target, outcome, details';
const ISOLATION_MODES: readonly IsolationMode[] = ['isolate', 'context'];
const AUDIT_OUTCOMES: readonly AuditOutcome[] = ['ok', 'denied', 'failed'];
const MINUTE_MS = 60_000;
const MAX_AUDIT_DETAILS_BYTES = 8 * 1024;
const SECRET_KEY_PATTERN = /secret|token|passw|authorization|api[-_]?key|hash|credential|cookie/i;
const ERROR_KIND_PATTERN = /^[A-Z][A-Z0-9_]{0,31}$/;
/**
 * Platform failures share `usage_errors` with the failure kinds of tenant code: their `kind` is
 * this prefix and the vmd error code (`platform:WORKER_CRASHED`), which no failure kind matches.
 */
const PLATFORM_ERROR_PREFIX = 'platform:';

// SQLite primary result codes (the low byte of node:sqlite's extended `errcode`).
const SQLITE_CORRUPT = 11;
const SQLITE_CONSTRAINT = 19;
const SQLITE_NOTADB = 26;

/**
 * The embedded {@link Store}: one `node:sqlite` connection to `<dataDir>/vmd.db`.
 *
 * Durability settings (see `configure`): WAL journal, `synchronous=FULL`, foreign keys on, a busy
 * timeout. Calls are synchronous underneath (node:sqlite has no async API) and each write is one
 * short transaction, so the event loop is held for one fsync per write: fine for admin writes and
 * batched usage flushes, not for per-request writes.
 */
export class SqliteStore implements Store {
  /** Absolute path of the database file. */
  readonly file: string;
  private readonly db: DatabaseSync;
  private readonly now: () => number;
  private readonly statements = new Map<string, StatementSync>();
  private closed = false;

  private constructor(db: DatabaseSync, file: string, now: () => number) {
    this.db = db;
    this.file = file;
    this.now = now;
  }

  /** Synchronous form of {@link openSqliteStore}. */
  static open(options: SqliteStoreOptions): SqliteStore {
    const dir = resolve(options.dataDir);
    const file = join(dir, SQLITE_FILE_NAME);
    try {
      makeDirectory(dir, 0o700);
      // Create the file with owner-only permissions before SQLite does (it would use 0644 minus
      // the umask); SQLite gives the -wal and -shm files the mode of the database file. The
      // database holds key hashes and tenant configuration.
      closeSync(openSync(file, 'a', 0o600));
    } catch (err) {
      throw new StoreOpenError(
        'io',
        dir,
        `cannot create the data file ${file}: ${errorText(err)}; check the permissions of the data dir or use another --data-dir`,
        { cause: err },
      );
    }

    let db: DatabaseSync;
    try {
      db = new DatabaseSync(file, {
        enableForeignKeyConstraints: true,
        timeout: options.busyTimeoutMs ?? 5000,
      });
    } catch (err) {
      throw new StoreOpenError('io', file, `cannot open the data file ${file}: ${errorText(err)}`, {
        cause: err,
      });
    }

    try {
      configure(db, options.busyTimeoutMs ?? 5000);
      if (options.checkIntegrity === true) checkIntegrity(db, file);
      migrate(db, dir, file);
    } catch (err) {
      db.close();
      throw toOpenError(err, file);
    }
    return new SqliteStore(db, file, options.now ?? Date.now);
  }

  schemaVersion(): Promise<number> {
    return this.call(() => userVersion(this.db));
  }

  // ---------------------------------------------------------------------------------- tenants

  createTenant(input: CreateTenantInput): Promise<TenantRecord> {
    return this.call(() => {
      const name = checkName(input.name);
      const now = this.nowMs();
      const record: TenantRecord = {
        name,
        displayName: checkString('tenant.display_name', input.displayName ?? ''),
        quotas: checkQuotas(input.quotas),
        capabilities: checkCapabilities(input.capabilities ?? { kv: false, fetchOrigins: [] }),
        isolation: checkIsolation(input.isolation ?? 'isolate'),
        createdAt: new Date(now),
        updatedAt: new Date(now),
      };
      this.transaction(() => {
        if (this.tenantRow(name) !== undefined) throw tenantExists(name);
        try {
          this.stmt(`INSERT INTO tenants (${TENANT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)`).run(
            ...tenantParams(record),
          );
        } catch (err) {
          if (sqliteCode(err) === SQLITE_CONSTRAINT) throw tenantExists(name);
          throw err;
        }
      });
      return record;
    });
  }

  getTenant(name: string): Promise<TenantRecord> {
    return this.call(() => decodeTenant(this.requireTenant(name)));
  }

  findTenant(name: string): Promise<TenantRecord | undefined> {
    return this.call(() => {
      const row = this.tenantRow(name);
      return row === undefined ? undefined : decodeTenant(row);
    });
  }

  listTenants(page: PageRequest = {}): Promise<Page<TenantRecord>> {
    return this.call(() => {
      const size = pageSize(page);
      const cursor = decodePageToken(page.pageToken, 'tenants', 1);
      const after = cursor === undefined ? '' : String(cursor[0]);
      const rows = this.stmt(
        `SELECT ${TENANT_COLUMNS} FROM tenants WHERE name > ? ORDER BY name LIMIT ?`,
      ).all(after, size + 1) as unknown as TenantRow[];
      return toPage(rows, size, decodeTenant, (last) => ['tenants', last.name]);
    });
  }

  updateTenant(name: string, update: TenantUpdate): Promise<TenantRecord> {
    return this.call(() =>
      this.transaction(() => {
        const current = decodeTenant(this.requireTenant(name));
        const next: TenantRecord = {
          ...current,
          displayName:
            update.displayName === undefined
              ? current.displayName
              : checkString('tenant.display_name', update.displayName),
          quotas:
            update.quotas === undefined
              ? current.quotas
              : checkQuotas({ ...current.quotas, ...definedOnly(update.quotas) }),
          capabilities:
            update.capabilities === undefined
              ? current.capabilities
              : checkCapabilities({ ...current.capabilities, ...definedOnly(update.capabilities) }),
          isolation: update.isolation === undefined ? current.isolation : checkIsolation(update.isolation),
          updatedAt: new Date(this.nowMs()),
        };
        this.stmt(
          'UPDATE tenants SET display_name = ?, quotas = ?, capabilities = ?, isolation = ?, updated_at = ? WHERE name = ?',
        ).run(
          next.displayName,
          JSON.stringify(next.quotas),
          JSON.stringify(next.capabilities),
          next.isolation,
          next.updatedAt.getTime(),
          name,
        );
        return next;
      }),
    );
  }

  deleteTenant(name: string): Promise<void> {
    return this.call(() => {
      // Keys and usage rows go with it (ON DELETE CASCADE; foreign keys are on).
      const { changes } = this.stmt('DELETE FROM tenants WHERE name = ?').run(name);
      if (Number(changes) === 0) throw tenantNotFound(name);
    });
  }

  // --------------------------------------------------------------------------------- api keys

  createApiKey(input: CreateApiKeyInput): Promise<ApiKeyRecord> {
    return this.call(() => {
      const record: ApiKeyRecord = {
        id: checkNonEmpty('key.id', input.id),
        tenant: input.tenant,
        hash: checkNonEmpty('key.hash', input.hash),
        description: checkString('key.description', input.description ?? ''),
        createdAt: new Date(this.nowMs()),
      };
      this.transaction(() => {
        this.requireTenant(input.tenant);
        if (this.apiKeyRow(record.id) !== undefined) throw apiKeyExists(record.id);
        try {
          this.stmt(`INSERT INTO api_keys (${API_KEY_COLUMNS}) VALUES (?, ?, ?, ?, ?, NULL, NULL)`).run(
            record.id,
            record.tenant,
            record.hash,
            record.description,
            record.createdAt.getTime(),
          );
        } catch (err) {
          if (sqliteCode(err) === SQLITE_CONSTRAINT) throw apiKeyExists(record.id);
          throw err;
        }
      });
      return record;
    });
  }

  getApiKey(id: string): Promise<ApiKeyRecord | undefined> {
    return this.call(() => {
      const row = this.apiKeyRow(id);
      return row === undefined ? undefined : decodeApiKey(row);
    });
  }

  listApiKeys(tenant: string, page: PageRequest = {}): Promise<Page<ApiKeyRecord>> {
    return this.call(() => {
      const size = pageSize(page);
      const cursor = decodePageToken(page.pageToken, 'keys', 3);
      return this.transaction(() => {
        this.requireTenant(tenant);
        let rows: ApiKeyRow[];
        if (cursor === undefined) {
          rows = this.stmt(
            `SELECT ${API_KEY_COLUMNS} FROM api_keys WHERE tenant = ? ORDER BY created_at DESC, id DESC LIMIT ?`,
          ).all(tenant, size + 1) as unknown as ApiKeyRow[];
        } else {
          const [cursorTenant, createdAt, id] = cursor;
          if (cursorTenant !== tenant || typeof createdAt !== 'number' || typeof id !== 'string') {
            throw badPageToken();
          }
          rows = this.stmt(
            `SELECT ${API_KEY_COLUMNS} FROM api_keys
             WHERE tenant = ? AND (created_at < ? OR (created_at = ? AND id < ?))
             ORDER BY created_at DESC, id DESC LIMIT ?`,
          ).all(tenant, createdAt, createdAt, id, size + 1) as unknown as ApiKeyRow[];
        }
        return toPage(rows, size, decodeApiKey, (last) => ['keys', tenant, last.created_at, last.id]);
      }, 'read');
    });
  }

  revokeApiKey(id: string): Promise<(ApiKeyRecord & { alreadyRevoked: boolean }) | undefined> {
    return this.call(() => {
      // One statement: only an unrevoked key is changed, so whether this call revoked it is
      // known without a race with another writer.
      const row = this.stmt(
        `UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL RETURNING ${API_KEY_COLUMNS}`,
      ).get(this.nowMs(), id) as unknown as ApiKeyRow | undefined;
      if (row !== undefined) return { ...decodeApiKey(row), alreadyRevoked: false };
      const before = this.stmt(`SELECT ${API_KEY_COLUMNS} FROM api_keys WHERE id = ?`).get(id) as unknown as
        ApiKeyRow | undefined;
      return before === undefined ? undefined : { ...decodeApiKey(before), alreadyRevoked: true };
    });
  }

  markApiKeyUsed(id: string, time?: Date): Promise<void> {
    return this.call(() => {
      const at = time === undefined ? this.nowMs() : dateMs('time', time);
      this.stmt('UPDATE api_keys SET last_used_at = max(COALESCE(last_used_at, 0), ?) WHERE id = ?').run(
        at,
        id,
      );
    });
  }

  // -------------------------------------------------------------------------------- audit log

  appendAudit(entry: AuditEntryInput): Promise<AuditEntry> {
    return this.call(() => {
      if (!AUDIT_OUTCOMES.includes(entry.outcome)) {
        throw new InvalidArgumentError('audit.outcome', `unknown audit outcome '${String(entry.outcome)}'`);
      }
      const time = entry.time === undefined ? this.nowMs() : dateMs('audit.time', entry.time);
      const details = sanitizeDetails(entry.details);
      const row = this.stmt(
        `INSERT INTO audit_log (time, actor, action, target, outcome, details) VALUES (?, ?, ?, ?, ?, ?) RETURNING ${AUDIT_COLUMNS}`,
      ).get(
        time,
        checkString('audit.actor', entry.actor),
        checkString('audit.action', entry.action),
        checkString('audit.target', entry.target),
        entry.outcome,
        details,
      ) as unknown as AuditRow;
      return decodeAudit(row);
    });
  }

  listAudit(query: AuditQuery = {}): Promise<Page<AuditEntry>> {
    return this.call(() => {
      const size = pageSize(query);
      const cursor = decodePageToken(query.pageToken, 'audit', 1);
      const where: string[] = [];
      const params: SQLInputValue[] = [];
      if (cursor !== undefined) {
        if (typeof cursor[0] !== 'number') throw badPageToken();
        where.push('id < ?');
        params.push(cursor[0]);
      }
      if (query.tenant !== undefined) {
        // Its own record, and the range of targets under `tenant/<name>/` ('0' follows '/'),
        // which the (target, id) index serves.
        where.push('(target = ? OR (target >= ? AND target < ?))');
        params.push(query.tenant, `tenant/${query.tenant}/`, `tenant/${query.tenant}0`);
      }
      for (const [column, value] of [
        ['actor', query.actor],
        ['action', query.action],
        ['target', query.target],
        ['outcome', query.outcome],
      ] as const) {
        if (value !== undefined) {
          where.push(`${column} = ?`);
          params.push(value);
        }
      }
      if (query.since !== undefined) {
        where.push('time >= ?');
        params.push(dateMs('since', query.since));
      }
      if (query.until !== undefined) {
        where.push('time < ?');
        params.push(dateMs('until', query.until));
      }
      // At most 2^8 distinct statements, each cached.
      const sql = `SELECT ${AUDIT_COLUMNS} FROM audit_log${
        where.length === 0 ? '' : ` WHERE ${where.join(' AND ')}`
      } ORDER BY id DESC LIMIT ?`;
      const rows = this.stmt(sql).all(...params, size + 1) as unknown as AuditRow[];
      return toPage(rows, size, decodeAudit, (last) => ['audit', last.id]);
    });
  }

  pruneAudit(before: Date): Promise<number> {
    return this.call(() =>
      Number(this.stmt('DELETE FROM audit_log WHERE time < ?').run(dateMs('before', before)).changes),
    );
  }

  // ------------------------------------------------------------------------------------ usage

  recordUsage(deltas: readonly UsageDelta[]): Promise<void> {
    return this.call(() => {
      const checked = deltas.map(checkUsageDelta);
      if (checked.length === 0) return;
      this.transaction(() => {
        const upsertMinute = this.stmt(
          `INSERT INTO usage_minutes (tenant, minute, executions, cpu_ms, queue_wait_ms, rejected)
           SELECT ?, ?, ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM tenants WHERE name = ?)
           ON CONFLICT (tenant, minute) DO UPDATE SET
             executions = executions + excluded.executions,
             cpu_ms = cpu_ms + excluded.cpu_ms,
             queue_wait_ms = queue_wait_ms + excluded.queue_wait_ms,
             rejected = rejected + excluded.rejected`,
        );
        const upsertErrors = this.stmt(
          `INSERT INTO usage_errors (tenant, minute, kind, count) VALUES (?, ?, ?, ?)
           ON CONFLICT (tenant, minute, kind) DO UPDATE SET count = count + excluded.count`,
        );
        for (const d of checked) {
          const { changes } = upsertMinute.run(
            d.tenant,
            d.minute,
            d.executions,
            d.cpuMs,
            d.queueWaitMs,
            d.rejected,
            d.tenant,
          );
          if (Number(changes) === 0) continue; // the tenant is gone: drop its usage
          for (const [kind, count] of d.errors) upsertErrors.run(d.tenant, d.minute, kind, count);
        }
      });
    });
  }

  getUsage(tenant: string, window: { start: Date; end: Date }): Promise<UsageSummary> {
    return this.call(() => {
      const startMs = dateMs('start', window.start);
      const endMs = dateMs('end', window.end);
      const fromMinute = Math.floor(startMs / MINUTE_MS) * MINUTE_MS;
      return this.transaction(() => {
        this.requireTenant(tenant);
        const totals = this.stmt(
          `SELECT COALESCE(SUM(executions), 0) AS executions, COALESCE(SUM(cpu_ms), 0) AS cpu_ms,
                  COALESCE(SUM(queue_wait_ms), 0) AS queue_wait_ms, COALESCE(SUM(rejected), 0) AS rejected
           FROM usage_minutes WHERE tenant = ? AND minute >= ? AND minute < ?`,
        ).get(tenant, fromMinute, endMs) as unknown as UsageTotalsRow;
        const errorRows = this.stmt(
          `SELECT kind, SUM(count) AS count FROM usage_errors
           WHERE tenant = ? AND minute >= ? AND minute < ? GROUP BY kind ORDER BY kind`,
        ).all(tenant, fromMinute, endMs) as unknown as Array<{ kind: string; count: number }>;
        const errors: Record<string, number> = {};
        const platformErrors: Record<string, number> = {};
        for (const { kind, count } of errorRows) {
          if (kind.startsWith(PLATFORM_ERROR_PREFIX))
            platformErrors[kind.slice(PLATFORM_ERROR_PREFIX.length)] = count;
          else errors[kind] = count;
        }
        return {
          tenant,
          start: new Date(startMs),
          end: new Date(endMs),
          executions: totals.executions,
          errors,
          platformErrors,
          cpuMs: totals.cpu_ms,
          queueWaitMs: totals.queue_wait_ms,
          rejected: totals.rejected,
        };
      }, 'read');
    });
  }

  pruneUsage(before: Date): Promise<number> {
    return this.call(() =>
      Number(this.stmt('DELETE FROM usage_minutes WHERE minute < ?').run(dateMs('before', before)).changes),
    );
  }

  // -------------------------------------------------------------------------------- functions

  deployFunction(
    input: DeployFunctionInput,
  ): Promise<{ function: FunctionRecord; version: FunctionVersionRecord }> {
    return this.call(() => {
      const name = checkName(input.name);
      return this.transaction(() => {
        this.requireTenant(input.tenant);
        const now = this.nowMs();
        let fn = this.stmt(`SELECT ${FUNCTION_COLUMNS} FROM functions WHERE tenant = ? AND name = ?`).get(
          input.tenant,
          name,
        ) as unknown as FunctionRow | undefined;
        if (fn === undefined) {
          const count = (
            this.stmt('SELECT COUNT(*) AS n FROM functions WHERE tenant = ?').get(input.tenant) as {
              n: number;
            }
          ).n;
          if (count >= input.maxFunctions) {
            throw new VmdError(
              ErrorCode.QUOTA_EXCEEDED,
              `tenant '${input.tenant}' already has ${count} functions, its quota; delete one or ask for a larger quota`,
            );
          }
          this.stmt(
            'INSERT INTO functions (tenant, name, active_version, latest_version, created_at, updated_at) VALUES (?, ?, 0, 0, ?, ?)',
          ).run(input.tenant, name, now, now);
          fn = {
            tenant: input.tenant,
            name,
            active_version: 0,
            latest_version: 0,
            created_at: now,
            updated_at: now,
          };
        }
        const version = fn.latest_version + 1;
        this.stmt(
          `INSERT INTO function_versions (tenant, name, version, entry, files, config, sha256, created_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
        ).run(
          input.tenant,
          name,
          version,
          input.entry,
          JSON.stringify(input.files),
          JSON.stringify(input.config),
          input.sha256,
          now,
        );
        const updated = this.stmt(
          `UPDATE functions SET active_version = ?, latest_version = ?, updated_at = ? WHERE tenant = ? AND name = ?
           RETURNING ${FUNCTION_COLUMNS}`,
        ).get(version, version, now, input.tenant, name) as unknown as FunctionRow;
        return {
          function: decodeFunction(updated),
          version: {
            tenant: input.tenant,
            name,
            version,
            files: input.files,
            entry: input.entry,
            config: input.config,
            sha256: input.sha256,
            createdAt: new Date(now),
          },
        };
      });
    });
  }

  getFunction(tenant: string, name: string): Promise<FunctionRecord> {
    return this.call(() => decodeFunction(this.requireFunction(tenant, name)));
  }

  getFunctionVersion(tenant: string, name: string, version?: number): Promise<FunctionVersionRecord> {
    return this.call(() =>
      this.transaction(() => {
        const fn = this.requireFunction(tenant, name);
        const wanted = version === undefined || version === 0 ? fn.active_version : version;
        const row = this.stmt(
          `SELECT ${FUNCTION_VERSION_COLUMNS} FROM function_versions WHERE tenant = ? AND name = ? AND version = ?`,
        ).get(tenant, name, wanted) as unknown as FunctionVersionRow | undefined;
        if (row === undefined) throw functionNotFound(tenant, name, wanted);
        return decodeFunctionVersion(row);
      }, 'read'),
    );
  }

  listFunctions(tenant: string, page: PageRequest = {}): Promise<Page<FunctionRecord>> {
    return this.call(() => {
      const size = pageSize(page);
      const cursor = decodePageToken(page.pageToken, 'functions', 2);
      return this.transaction(() => {
        this.requireTenant(tenant);
        let after = '';
        if (cursor !== undefined) {
          const [cursorTenant, name] = cursor;
          if (cursorTenant !== tenant || typeof name !== 'string') throw badPageToken();
          after = name;
        }
        const rows = this.stmt(
          `SELECT ${FUNCTION_COLUMNS} FROM functions WHERE tenant = ? AND name > ? ORDER BY name LIMIT ?`,
        ).all(tenant, after, size + 1) as unknown as FunctionRow[];
        return toPage(rows, size, decodeFunction, (last) => ['functions', tenant, last.name]);
      }, 'read');
    });
  }

  listFunctionVersions(
    tenant: string,
    name: string,
    page: PageRequest = {},
  ): Promise<Page<FunctionVersionRecord>> {
    return this.call(() => {
      const size = pageSize(page);
      const cursor = decodePageToken(page.pageToken, 'function-versions', 3);
      return this.transaction(() => {
        this.requireFunction(tenant, name);
        let below = Number.MAX_SAFE_INTEGER;
        if (cursor !== undefined) {
          const [cursorTenant, cursorName, version] = cursor;
          if (cursorTenant !== tenant || cursorName !== name || typeof version !== 'number')
            throw badPageToken();
          below = version;
        }
        const rows = this.stmt(
          `SELECT ${FUNCTION_VERSION_COLUMNS} FROM function_versions
           WHERE tenant = ? AND name = ? AND version < ? ORDER BY version DESC LIMIT ?`,
        ).all(tenant, name, below, size + 1) as unknown as FunctionVersionRow[];
        return toPage(rows, size, decodeFunctionVersion, (last) => [
          'function-versions',
          tenant,
          name,
          last.version,
        ]);
      }, 'read');
    });
  }

  rollbackFunction(tenant: string, name: string, version: number): Promise<FunctionRecord> {
    return this.call(() =>
      this.transaction(() => {
        this.requireFunction(tenant, name);
        const exists = this.stmt(
          'SELECT 1 AS ok FROM function_versions WHERE tenant = ? AND name = ? AND version = ?',
        ).get(tenant, name, version);
        if (exists === undefined) throw functionNotFound(tenant, name, version);
        return decodeFunction(
          this.stmt(
            `UPDATE functions SET active_version = ?, updated_at = ? WHERE tenant = ? AND name = ? RETURNING ${FUNCTION_COLUMNS}`,
          ).get(version, this.nowMs(), tenant, name) as unknown as FunctionRow,
        );
      }),
    );
  }

  deleteFunction(tenant: string, name: string): Promise<void> {
    return this.call(() => {
      const { changes } = this.stmt('DELETE FROM functions WHERE tenant = ? AND name = ?').run(tenant, name);
      if (Number(changes) === 0) throw functionNotFound(tenant, name);
    });
  }

  private requireFunction(tenant: string, name: string): FunctionRow {
    const row = this.stmt(`SELECT ${FUNCTION_COLUMNS} FROM functions WHERE tenant = ? AND name = ?`).get(
      tenant,
      name,
    ) as unknown as FunctionRow | undefined;
    if (row === undefined) throw functionNotFound(tenant, name);
    return row;
  }

  // ---------------------------------------------------------------------------------------- kv

  kvGet(tenant: string, key: string): Promise<string | undefined> {
    return this.call(
      () =>
        (
          this.stmt('SELECT value FROM kv WHERE tenant = ? AND key = ?').get(tenant, key) as
            { value: string } | undefined
        )?.value,
    );
  }

  kvPut(tenant: string, key: string, valueJson: string, maxTotalBytes: number): Promise<void> {
    return this.call(() =>
      this.transaction(() => {
        this.requireTenant(tenant);
        const bytes = Buffer.byteLength(key, 'utf8') + Buffer.byteLength(valueJson, 'utf8');
        const { total } = this.stmt(
          'SELECT COALESCE(SUM(bytes), 0) AS total FROM kv WHERE tenant = ? AND key != ?',
        ).get(tenant, key) as { total: number };
        if (total + bytes > maxTotalBytes) {
          throw new VmdError(
            ErrorCode.QUOTA_EXCEEDED,
            `the kv store of tenant '${tenant}' would hold ${total + bytes} bytes, more than its quota of ${maxTotalBytes}; delete keys first`,
          );
        }
        this.stmt(
          `INSERT INTO kv (tenant, key, value, bytes, updated_at) VALUES (?, ?, ?, ?, ?)
           ON CONFLICT (tenant, key) DO UPDATE SET value = excluded.value, bytes = excluded.bytes, updated_at = excluded.updated_at`,
        ).run(tenant, key, valueJson, bytes, this.nowMs());
      }),
    );
  }

  kvDelete(tenant: string, key: string): Promise<boolean> {
    return this.call(
      () => Number(this.stmt('DELETE FROM kv WHERE tenant = ? AND key = ?').run(tenant, key).changes) > 0,
    );
  }

  kvList(tenant: string, prefix: string, after: string, limit: number): Promise<string[]> {
    return this.call(() => {
      // Keys with the prefix sort between `prefix` and `prefix` + U+FFFF.
      const from = after > prefix ? after : prefix;
      const rows = this.stmt(
        `SELECT key FROM kv WHERE tenant = ? AND key >= ? AND key < ? AND key != ? ORDER BY key LIMIT ?`,
      ).all(tenant, from, `${prefix}\uffff`, after, limit) as Array<{ key: string }>;
      return rows.map((r) => r.key).filter((k) => k.startsWith(prefix));
    });
  }

  // -------------------------------------------------------------------------------- lifecycle

  close(): Promise<void> {
    if (!this.closed) {
      this.closed = true;
      this.statements.clear();
      // The last connection to close checkpoints the WAL into the main file and removes it.
      this.db.close();
    }
    return Promise.resolve();
  }

  // ---------------------------------------------------------------------------------- helpers

  /** Runs `fn` as the body of an async method: throws become rejections; closed → rejection. */
  private call<R>(fn: () => R): Promise<R> {
    try {
      if (this.closed) {
        throw new VmdError(ErrorCode.SHUTTING_DOWN, 'the store is closed: the daemon is shutting down');
      }
      return Promise.resolve(fn());
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
  }

  /**
   * Runs `fn` in one transaction. A write transaction (`BEGIN IMMEDIATE`) takes the write lock up
   * front, so a read-then-write cannot be invalidated by another process between the two; a read
   * transaction (`BEGIN`) gives several reads one consistent snapshot without blocking writers.
   */
  private transaction<R>(fn: () => R, mode: 'write' | 'read' = 'write'): R {
    this.db.exec(mode === 'write' ? 'BEGIN IMMEDIATE' : 'BEGIN');
    try {
      const result = fn();
      this.db.exec('COMMIT');
      return result;
    } catch (err) {
      if (this.db.isTransaction) this.db.exec('ROLLBACK');
      throw err;
    }
  }

  /** A prepared statement, compiled once per distinct SQL text. */
  private stmt(sql: string): StatementSync {
    let statement = this.statements.get(sql);
    if (statement === undefined) {
      statement = this.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }

  private nowMs(): number {
    return Math.trunc(this.now());
  }

  private tenantRow(name: string): TenantRow | undefined {
    return this.stmt(`SELECT ${TENANT_COLUMNS} FROM tenants WHERE name = ?`).get(name) as unknown as
      TenantRow | undefined;
  }

  private requireTenant(name: string): TenantRow {
    const row = this.tenantRow(name);
    if (row === undefined) throw tenantNotFound(name);
    return row;
  }

  private apiKeyRow(id: string): ApiKeyRow | undefined {
    return this.stmt(`SELECT ${API_KEY_COLUMNS} FROM api_keys WHERE id = ?`).get(id) as unknown as
      ApiKeyRow | undefined;
  }
}

// ------------------------------------------------------------------------------ open + migrate

function configure(db: DatabaseSync, busyTimeoutMs: number): void {
  // The first statement reads the file header: a file that is not a database fails here.
  db.exec(`PRAGMA busy_timeout = ${Math.max(0, Math.trunc(busyTimeoutMs))}`);
  // WAL: readers never block the writer and a commit appends to the log instead of rewriting
  // pages in place, so a crash mid-write leaves the last committed state intact.
  const mode = db.prepare('PRAGMA journal_mode = WAL').get() as { journal_mode?: string } | undefined;
  if (mode?.journal_mode !== 'wal') {
    throw new Error(`could not switch to WAL mode (journal_mode is '${mode?.journal_mode ?? '?'}')`);
  }
  // Durability. Once COMMIT has returned, the transaction is in the WAL file; a process killed
  // with `kill -9` loses nothing in any synchronous mode, because the written bytes are in the
  // kernel's page cache, which outlives the process. What FULL adds is an fsync of the WAL at
  // every commit, so an acknowledged admin write (a new tenant, a revoked key) also survives a
  // power cut or a kernel crash; with WAL's usual NORMAL, the last commits before such a crash
  // can be lost (never corrupted). Admin writes are rare, so the fsync per commit is cheap;
  // usage counters are batched for the same reason.
  db.exec('PRAGMA synchronous = FULL');
  db.exec('PRAGMA foreign_keys = ON');
}

function checkIntegrity(db: DatabaseSync, file: string): void {
  const rows = db.prepare('PRAGMA quick_check').all() as Array<{ quick_check: string }>;
  const problems = rows.map((r) => r.quick_check).filter((r) => r !== 'ok');
  if (problems.length > 0) {
    throw new StoreOpenError(
      'corrupt',
      file,
      `data file ${file} is corrupted (${problems.slice(0, 3).join('; ')}); restore it from a backup, or move it away to start with an empty store`,
    );
  }
}

function userVersion(db: DatabaseSync): number {
  return (db.prepare('PRAGMA user_version').get() as { user_version: number }).user_version;
}

function migrate(db: DatabaseSync, dir: string, file: string): void {
  const version = userVersion(db);
  if (version > LATEST_SCHEMA_VERSION) {
    throw new StoreOpenError(
      'newer-schema',
      dir,
      `data dir ${dir} was written by a newer vmd (schema ${version} > ${LATEST_SCHEMA_VERSION}); upgrade vmd or use another --data-dir`,
    );
  }
  const appId = (db.prepare('PRAGMA application_id').get() as { application_id: number }).application_id;
  const tables = (
    db.prepare("SELECT count(*) AS n FROM sqlite_schema WHERE type = 'table'").get() as { n: number }
  ).n;
  if ((appId !== 0 && appId !== SQLITE_APPLICATION_ID) || (version === 0 && tables > 0)) {
    throw new StoreOpenError(
      'not-vmd',
      file,
      `data file ${file} is an SQLite database that vmd did not create; use another --data-dir`,
    );
  }

  for (const migration of MIGRATIONS) {
    if (migration.version <= version) continue;
    db.exec('BEGIN IMMEDIATE');
    try {
      // Re-read under the write lock: another vmd process may have migrated meanwhile.
      const current = userVersion(db);
      if (current < migration.version) {
        if (current !== migration.version - 1) {
          throw new Error(`schema version ${current} cannot be migrated to ${migration.version}`);
        }
        db.exec(migration.sql);
        if (migration.version === 1) db.exec(`PRAGMA application_id = ${SQLITE_APPLICATION_ID}`);
        // user_version lives in the file header, which is written by this same transaction.
        db.exec(`PRAGMA user_version = ${migration.version}`);
      }
      db.exec('COMMIT');
    } catch (err) {
      if (db.isTransaction) db.exec('ROLLBACK');
      throw err;
    }
  }
}

function toOpenError(err: unknown, file: string): StoreOpenError {
  if (err instanceof StoreOpenError) return err;
  const code = sqliteCode(err);
  if (code === SQLITE_NOTADB || code === SQLITE_CORRUPT) {
    return new StoreOpenError(
      'corrupt',
      file,
      `data file ${file} is corrupted or is not an SQLite database (${errorText(err)}); restore it from a backup, or move it away to start with an empty store`,
      { cause: err },
    );
  }
  return new StoreOpenError('io', file, `cannot open the data file ${file}: ${errorText(err)}`, {
    cause: err,
  });
}

/** The SQLite primary result code of a node:sqlite error, or undefined. */
function sqliteCode(err: unknown): number | undefined {
  const errcode = (err as { errcode?: unknown } | null)?.errcode;
  return typeof errcode === 'number' ? errcode & 0xff : undefined;
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

// ------------------------------------------------------------------------- validation, codecs

function functionNotFound(tenant: string, name: string, version?: number): NotFoundError {
  const what = version === undefined ? `function '${name}'` : `version ${version} of function '${name}'`;
  return new NotFoundError(
    ErrorCode.FUNCTION_NOT_FOUND,
    'function',
    name,
    version === undefined
      ? `${what} of tenant '${tenant}' was not found; list its functions with \`vmctl fn list\``
      : `${what} of tenant '${tenant}' was not found; list its versions with \`vmctl fn versions ${name}\``,
  );
}

function decodeFunction(row: FunctionRow): FunctionRecord {
  return {
    tenant: row.tenant,
    name: row.name,
    activeVersion: row.active_version,
    latestVersion: row.latest_version,
    createdAt: new Date(row.created_at),
    updatedAt: new Date(row.updated_at),
  };
}

function decodeFunctionVersion(row: FunctionVersionRow): FunctionVersionRecord {
  return {
    tenant: row.tenant,
    name: row.name,
    version: row.version,
    entry: row.entry,
    files: JSON.parse(row.files) as FunctionVersionRecord['files'],
    config: JSON.parse(row.config) as FunctionVersionRecord['config'],
    sha256: row.sha256,
    createdAt: new Date(row.created_at),
  };
}

function tenantNotFound(name: string): NotFoundError {
  return new NotFoundError(
    ErrorCode.TENANT_NOT_FOUND,
    'tenant',
    name,
    `tenant '${name}' was not found; list tenants with \`vmctl tenant list\``,
  );
}

function tenantExists(name: string): VmdError {
  return new VmdError(
    ErrorCode.ALREADY_EXISTS,
    `tenant '${name}' already exists; choose another name or update the existing tenant`,
    { resource: 'tenant' },
  );
}

function apiKeyExists(id: string): VmdError {
  return new VmdError(ErrorCode.ALREADY_EXISTS, `API key id '${id}' already exists; generate a new key`, {
    resource: 'api_key',
  });
}

function badPageToken(): InvalidArgumentError {
  return new InvalidArgumentError(
    'page.page_token',
    'page_token is not a token returned by this list call; start again without one',
  );
}

function checkName(name: string): string {
  if (typeof name !== 'string' || name.length === 0) {
    throw new InvalidArgumentError('tenant.name', 'tenant name must not be empty');
  }
  return name;
}

function checkNonEmpty(field: string, value: string): string {
  if (typeof value !== 'string' || value.length === 0) {
    throw new InvalidArgumentError(field, `${field} must not be empty`);
  }
  return value;
}

function checkString(field: string, value: string): string {
  if (typeof value !== 'string') throw new InvalidArgumentError(field, `${field} must be a string`);
  return value;
}

function snakeCase(field: string): string {
  return field.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

/** Keeps exactly the known quota fields, each a finite number ≥ 0. */
function checkQuotas(quotas: TenantQuotas): TenantQuotas {
  const out = {} as TenantQuotas;
  for (const field of TENANT_QUOTA_FIELDS) {
    const value = (quotas as Partial<TenantQuotas> | undefined)?.[field];
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
      throw new InvalidArgumentError(
        `tenant.quotas.${snakeCase(field)}`,
        `quota ${snakeCase(field)} must be a finite number ≥ 0, got ${String(value)}`,
      );
    }
    out[field] = value;
  }
  return out;
}

function checkCapabilities(capabilities: TenantCapabilities): TenantCapabilities {
  if (typeof capabilities.kv !== 'boolean') {
    throw new InvalidArgumentError('tenant.capabilities.kv', 'capabilities.kv must be a boolean');
  }
  if (
    !Array.isArray(capabilities.fetchOrigins) ||
    !capabilities.fetchOrigins.every((o) => typeof o === 'string')
  ) {
    throw new InvalidArgumentError(
      'tenant.capabilities.fetch_origins',
      'capabilities.fetch_origins must be a list of strings',
    );
  }
  return { kv: capabilities.kv, fetchOrigins: [...capabilities.fetchOrigins] };
}

function checkIsolation(isolation: IsolationMode): IsolationMode {
  if (!ISOLATION_MODES.includes(isolation)) {
    throw new InvalidArgumentError(
      'tenant.isolation',
      `isolation must be 'isolate' or 'context', got '${String(isolation)}'`,
    );
  }
  return isolation;
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function dateMs(field: string, date: Date): number {
  const ms = date instanceof Date ? date.getTime() : Number.NaN;
  if (!Number.isFinite(ms)) throw new InvalidArgumentError(field, `${field} must be a valid time`);
  return ms;
}

function tenantParams(t: TenantRecord): SQLInputValue[] {
  return [
    t.name,
    t.displayName,
    JSON.stringify(t.quotas),
    JSON.stringify(t.capabilities),
    t.isolation,
    t.createdAt.getTime(),
    t.updatedAt.getTime(),
  ];
}

function decodeTenant(row: TenantRow): TenantRecord {
  const quotas = JSON.parse(row.quotas) as Record<string, unknown>;
  const decodedQuotas = {} as TenantQuotas;
  for (const field of TENANT_QUOTA_FIELDS) {
    const value = quotas[field];
    if (typeof value !== 'number') {
      // Every stored tenant has every field: a migration backfills fields added later.
      throw new Error(`stored tenant '${row.name}' lacks quota ${field}`);
    }
    decodedQuotas[field] = value;
  }
  const capabilities = JSON.parse(row.capabilities) as TenantCapabilities;
  return {
    name: row.name,
    displayName: row.display_name,
    quotas: decodedQuotas,
    capabilities: { kv: capabilities.kv, fetchOrigins: [...capabilities.fetchOrigins] },
    isolation: row.isolation as IsolationMode,
    createdAt: new Date(row.created_at),
    updatedAt: new Date(row.updated_at),
  };
}

function decodeApiKey(row: ApiKeyRow): ApiKeyRecord {
  const record: ApiKeyRecord = {
    id: row.id,
    tenant: row.tenant,
    hash: row.hash,
    description: row.description,
    createdAt: new Date(row.created_at),
  };
  if (row.revoked_at !== null) record.revokedAt = new Date(row.revoked_at);
  if (row.last_used_at !== null) record.lastUsedAt = new Date(row.last_used_at);
  return record;
}

function decodeAudit(row: AuditRow): AuditEntry {
  return {
    id: row.id,
    time: new Date(row.time),
    actor: row.actor,
    action: row.action,
    target: row.target,
    outcome: row.outcome as AuditOutcome,
    details: JSON.parse(row.details) as Record<string, unknown>,
  };
}

/**
 * Audit details as stored: a JSON object with secret-looking keys redacted, at most 8 KiB.
 * Defense in depth: callers must not pass secrets in the first place.
 */
function sanitizeDetails(details: Record<string, unknown> | undefined): string {
  let json: string | undefined;
  try {
    json = JSON.stringify(details ?? {}, (key, value: unknown) => {
      if (key !== '' && SECRET_KEY_PATTERN.test(key)) return '[redacted]';
      return typeof value === 'bigint' ? value.toString() : value;
    });
  } catch {
    json = JSON.stringify({ unserializable: true });
  }
  if (json === undefined || !json.startsWith('{')) json = '{}';
  const bytes = Buffer.byteLength(json);
  if (bytes > MAX_AUDIT_DETAILS_BYTES) json = JSON.stringify({ truncated: true, bytes });
  return json;
}

interface CheckedUsageDelta {
  tenant: string;
  minute: number;
  executions: number;
  cpuMs: number;
  queueWaitMs: number;
  rejected: number;
  errors: Array<[string, number]>;
}

function checkUsageDelta(d: UsageDelta): CheckedUsageDelta {
  const count = (field: string, value: number | undefined): number => {
    const v = value ?? 0;
    if (!Number.isSafeInteger(v) || v < 0) {
      throw new InvalidArgumentError(`usage.${field}`, `usage.${field} must be an integer ≥ 0, got ${v}`);
    }
    return v;
  };
  const amount = (field: string, value: number | undefined): number => {
    const v = value ?? 0;
    if (!Number.isFinite(v) || v < 0) {
      throw new InvalidArgumentError(
        `usage.${field}`,
        `usage.${field} must be a finite number ≥ 0, got ${v}`,
      );
    }
    return v;
  };
  const errors: Array<[string, number]> = [];
  for (const [kind, n] of Object.entries(d.errors ?? {})) {
    if (!ERROR_KIND_PATTERN.test(kind)) {
      throw new InvalidArgumentError('usage.errors', `'${kind}' is not a failure kind`);
    }
    const c = count(`errors.${kind}`, n);
    if (c > 0) errors.push([kind, c]);
  }
  for (const [code, n] of Object.entries(d.platformErrors ?? {})) {
    if (!isErrorCode(code)) {
      throw new InvalidArgumentError('usage.platform_errors', `'${code}' is not a vmd error code`);
    }
    const c = count(`platform_errors.${code}`, n);
    if (c > 0) errors.push([`${PLATFORM_ERROR_PREFIX}${code}`, c]);
  }
  return {
    tenant: d.tenant,
    minute: Math.floor(dateMs('usage.time', d.time) / MINUTE_MS) * MINUTE_MS,
    executions: count('executions', d.executions),
    cpuMs: amount('cpu_ms', d.cpuMs),
    queueWaitMs: amount('queue_wait_ms', d.queueWaitMs),
    rejected: count('rejected', d.rejected),
    errors,
  };
}

function pageSize(page: PageRequest): number {
  const size = page.pageSize ?? 0;
  if (!Number.isSafeInteger(size) || size < 0) {
    throw new InvalidArgumentError('page.page_size', `page_size must be an integer ≥ 0, got ${size}`);
  }
  return size === 0 ? DEFAULT_PAGE_SIZE : Math.min(size, MAX_PAGE_SIZE);
}

/**
 * Page tokens are opaque to clients: base64url JSON `[list, ...cursor]`. The list name stops a
 * token of one list from being accepted by another.
 */
function decodePageToken(
  token: string | undefined,
  list: string,
  cursorLength: number,
): unknown[] | undefined {
  if (token === undefined || token === '') return undefined;
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    throw badPageToken();
  }
  if (!Array.isArray(decoded) || decoded[0] !== list || decoded.length !== cursorLength + 1) {
    throw badPageToken();
  }
  return decoded.slice(1) as unknown[];
}

function toPage<Row, T>(
  rows: Row[],
  size: number,
  decode: (row: Row) => T,
  cursorOf: (last: Row) => unknown[],
): Page<T> {
  const more = rows.length > size;
  const pageRows = more ? rows.slice(0, size) : rows;
  const last = pageRows[pageRows.length - 1];
  return {
    items: pageRows.map(decode),
    nextPageToken:
      more && last !== undefined
        ? Buffer.from(JSON.stringify(cursorOf(last)), 'utf8').toString('base64url')
        : '',
  };
}
