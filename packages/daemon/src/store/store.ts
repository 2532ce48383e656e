/**
 * The daemon's durable state behind one interface: tenants, hashed API keys, the audit log and
 * usage counters. `node:sqlite` implements it embedded (`sqlite/sqlite-store.ts`); a PostgreSQL
 * implementation for several daemons sharing state can follow, which is why every method is
 * async even though SQLite answers synchronously.
 *
 * Implementations:
 * - commit a write before its promise resolves, durably (an acknowledged write survives
 *   `kill -9` and power loss);
 * - throw the typed errors documented on each method (`@vmd/core` errors), so services map them
 *   to gRPC status without knowing the backend;
 * - never log or return secrets: API keys are stored as hashes only, audit details are redacted.
 *
 * Times are `Date`s (millisecond precision); quotas and counters are plain numbers in the units
 * their names say.
 */

/** How a tenant's runs are isolated (proto `IsolationMode`). */
export type IsolationMode = 'isolate' | 'context';

/**
 * A tenant's quotas: every field of proto `vmd.v1.Quotas`, resolved (no zero-means-default here:
 * the tenant registry fills in defaults before writing).
 */
export interface TenantQuotas {
  /** Heap per isolate, MiB. */
  memoryMib: number;
  /** CPU time per run, ms. */
  cpuTimeMs: number;
  /** Wall time per run, ms. */
  wallTimeMs: number;
  /** Requests of the tenant in flight at once (queued or running); more get CONCURRENCY_LIMITED. */
  maxConcurrent: number;
  /** Sustained request rate, requests per second (token-bucket refill; may be fractional). */
  ratePerSecond: number;
  /** Token-bucket size: requests allowed in a burst. */
  burst: number;
  /** Requests that may wait in the tenant's queue. */
  queueDepth: number;
  /** Console output per run, bytes. */
  outputBytes: number;
  /** Serialized result per run, bytes. */
  resultBytes: number;
  /** Source code per run or per function bundle, bytes. */
  codeBytes: number;
  /** Open REPL sessions. */
  replSessions: number;
  /** Deployed functions. */
  functions: number;
  /** Total size of the tenant's kv store, bytes. */
  kvBytes: number;
  /** Scheduler share relative to other tenants (1 = normal). */
  weight: number;
  /** Console lines per second per run. */
  consoleLinesPerSecond: number;
}

/** The names of all {@link TenantQuotas} fields, in proto field order. */
export const TENANT_QUOTA_FIELDS = [
  'memoryMib',
  'cpuTimeMs',
  'wallTimeMs',
  'maxConcurrent',
  'ratePerSecond',
  'burst',
  'queueDepth',
  'outputBytes',
  'resultBytes',
  'codeBytes',
  'replSessions',
  'functions',
  'kvBytes',
  'weight',
  'consoleLinesPerSecond',
] as const satisfies ReadonlyArray<keyof TenantQuotas>;

/** Host APIs granted to a tenant (proto `Capabilities`). */
export interface TenantCapabilities {
  /** The tenant's persistent key-value store. */
  kv: boolean;
  /** Origins `fetch()` may reach, e.g. `https://api.example.com`. Empty: no fetch. */
  fetchOrigins: string[];
}

/** A stored tenant. */
export interface TenantRecord {
  /** Unique name, the tenant's identity (`[a-z0-9][a-z0-9-_]{0,62}`, validated by the service). */
  name: string;
  /** Free-form label for people. */
  displayName: string;
  quotas: TenantQuotas;
  capabilities: TenantCapabilities;
  isolation: IsolationMode;
  createdAt: Date;
  updatedAt: Date;
}

/** What {@link Store.createTenant} takes. */
export interface CreateTenantInput {
  name: string;
  /** @default '' */
  displayName?: string;
  /** Fully resolved quotas (defaults already applied). */
  quotas: TenantQuotas;
  /** @default { kv: false, fetchOrigins: [] } */
  capabilities?: TenantCapabilities;
  /** @default 'isolate' */
  isolation?: IsolationMode;
}

/** A partial update for {@link Store.updateTenant}: only the fields present change. */
export interface TenantUpdate {
  displayName?: string;
  /** Merged field by field into the current quotas. */
  quotas?: Partial<TenantQuotas>;
  /** Merged field by field into the current capabilities (`fetchOrigins` is replaced whole). */
  capabilities?: Partial<TenantCapabilities>;
  isolation?: IsolationMode;
}

