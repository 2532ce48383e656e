/**
 * `client.tenants`: typed administration of tenants, API keys, usage and the audit log
 * (vmd.v1.TenantService). In
 * secure mode these calls need the admin token; in local mode the daemon answers on loopback.
 */
import type { CallOptions, Metadata, ServiceError } from '@grpc/grpc-js';
import type { CallScopeOptions } from './call-options.js';
import { VmdClientError } from './errors.js';
import { UINT32_MAX, UINT64_SAFE_MAX, limit } from './execution.js';
import { ErrorKind } from './gen/vmd/v1/common.js';
import {
  AuditOutcome as WireAuditOutcome,
  IsolationMode,
  Tenant as WireTenant,
  type ApiKey as WireApiKey,
  type Quotas,
  type TenantServiceClient,
  type CreateTenantRequest,
  type CreateTenantResponse,
  type GetTenantRequest,
  type GetTenantResponse,
  type ListTenantsRequest,
  type ListTenantsResponse,
  type UpdateTenantRequest,
  type UpdateTenantResponse,
  type DeleteTenantRequest,
  type DeleteTenantResponse,
  type CreateApiKeyRequest,
  type CreateApiKeyResponse,
  type ListApiKeysRequest,
  type ListApiKeysResponse,
  type RevokeApiKeyRequest,
  type RevokeApiKeyResponse,
  type GetUsageRequest,
  type GetUsageResponse,
  type ListAuditEventsRequest,
  type ListAuditEventsResponse,
} from './gen/vmd/v1/tenant.js';

/** Quotas of a tenant (every field; see docs/configuration.md and proto `vmd.v1.Quotas`). */
export type TenantQuotas = Quotas;

/** A tenant as the daemon stores it. */
export interface TenantInfo {
  name: string;
  displayName: string;
  quotas: TenantQuotas;
  capabilities: { kv: boolean; fetchOrigins: string[] };
  isolation: 'isolate' | 'context';
  createdAt: Date | undefined;
  updatedAt: Date | undefined;
}

/** What `create` and `update` may set. Quota fields left out (or 0) keep their value/default. */
export interface TenantFields {
  displayName?: string;
  quotas?: Partial<TenantQuotas>;
  capabilities?: { kv?: boolean; fetchOrigins?: string[] };
  isolation?: 'isolate' | 'context';
}

/** An API key's public record (its secret is only ever returned by `createKey`). */
export interface ApiKeyInfo {
  id: string;
  tenant: string;
  description: string;
  createdAt: Date | undefined;
  revokedAt: Date | undefined;
}

/** What {@link TenantAdmin.revokeKey} answers. */
export interface RevokedApiKeyInfo extends ApiKeyInfo {
  /**
   * True when the key was revoked before this call, which then changed nothing; `revokedAt` is
   * when it was first revoked.
   */
  alreadyRevoked: boolean;
}

/** A tenant's usage over a window (whole minutes: the minute containing `start` counts). */
export interface TenantUsage {
  tenant: string;
  start: Date | undefined;
  end: Date | undefined;
  /** Runs admitted past the tenant's quotas, whatever their outcome. */
  executions: number;
  /** Runs whose code failed, by kind (`TIMEOUT`, `RUNTIME`, `MEMORY_LIMIT`, …); absent kinds: 0. */
  errors: Record<string, number>;
  /**
   * Runs that ended in a platform failure (the RPC failed, not the code), by vmd error code
   * (`WORKER_CRASHED`, `NO_HEALTHY_WORKER`, `SHUTTING_DOWN`, `INTERNAL`); absent codes: 0.
   */
  platformErrors: Record<string, number>;
  cpuTimeMs: number;
  queueWaitMs: number;
  /** Requests refused by the tenant's quotas (rate, concurrency, queue depth). */
  rejected: number;
}

/** The window of {@link TenantAdmin.usage}. */
export interface UsageWindow extends CallScopeOptions {
  /** @default 24 hours before `end` */
  start?: Date;
  /** @default now */
  end?: Date;
}

