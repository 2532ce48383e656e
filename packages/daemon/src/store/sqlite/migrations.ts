/**
 * The SQLite schema, as an ordered list of migrations. Migration N moves the schema from version
 * N-1 to N (`PRAGMA user_version`). Rules:
 *
 * - Never edit or remove a migration that has shipped; add a new one.
 * - Each runs in its own transaction together with the `user_version` bump, so a crash leaves the
 *   data at the old or the new version, never in between.
 * - Versions are contiguous from 1.
 *
 * Kept as TypeScript strings rather than `.sql` files so that `tsc` ships them in `dist/` with
 * no copy step.
 */
export interface Migration {
  readonly version: number;
  /** Short description, for logs. */
  readonly name: string;
  readonly sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'tenants, api keys, audit log, usage counters',
    sql: `
      CREATE TABLE tenants (
        name          TEXT    NOT NULL PRIMARY KEY,
        display_name  TEXT    NOT NULL DEFAULT '',
        quotas        TEXT    NOT NULL CHECK (json_valid(quotas)),
        capabilities  TEXT    NOT NULL CHECK (json_valid(capabilities)),
        isolation     TEXT    NOT NULL CHECK (isolation IN ('isolate', 'context')),
        created_at    INTEGER NOT NULL,
        updated_at    INTEGER NOT NULL
      ) STRICT;

      CREATE TABLE api_keys (
        id            TEXT    NOT NULL PRIMARY KEY,
        tenant        TEXT    NOT NULL REFERENCES tenants (name) ON DELETE CASCADE,
        hash          TEXT    NOT NULL,
        description   TEXT    NOT NULL DEFAULT '',
        created_at    INTEGER NOT NULL,
        revoked_at    INTEGER,
        last_used_at  INTEGER
      ) STRICT;
      CREATE INDEX api_keys_by_tenant ON api_keys (tenant, created_at DESC, id DESC);

      -- No foreign key: the audit trail outlives the tenants it mentions.
      CREATE TABLE audit_log (
        id       INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
        time     INTEGER NOT NULL,
        actor    TEXT    NOT NULL,
        action   TEXT    NOT NULL,
        target   TEXT    NOT NULL,
        outcome  TEXT    NOT NULL CHECK (outcome IN ('ok', 'denied', 'failed')),
        details  TEXT    NOT NULL CHECK (json_valid(details))
      ) STRICT;
      CREATE INDEX audit_log_by_time ON audit_log (time);
      CREATE INDEX audit_log_by_target ON audit_log (target, id);
      CREATE INDEX audit_log_by_actor ON audit_log (actor, id);

      -- One row per tenant per minute with usage; minute = epoch ms of the minute's start.
      CREATE TABLE usage_minutes (
        tenant         TEXT    NOT NULL REFERENCES tenants (name) ON DELETE CASCADE,
        minute         INTEGER NOT NULL,
        executions     INTEGER NOT NULL DEFAULT 0,
        cpu_ms         REAL    NOT NULL DEFAULT 0,
        queue_wait_ms  REAL    NOT NULL DEFAULT 0,
        rejected       INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (tenant, minute)
      ) STRICT, WITHOUT ROWID;
      CREATE INDEX usage_minutes_by_minute ON usage_minutes (minute);

      CREATE TABLE usage_errors (
        tenant  TEXT    NOT NULL,
        minute  INTEGER NOT NULL,
        kind    TEXT    NOT NULL,
        count   INTEGER NOT NULL,
        PRIMARY KEY (tenant, minute, kind),
        FOREIGN KEY (tenant, minute) REFERENCES usage_minutes (tenant, minute) ON DELETE CASCADE
      ) STRICT, WITHOUT ROWID;
    `,
  },
  // Deployed functions and their immutable versions (FunctionService).
  {
    version: 2,
    name: 'deployed functions and their versions',
    sql: `
      CREATE TABLE functions (
        tenant          TEXT    NOT NULL REFERENCES tenants (name) ON DELETE CASCADE,
        name            TEXT    NOT NULL,
        active_version  INTEGER NOT NULL,
        latest_version  INTEGER NOT NULL,
        created_at      INTEGER NOT NULL,
        updated_at      INTEGER NOT NULL,
        PRIMARY KEY (tenant, name)
      ) STRICT, WITHOUT ROWID;

      CREATE TABLE function_versions (
        tenant      TEXT    NOT NULL,
        name        TEXT    NOT NULL,
        version     INTEGER NOT NULL,
        entry       TEXT    NOT NULL,
        files       TEXT    NOT NULL CHECK (json_valid(files)),
        config      TEXT    NOT NULL CHECK (json_valid(config)),
        sha256      TEXT    NOT NULL,
        created_at  INTEGER NOT NULL,
        PRIMARY KEY (tenant, name, version),
        FOREIGN KEY (tenant, name) REFERENCES functions (tenant, name) ON DELETE CASCADE
      ) STRICT, WITHOUT ROWID;
    `,
  },
  // The kv capability: each tenant's persistent key-value store.
  {
    version: 3,
    name: 'tenant key-value store',
    sql: `
      CREATE TABLE kv (
        tenant      TEXT    NOT NULL REFERENCES tenants (name) ON DELETE CASCADE,
        key         TEXT    NOT NULL,
        value       TEXT    NOT NULL CHECK (json_valid(value)),
        bytes       INTEGER NOT NULL,
        updated_at  INTEGER NOT NULL,
        PRIMARY KEY (tenant, key)
      ) STRICT, WITHOUT ROWID;
    `,
  },
];

/** The schema version this build of vmd writes. */
export const LATEST_SCHEMA_VERSION: number = MIGRATIONS.length;