/** Paging of a List call (proto `PageRequest`). */
export interface PageRequest {
  /** Most items to return. 0 or absent: the default (100); capped at 1000. */
  pageSize?: number;
  /** `nextPageToken` of the previous page; absent or '' for the first page. Opaque. */
  pageToken?: string;
}

/** One page of a List call (proto `PageResponse` plus the items). */
export interface Page<T> {
  items: T[];
  /** Pass as `pageToken` to get the next page; '' on the last page. */
  nextPageToken: string;
}

/** The default and largest page sizes of List calls. */
export const DEFAULT_PAGE_SIZE = 100;
export const MAX_PAGE_SIZE = 1000;

/** A stored API key: its public record plus the hash of its secret (never the secret). */
export interface ApiKeyRecord {
  /** The key's public id (the non-secret prefix of the secret). */
  id: string;
  /** The tenant it acts as. */
  tenant: string;
  /** `hashSecret(secret)` from `auth/api-keys.ts`. Never send it to a client or a log. */
  hash: string;
  /** Free-form label. */
  description: string;
  createdAt: Date;
  /** Set when revoked; absent while active. */
  revokedAt?: Date;
  /** Last successful use as recorded by {@link Store.markApiKeyUsed}; absent if never. */
  lastUsedAt?: Date;
}

/** What {@link Store.createApiKey} takes. */
export interface CreateApiKeyInput {
  id: string;
  tenant: string;
  hash: string;
  /** @default '' */
  description?: string;
}

/** How an audited action ended. */
export type AuditOutcome = 'ok' | 'denied' | 'failed';

/** What {@link Store.appendAudit} takes. */
export interface AuditEntryInput {
  /** When it happened. @default now */
  time?: Date;
  /** Who did it: `admin`, `tenant:<name>/key:<id>`, `local`, `function:<name>`, `system`. */
  actor: string;
  /** What was done: `tenant.create`, `apikey.revoke`, `kv.put`, `fetch`, … */
  action: string;
  /** What it was done to: a tenant name, `tenant/<name>/key/<id>`, an origin. */
  target: string;
  outcome: AuditOutcome;
  /**
   * Extra JSON facts (sizes, changed fields, error codes). Values under keys that look secret
   * (`secret`, `token`, `password`, `authorization`, `apiKey`, `hash`, `credential`) are replaced
   * with `[redacted]` before storing, and details over 8 KiB are replaced by a size marker; still,
   * never pass secrets or tenant data here.
   * @default {}
   */
  details?: Record<string, unknown>;
}

/** A stored audit entry. */
export interface AuditEntry {
  /** Increasing id (append order). */
  id: number;
  time: Date;
  actor: string;
  action: string;
  target: string;
  outcome: AuditOutcome;
  details: Record<string, unknown>;
}

/** Filters of {@link Store.listAudit}; all optional, combined with AND. Newest first. */
export interface AuditQuery extends PageRequest {
  /** Entries about this tenant: target the name itself, or under `tenant/<name>/`. */
  tenant?: string;
  actor?: string;
  action?: string;
  target?: string;
  outcome?: AuditOutcome;
  /** Entries at or after this time. */
  since?: Date;
  /** Entries before this time. */
  until?: Date;
}

/**
 * Usage to add to a tenant's counters for the minute that contains `time`. The daemon should
 * aggregate in memory and flush batches every few seconds, not write per request.
 */
export interface UsageDelta {
  tenant: string;
  /** Any instant in the minute the usage belongs to. */
  time: Date;
  /** Runs (executions, REPL inputs, invocations). @default 0 */
  executions?: number;
  /** Failed runs by failure kind (`SYNTAX`, `RUNTIME`, `TIMEOUT`, …). @default {} */
  errors?: Readonly<Record<string, number>>;
  /**
   * Runs that ended in a platform failure, by vmd error code (`WORKER_CRASHED`,
   * `NO_HEALTHY_WORKER`, `SHUTTING_DOWN`, `INTERNAL`). @default {}
   */
  platformErrors?: Readonly<Record<string, number>>;
  /** CPU time, ms. @default 0 */
  cpuMs?: number;
  /** Time spent queued, ms. @default 0 */
  queueWaitMs?: number;
  /** Requests refused by quotas (rate, queue, concurrency). @default 0 */
  rejected?: number;
}