/** How an audited action ended. */
export type AuditOutcome = 'ok' | 'denied' | 'failed';

/** One entry of the audit log (see docs/configuration.md, "The audit log"). */
export interface AuditEventInfo {
  /** Increasing, in the order entries were written. */
  id: number;
  time: Date | undefined;
  /** `admin`, `local`, `tenant:<name>/key:<id>`, `function:<name>` or `system`. */
  actor: string;
  /** `tenant.create`, `apikey.revoke`, `function.deploy`, `kv.put`, `fetch.request`, … */
  action: string;
  /** A tenant name, or `tenant/<name>/key/<id>`, `tenant/<name>/kv`, … */
  target: string;
  /** `unknown` only from a daemon newer than this client. */
  outcome: AuditOutcome | 'unknown';
  /** Facts about it (sizes, changed fields, error names); never secrets or tenant data. */
  details: Record<string, unknown>;
}

/** Filters of {@link TenantAdmin.audit}; every one optional, combined with AND. */
export interface AuditQuery extends PageOptions {
  /** Entries about this tenant: its own record and everything under `tenant/<name>/`. */
  tenant?: string;
  action?: string;
  actor?: string;
  outcome?: AuditOutcome;
  /** Entries at or after this time. */
  since?: Date;
  /** Entries before this time. */
  until?: Date;
}

const OUTCOMES: ReadonlyArray<[AuditOutcome, WireAuditOutcome]> = [
  ['ok', WireAuditOutcome.AUDIT_OUTCOME_OK],
  ['denied', WireAuditOutcome.AUDIT_OUTCOME_DENIED],
  ['failed', WireAuditOutcome.AUDIT_OUTCOME_FAILED],
];

/** A page of a list call. */
export interface ListPage<T> {
  items: T[];
  /** Pass as `pageToken` for the next page; '' on the last page. */
  nextPageToken: string;
}

/** Paging of list calls. */
export interface PageOptions extends CallScopeOptions {
  pageSize?: number;
  pageToken?: string;
}

type Invoke<Req, Res> = (
  request: Req,
  metadata: Metadata,
  options: Partial<CallOptions>,
  callback: (error: ServiceError | null, response?: Res) => void,
) => { cancel(): void };

/** How the facade reaches the daemon (VmdClient's unary runner and generated client). */
export interface TenantAdminTransport {
  raw: () => InstanceType<typeof TenantServiceClient>;
  unary<Req, Res>(
    invoke: Invoke<Req, Res>,
    request: Req,
    scope: CallScopeOptions,
    method: string,
  ): Promise<Res>;
}

const PATH = '/vmd.v1.TenantService/';

export class TenantAdmin {
  constructor(private readonly t: TenantAdminTransport) {}

  /** Creates a tenant. @throws VmdClientError ALREADY_EXISTS, INVALID_ARGUMENT */
  async create(name: string, fields: TenantFields = {}, scope: CallScopeOptions = {}): Promise<TenantInfo> {
    const res = await this.t.unary<CreateTenantRequest, CreateTenantResponse>(
      (r, m, o, cb) => this.t.raw().createTenant(r, m, o, cb),
      { tenant: toWire(name, fields) },
      scope,
      `${PATH}CreateTenant`,
    );
    return fromWire(res.tenant);
  }

  /** @throws VmdClientError NOT_FOUND (TENANT_NOT_FOUND) */
  async get(name: string, scope: CallScopeOptions = {}): Promise<TenantInfo> {
    const res = await this.t.unary<GetTenantRequest, GetTenantResponse>(
      (r, m, o, cb) => this.t.raw().getTenant(r, m, o, cb),
      { name },
      scope,
      `${PATH}GetTenant`,
    );
    return fromWire(res.tenant);
  }

  async list(options: PageOptions = {}): Promise<ListPage<TenantInfo>> {
    const res = await this.t.unary<ListTenantsRequest, ListTenantsResponse>(
      (r, m, o, cb) => this.t.raw().listTenants(r, m, o, cb),
      { page: pageRequest(options) },
      options,
      `${PATH}ListTenants`,
    );
    return { items: res.tenants.map(fromWire), nextPageToken: res.page?.nextPageToken ?? '' };
  }

  /**
   * Changes exactly the fields given: the update mask names each field present in `fields`
   * (a quota or capability left out, or `undefined`, keeps its value).
   * @throws VmdClientError INVALID_ARGUMENT (field `fields`) at once, without a call, when
   *   `fields` changes nothing; the daemon's INVALID_ARGUMENT for a value out of range
   */
  async update(name: string, fields: TenantFields, scope: CallScopeOptions = {}): Promise<TenantInfo> {
    const mask = updateMask(fields);
    if (mask.length === 0) {
      throw VmdClientError.invalidArgument(
        'fields',
        `the update of tenant '${name}' changes nothing: give at least one of displayName, isolation, quotas.<field>, capabilities.kv or capabilities.fetchOrigins`,
      );
    }
    const res = await this.t.unary<UpdateTenantRequest, UpdateTenantResponse>(
      (r, m, o, cb) => this.t.raw().updateTenant(r, m, o, cb),
      { tenant: toWire(name, fields), updateMask: mask },
      scope,
      `${PATH}UpdateTenant`,
    );
    return fromWire(res.tenant);
  }

  async delete(name: string, scope: CallScopeOptions = {}): Promise<void> {
    await this.t.unary<DeleteTenantRequest, DeleteTenantResponse>(
      (r, m, o, cb) => this.t.raw().deleteTenant(r, m, o, cb),
      { name },
      scope,
      `${PATH}DeleteTenant`,
    );
  }

  /** Creates an API key for `tenant`. The `secret` is returned this once: keep it. */
  async createKey(
    tenant: string,
    description = '',
    scope: CallScopeOptions = {},
  ): Promise<{ key: ApiKeyInfo; secret: string }> {
    const res = await this.t.unary<CreateApiKeyRequest, CreateApiKeyResponse>(
      (r, m, o, cb) => this.t.raw().createApiKey(r, m, o, cb),
      { tenant, description },
      scope,
      `${PATH}CreateApiKey`,
    );
    return { key: keyFromWire(res.key), secret: res.secret };
  }

  async listKeys(tenant: string, options: PageOptions = {}): Promise<ListPage<ApiKeyInfo>> {
    const res = await this.t.unary<ListApiKeysRequest, ListApiKeysResponse>(
      (r, m, o, cb) => this.t.raw().listApiKeys(r, m, o, cb),
      { tenant, page: pageRequest(options) },
      options,
      `${PATH}ListApiKeys`,
    );
    return { items: res.keys.map(keyFromWire), nextPageToken: res.page?.nextPageToken ?? '' };
  }

  /**
   * Revokes an API key (idempotent: revoking a revoked key succeeds with `alreadyRevoked`).
   * @throws VmdClientError NOT_FOUND (API_KEY_NOT_FOUND)
   */
  async revokeKey(id: string, scope: CallScopeOptions = {}): Promise<RevokedApiKeyInfo> {
    const res = await this.t.unary<RevokeApiKeyRequest, RevokeApiKeyResponse>(
      (r, m, o, cb) => this.t.raw().revokeApiKey(r, m, o, cb),
      { id },
      scope,
      `${PATH}RevokeApiKey`,
    );
    return { ...keyFromWire(res.key), alreadyRevoked: res.alreadyRevoked };
  }