/** A tenant's usage summed over a window (proto `GetUsageResponse`). */
export interface UsageSummary {
  tenant: string;
  /** Window start as asked. Buckets are whole minutes: the minute containing `start` counts. */
  start: Date;
  /** Window end as asked (exclusive): a minute that starts at or after `end` does not count. */
  end: Date;
  executions: number;
  /** Failed runs by kind; kinds with no failures are absent. */
  errors: Record<string, number>;
  /** Runs ended by a platform failure, by vmd error code; codes with none are absent. */
  platformErrors: Record<string, number>;
  cpuMs: number;
  queueWaitMs: number;
  rejected: number;
}

/** One source file of a deployed function's bundle. */
export interface FunctionFile {
  /** Relative path inside the bundle (`index.js`, `lib/util.mjs`). */
  path: string;
  content: string;
}

/** How a function version runs (proto `FunctionConfig`). */
export interface FunctionConfigRecord {
  /** Per-invocation limits asked for (0 or absent: the tenant's quota). */
  limits: { memoryMib?: number; cpuTimeMs?: number; wallTimeMs?: number; outputBytes?: number };
  /** Values visible to the handler as `ctx.env`. */
  env: Record<string, string>;
  /** Capabilities requested (each must be granted to the tenant). */
  capabilities: string[];
  /** A fresh isolate per invocation instead of warm instances. */
  freshIsolatePerInvocation: boolean;
}

/** One immutable version of a function. */
export interface FunctionVersionRecord {
  tenant: string;
  name: string;
  version: number;
  files: FunctionFile[];
  entry: string;
  config: FunctionConfigRecord;
  /** SHA-256 of the bundle (files, entry, config), hex. */
  sha256: string;
  createdAt: Date;
}

/** A deployed function: which version is active and which is latest. */
export interface FunctionRecord {
  tenant: string;
  name: string;
  activeVersion: number;
  latestVersion: number;
  createdAt: Date;
  updatedAt: Date;
}

/** What {@link Store.deployFunction} stores. */
export interface DeployFunctionInput {
  tenant: string;
  name: string;
  files: FunctionFile[];
  entry: string;
  config: FunctionConfigRecord;
  sha256: string;
  /** Functions the tenant may have (its `functions` quota): a new name past it is refused. */
  maxFunctions: number;
}

/** The daemon's durable state. See the module comment for the contract. */
export interface Store {
  /** The schema version of the open data (migrations applied). */
  schemaVersion(): Promise<number>;

  /**
   * Creates a tenant; `createdAt` = `updatedAt` = now.
   * @throws VmdError ALREADY_EXISTS if the name is taken.
   * @throws InvalidArgumentError for a quota that is not a finite number ≥ 0 or an unknown
   *   isolation mode.
   */
  createTenant(input: CreateTenantInput): Promise<TenantRecord>;
  /** @throws NotFoundError TENANT_NOT_FOUND */
  getTenant(name: string): Promise<TenantRecord>;
  /** The tenant, or `undefined` (for "create on first use" and other lookups that may miss). */
  findTenant(name: string): Promise<TenantRecord | undefined>;
  /**
   * Tenants ordered by name.
   * @throws InvalidArgumentError (field `page.page_token`) for a malformed token.
   */
  listTenants(page?: PageRequest): Promise<Page<TenantRecord>>;
  /**
   * Applies `update` and sets `updatedAt` to now.
   * @throws NotFoundError TENANT_NOT_FOUND; InvalidArgumentError as in createTenant.
   */
  updateTenant(name: string, update: TenantUpdate): Promise<TenantRecord>;
  /**
   * Deletes a tenant with its API keys and usage counters (audit entries stay).
   * @throws NotFoundError TENANT_NOT_FOUND
   */
  deleteTenant(name: string): Promise<void>;

  /**
   * Stores a new key (its hash) for an existing tenant.
   * @throws NotFoundError TENANT_NOT_FOUND; VmdError ALREADY_EXISTS if the id is taken.
   */
  createApiKey(input: CreateApiKeyInput): Promise<ApiKeyRecord>;
  /** The key by id (revoked keys included), or `undefined`. The auth path uses this. */
  getApiKey(id: string): Promise<ApiKeyRecord | undefined>;
  /**
   * A tenant's keys, newest first (revoked keys included).
   * @throws NotFoundError TENANT_NOT_FOUND; InvalidArgumentError for a malformed page token.
   */
  listApiKeys(tenant: string, page?: PageRequest): Promise<Page<ApiKeyRecord>>;
  /**
   * Revokes a key (idempotent: revoking again keeps the first `revokedAt`).
   * @returns the key after revocation, with `alreadyRevoked` true when it was revoked before
   *   this call (nothing changed); `undefined` if there is no such key.
   */
  revokeApiKey(id: string): Promise<(ApiKeyRecord & { alreadyRevoked: boolean }) | undefined>;
  /**
   * Records the key's last use. Not for every request: call at most about once a minute per key.
   * No effect if the key does not exist.
   */
  markApiKeyUsed(id: string, time?: Date): Promise<void>;