  /**
   * Audit log entries, newest first (one page; pass `nextPageToken` back as `pageToken` for the
   * next). In secure mode this needs the admin token.
   * @throws VmdClientError INVALID_ARGUMENT (a bad filter, `since` not before `until`)
   */
  async audit(query: AuditQuery = {}): Promise<ListPage<AuditEventInfo>> {
    const outcome =
      query.outcome === undefined
        ? WireAuditOutcome.AUDIT_OUTCOME_UNSPECIFIED
        : OUTCOMES.find(([o]) => o === query.outcome)?.[1];
    if (outcome === undefined) {
      throw VmdClientError.invalidArgument(
        'outcome',
        `outcome must be 'ok', 'denied' or 'failed' (got '${String(query.outcome)}')`,
      );
    }
    const res = await this.t.unary<ListAuditEventsRequest, ListAuditEventsResponse>(
      (r, m, o, cb) => this.t.raw().listAuditEvents(r, m, o, cb),
      {
        tenant: query.tenant ?? '',
        action: query.action ?? '',
        actor: query.actor ?? '',
        outcome,
        since: query.since,
        until: query.until,
        page: pageRequest(query),
      },
      query,
      `${PATH}ListAuditEvents`,
    );
    return { items: res.events.map(auditEventFromWire), nextPageToken: res.page?.nextPageToken ?? '' };
  }

  /** A tenant's usage over a window. @throws VmdClientError NOT_FOUND (TENANT_NOT_FOUND) */
  async usage(tenant: string, window: UsageWindow = {}): Promise<TenantUsage> {
    const res = await this.t.unary<GetUsageRequest, GetUsageResponse>(
      (r, m, o, cb) => this.t.raw().getUsage(r, m, o, cb),
      { tenant, start: window.start, end: window.end },
      window,
      `${PATH}GetUsage`,
    );
    const errors: Record<string, number> = {};
    for (const e of res.errors) {
      const name = ErrorKind[e.kind];
      const kind = typeof name === 'string' ? name.replace(/^ERROR_KIND_/, '') : String(e.kind);
      errors[kind] = (errors[kind] ?? 0) + e.count;
    }
    const platformErrors: Record<string, number> = {};
    for (const e of res.platformErrors) platformErrors[e.code] = (platformErrors[e.code] ?? 0) + e.count;
    return {
      tenant: res.tenant,
      start: res.start,
      end: res.end,
      executions: res.executions,
      errors,
      platformErrors,
      cpuTimeMs: res.cpuTimeMs,
      queueWaitMs: res.queueWaitMs,
      rejected: res.rejected,
    };
  }
}

function auditEventFromWire(e: ListAuditEventsResponse['events'][number]): AuditEventInfo {
  let details: Record<string, unknown> = {};
  try {
    const parsed: unknown = JSON.parse(e.detailsJson || '{}');
    if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) {
      details = parsed as Record<string, unknown>;
    }
  } catch {
    details = { unparsed: e.detailsJson };
  }
  return {
    id: e.id,
    time: e.time,
    actor: e.actor,
    action: e.action,
    target: e.target,
    outcome: OUTCOMES.find(([, w]) => w === e.outcome)?.[0] ?? 'unknown',
    details,
  };
}

/** The wire paging of a list call; `pageSize` is checked (0 or absent: the daemon's default). */
export function pageRequest(options: PageOptions): { pageSize: number; pageToken: string } {
  return {
    pageSize: limit('pageSize', options.pageSize, UINT32_MAX, 0),
    pageToken: options.pageToken ?? '',
  };
}

/** The largest value of each integer quota (its proto type: uint32, or uint64 as a JS number). */
const QUOTA_MAX: Readonly<Record<Exclude<keyof TenantQuotas, 'ratePerSecond'>, number>> = {
  memoryMib: UINT32_MAX,
  cpuTimeMs: UINT32_MAX,
  wallTimeMs: UINT32_MAX,
  maxConcurrent: UINT32_MAX,
  burst: UINT32_MAX,
  queueDepth: UINT32_MAX,
  outputBytes: UINT64_SAFE_MAX,
  resultBytes: UINT64_SAFE_MAX,
  codeBytes: UINT64_SAFE_MAX,
  replSessions: UINT32_MAX,
  functions: UINT32_MAX,
  kvBytes: UINT64_SAFE_MAX,
  weight: UINT32_MAX,
  consoleLinesPerSecond: UINT32_MAX,
};

const ISOLATION_MODES: ReadonlySet<unknown> = new Set(['isolate', 'context']);

/**
 * Checks `fields` on the client before anything is sent: each quota an integer in its proto
 * field's range (0: the default / unchanged), `ratePerSecond` a finite number ≥ 0, `isolation`
 * `'isolate'` or `'context'`.
 * @throws VmdClientError INVALID_ARGUMENT naming the field, e.g. `quotas.memoryMib`, `isolation`
 */
function checkFields(fields: TenantFields): void {
  if (fields.isolation !== undefined && !ISOLATION_MODES.has(fields.isolation)) {
    throw VmdClientError.invalidArgument(
      'isolation',
      `isolation must be 'isolate' or 'context', not '${String(fields.isolation)}'`,
    );
  }
  for (const [key, value] of Object.entries(fields.quotas ?? {})) {
    if (value === undefined) continue;
    const field = `quotas.${key}`;
    if (key === 'ratePerSecond') {
      if (!Number.isFinite(value) || value < 0) {
        throw VmdClientError.invalidArgument(
          field,
          `${field} must be a finite number ≥ 0 (got ${String(value)})`,
        );
      }
      continue;
    }
    const max = (QUOTA_MAX as Record<string, number | undefined>)[key];
    if (max === undefined) {
      throw VmdClientError.invalidArgument(field, `${field} is not a quota`);
    }
    limit(field, value, max, 0);
  }
}

/** The update mask of `fields`: one path per field that is present and not `undefined`. */
function updateMask(fields: TenantFields): string[] {
  const mask: string[] = [];
  if (fields.displayName !== undefined) mask.push('display_name');
  if (fields.isolation !== undefined) mask.push('isolation');
  for (const [key, value] of Object.entries(fields.quotas ?? {})) {
    if (value !== undefined) mask.push(`quotas.${snake(key)}`);
  }
  if (fields.capabilities?.kv !== undefined) mask.push('capabilities.kv');
  if (fields.capabilities?.fetchOrigins !== undefined) mask.push('capabilities.fetch_origins');
  return mask;
}

function snake(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

function toWire(name: string, f: TenantFields): WireTenant {
  checkFields(f);
  return WireTenant.fromPartial({
    name,
    displayName: f.displayName ?? '',
    quotas: f.quotas ?? {},
    capabilities: { kv: f.capabilities?.kv ?? false, fetchOrigins: f.capabilities?.fetchOrigins ?? [] },
    isolation:
      f.isolation === 'context'
        ? IsolationMode.ISOLATION_MODE_CONTEXT
        : f.isolation === 'isolate'
          ? IsolationMode.ISOLATION_MODE_ISOLATE
          : IsolationMode.ISOLATION_MODE_UNSPECIFIED,
  });
}

function fromWire(t: WireTenant | undefined): TenantInfo {
  const w = t ?? WireTenant.fromPartial({});
  return {
    name: w.name,
    displayName: w.displayName,
    quotas: WireTenant.fromPartial({ quotas: w.quotas ?? {} }).quotas!,
    capabilities: {
      kv: w.capabilities?.kv ?? false,
      fetchOrigins: [...(w.capabilities?.fetchOrigins ?? [])],
    },
    isolation: w.isolation === IsolationMode.ISOLATION_MODE_CONTEXT ? 'context' : 'isolate',
    createdAt: w.createdAt,
    updatedAt: w.updatedAt,
  };
}

function keyFromWire(k: WireApiKey | undefined): ApiKeyInfo {
  return {
    id: k?.id ?? '',
    tenant: k?.tenant ?? '',
    description: k?.description ?? '',
    createdAt: k?.createdAt,
    revokedAt: k?.revokedAt,
  };
}