  /** Appends an audit entry (details redacted, see {@link AuditEntryInput.details}). */
  appendAudit(entry: AuditEntryInput): Promise<AuditEntry>;
  /**
   * Audit entries matching `query`, newest first.
   * @throws InvalidArgumentError for a malformed page token.
   */
  listAudit(query?: AuditQuery): Promise<Page<AuditEntry>>;
  /** Deletes audit entries older than `before` (retention). @returns how many. */
  pruneAudit(before: Date): Promise<number>;

  /**
   * Adds usage to per-tenant, per-minute counters, all deltas in one transaction. Deltas of
   * tenants that do not exist (deleted meanwhile) are dropped silently.
   * @throws InvalidArgumentError for a negative or non-finite count.
   */
  recordUsage(deltas: readonly UsageDelta[]): Promise<void>;
  /**
   * Sums a tenant's usage over `[start, end)` at minute granularity (zeros if none recorded).
   * @throws NotFoundError TENANT_NOT_FOUND
   */
  getUsage(tenant: string, window: { start: Date; end: Date }): Promise<UsageSummary>;
  /** Deletes usage counters of minutes that start before `before` (retention). @returns rows. */
  pruneUsage(before: Date): Promise<number>;

  /**
   * Stores a new version of a function (creating the function on its first deploy) and makes it
   * the active version, in one transaction.
   * @throws NotFoundError TENANT_NOT_FOUND; VmdError QUOTA_EXCEEDED past `maxFunctions`.
   */
  deployFunction(
    input: DeployFunctionInput,
  ): Promise<{ function: FunctionRecord; version: FunctionVersionRecord }>;
  /** @throws NotFoundError FUNCTION_NOT_FOUND */
  getFunction(tenant: string, name: string): Promise<FunctionRecord>;
  /**
   * A version of a function (`undefined`: the active one).
   * @throws NotFoundError FUNCTION_NOT_FOUND (function or version)
   */
  getFunctionVersion(tenant: string, name: string, version?: number): Promise<FunctionVersionRecord>;
  /** A tenant's functions, by name. */
  listFunctions(tenant: string, page?: PageRequest): Promise<Page<FunctionRecord>>;
  /** A function's versions, newest first. @throws NotFoundError FUNCTION_NOT_FOUND */
  listFunctionVersions(
    tenant: string,
    name: string,
    page?: PageRequest,
  ): Promise<Page<FunctionVersionRecord>>;
  /** Points the function at an earlier (existing) version. @throws NotFoundError FUNCTION_NOT_FOUND */
  rollbackFunction(tenant: string, name: string, version: number): Promise<FunctionRecord>;
  /** Deletes a function and all its versions. @throws NotFoundError FUNCTION_NOT_FOUND */
  deleteFunction(tenant: string, name: string): Promise<void>;

  /** A tenant's kv value (JSON text), or undefined. */
  kvGet(tenant: string, key: string): Promise<string | undefined>;
  /**
   * Sets a kv value (JSON text). The tenant's total (keys + values, bytes) must stay within
   * `maxTotalBytes`. @throws VmdError QUOTA_EXCEEDED
   */
  kvPut(tenant: string, key: string, valueJson: string, maxTotalBytes: number): Promise<void>;
  /** Deletes a key. @returns whether it existed. */
  kvDelete(tenant: string, key: string): Promise<boolean>;
  /** Keys starting with `prefix`, in order, after `after` (exclusive), at most `limit`. */
  kvList(tenant: string, prefix: string, after: string, limit: number): Promise<string[]>;

  /** Closes the store; later calls reject. Idempotent. */
  close(): Promise<void>;
}

/** Why a store could not be opened. */
export type StoreOpenFailure = 'newer-schema' | 'corrupt' | 'not-vmd' | 'io';

/**
 * The data directory cannot be used: written by a newer vmd, corrupted, not a vmd database, or
 * not readable/writable. Thrown at start-up only; `vmd serve` prints the message and exits
 * non-zero. The message names the file or directory and says what to do.
 */
export class StoreOpenError extends Error {
  override readonly name = 'StoreOpenError';

  constructor(
    readonly reason: StoreOpenFailure,
    /** The file or directory at fault. */
    readonly path: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
