/**
 * vmd.v1.TenantService over the daemon's {@link Store}: tenants (quotas, capabilities, isolation)
 * API keys, usage and the audit log. Every write is committed before the RPC answers and is written to the audit
 * log (never with a secret). An API key's secret is returned once, by CreateApiKey; only its
 * hash is stored.
 *
 * Authorization is the auth layer's job (in secure mode only the admin token reaches this
 * service); in local mode the daemon listens on loopback only and the actor is `local`.
 */
import { ErrorCode, InvalidArgumentError, NotFoundError } from '@vmd/core';
import {
  AuditOutcome as WireAuditOutcome,
  ErrorKind,
  IsolationMode,
  type ApiKey,
  type AuditEvent,
  type Capabilities,
  type Quotas,
  type Tenant,
  type CreateApiKeyRequest,
  type CreateApiKeyResponse,
  type CreateTenantRequest,
  type CreateTenantResponse,
  type DeleteTenantRequest,
  type DeleteTenantResponse,
  type ErrorCount,
  type GetUsageRequest,
  type GetUsageResponse,
  type GetTenantRequest,
  type GetTenantResponse,
  type ListApiKeysRequest,
  type ListApiKeysResponse,
  type ListAuditEventsRequest,
  type ListAuditEventsResponse,
  type ListTenantsRequest,
  type ListTenantsResponse,
  type RevokeApiKeyRequest,
  type RevokeApiKeyResponse,
  type UpdateTenantRequest,
  type UpdateTenantResponse,
} from '@vmd/client/wire';
import { generateApiKey, hashSecret } from '../auth/api-keys.js';
import { normalizeOrigin } from '../capabilities/fetch.js';
import type { CallContext, UnaryHandler } from '../grpc/adapt-handlers.js';
import { validateTenantId } from '../grpc/validate-request.js';
import { checkQuota, quotaFieldName, type DaemonQuotaLimits } from '../tenants/quota-range.js';
import {
  TENANT_QUOTA_FIELDS,
  type ApiKeyRecord,
  type AuditEntry,
  type AuditOutcome,
  type IsolationMode as StoreIsolation,
  type Store,
  type TenantCapabilities,
  type TenantQuotas,
  type TenantRecord,
  type TenantUpdate,
} from '../store/store.js';

/** What {@link createTenantService} needs. */
export interface TenantServiceDeps {
  /** The open store (available once the daemon has started). */
  store: () => Store;
  /** Quotas a new tenant gets for every field its request leaves at 0. */
  defaultQuotas: TenantQuotas;
  /** This daemon's bounds on quotas beyond the run limits' (its `maxCodeBytes`). @default {} */
  quotaLimits?: DaemonQuotaLimits;
  /** Called after a tenant changed or was deleted (the registry's cache drops it). */
  onTenantChanged?: (name: string, deleted: boolean) => void;
  /** Called after an API key was revoked (the authenticator's cache drops it). */
  onKeyRevoked?: (id: string) => void;
  /** Checks the caller may administer tenants (secure mode: the admin token). */
  authorize?: (ctx: CallContext) => Promise<unknown>;
  /** Who the audit log names as the actor of a call. @default () => 'local' */
  actor?: (ctx: CallContext) => string;
  /** Writes usage counted in memory, so GetUsage sees every run that has ended. */
  flushUsage?: () => Promise<void>;
}

/** The handlers, keyed as grpc-js names TenantService's methods. */
export interface TenantServiceHandlers {
  createTenant: UnaryHandler<CreateTenantRequest, CreateTenantResponse>;
  getTenant: UnaryHandler<GetTenantRequest, GetTenantResponse>;
  listTenants: UnaryHandler<ListTenantsRequest, ListTenantsResponse>;
  updateTenant: UnaryHandler<UpdateTenantRequest, UpdateTenantResponse>;
  deleteTenant: UnaryHandler<DeleteTenantRequest, DeleteTenantResponse>;
  createApiKey: UnaryHandler<CreateApiKeyRequest, CreateApiKeyResponse>;
  listApiKeys: UnaryHandler<ListApiKeysRequest, ListApiKeysResponse>;
  revokeApiKey: UnaryHandler<RevokeApiKeyRequest, RevokeApiKeyResponse>;
  getUsage: UnaryHandler<GetUsageRequest, GetUsageResponse>;
  listAuditEvents: UnaryHandler<ListAuditEventsRequest, ListAuditEventsResponse>;
}

/** The default GetUsage window: the 24 hours before its end. */
const DEFAULT_USAGE_WINDOW_MS = 24 * 3_600_000;

/** proto field name (snake_case) → {@link TenantQuotas} key. */
const QUOTA_BY_PROTO_NAME = new Map<string, keyof TenantQuotas>(
  TENANT_QUOTA_FIELDS.map((f) => [quotaFieldName(f), f]),
);

export function createTenantService(deps: TenantServiceDeps): TenantServiceHandlers {
  const actorOf = deps.actor ?? (() => 'local');
  const audit = async (
    ctx: CallContext,
    action: string,
    target: string,
    details: Record<string, unknown> = {},
  ): Promise<void> => {
    await deps.store().appendAudit({ actor: actorOf(ctx), action, target, outcome: 'ok', details });
  };

  const handlers: TenantServiceHandlers = {
    async createTenant(req, ctx) {
      const t = req.tenant;
      if (t === undefined || t.name === '') {
        throw new InvalidArgumentError('tenant.name', 'tenant.name is required');
      }
      validateTenantId(t.name, 'tenant.name');
      ctx.logFields.tenant_id = t.name;
      const quotas = { ...deps.defaultQuotas };
      for (const f of TENANT_QUOTA_FIELDS) {
        const v = t.quotas?.[f];
        if (typeof v === 'number' && v !== 0) quotas[f] = checkQuota(f, v, deps.quotaLimits);
      }
      const record = await deps.store().createTenant({
        name: t.name,
        displayName: t.displayName,
        quotas,
        capabilities: fromWireCapabilities(t.capabilities),
        isolation: fromWireIsolation(t.isolation, 'tenant.isolation') ?? 'isolate',
      });
      await audit(ctx, 'tenant.create', record.name);
      return { tenant: toWireTenant(record) };
    },

    async getTenant(req, ctx) {
      ctx.logFields.tenant_id = req.name;
      return { tenant: toWireTenant(await deps.store().getTenant(req.name)) };
    },

    async listTenants(req) {
      const page = await deps.store().listTenants(fromWirePage(req.page));
      return { tenants: page.items.map(toWireTenant), page: { nextPageToken: page.nextPageToken } };
    },

    async updateTenant(req, ctx) {
      const t = req.tenant;
      if (t === undefined || t.name === '')
        throw new InvalidArgumentError('tenant.name', 'tenant.name is required');
      ctx.logFields.tenant_id = t.name;
      const update = tenantUpdate(t, req.updateMask ?? [], deps.quotaLimits);
      const record = await deps.store().updateTenant(t.name, update);
      deps.onTenantChanged?.(record.name, false);
      await audit(ctx, 'tenant.update', record.name, { fields: changedFields(update) });
      return { tenant: toWireTenant(record) };
    },

    async deleteTenant(req, ctx) {
      ctx.logFields.tenant_id = req.name;
      await deps.store().deleteTenant(req.name);
      deps.onTenantChanged?.(req.name, true);
      await audit(ctx, 'tenant.delete', req.name);
      return {};
    },

    async createApiKey(req, ctx) {
      ctx.logFields.tenant_id = req.tenant;
      // The tenant must exist (NOT_FOUND otherwise) before a key can act as it.
      await deps.store().getTenant(req.tenant);
      const generated = generateApiKey();
      const record = await deps.store().createApiKey({
        id: generated.id,
        tenant: req.tenant,
        hash: hashSecret(generated.secret),
        description: req.description,
      });
      await audit(ctx, 'apikey.create', `tenant/${req.tenant}/key/${record.id}`);
      // The only time the secret leaves the daemon.
      return { key: toWireKey(record), secret: generated.secret };
    },

    async listApiKeys(req, ctx) {
      ctx.logFields.tenant_id = req.tenant;
      await deps.store().getTenant(req.tenant);
      const page = await deps.store().listApiKeys(req.tenant, fromWirePage(req.page));
      return { keys: page.items.map(toWireKey), page: { nextPageToken: page.nextPageToken } };
    },

    async revokeApiKey(req, ctx) {
      if (req.id === '') throw new InvalidArgumentError('id', 'id (the API key id) is required');
      const record = await deps.store().revokeApiKey(req.id);
      if (record === undefined) {
        throw new NotFoundError(
          ErrorCode.API_KEY_NOT_FOUND,
          'api_key',
          req.id,
          `no API key has id '${req.id}'; list the tenant's keys with ListApiKeys`,
        );
      }
      ctx.logFields.tenant_id = record.tenant;
      // Also when it was revoked before (perhaps by another daemon sharing the store): this
      // daemon's cache and REPL sessions learn of it now.
      deps.onKeyRevoked?.(record.id);
      await audit(
        ctx,
        'apikey.revoke',
        `tenant/${record.tenant}/key/${record.id}`,
        record.alreadyRevoked ? { already_revoked: true } : {},
      );
      // Idempotent, as the proto says: a second revoke succeeds, and says it changed nothing.
      return { key: toWireKey(record), alreadyRevoked: record.alreadyRevoked };
    },

    async getUsage(req, ctx) {
      if (req.tenant === '') throw new InvalidArgumentError('tenant', 'tenant (the tenant name) is required');
      ctx.logFields.tenant_id = req.tenant;
      const end = req.end ?? new Date();
      const start = req.start ?? new Date(end.getTime() - DEFAULT_USAGE_WINDOW_MS);
      if (!(start.getTime() < end.getTime())) {
        throw new InvalidArgumentError(
          'start',
          `the window's start (${start.toISOString()}) must be before its end (${end.toISOString()})`,
        );
      }
      await deps.flushUsage?.();
      const u = await deps.store().getUsage(req.tenant, { start, end });
      return {
        tenant: u.tenant,
        executions: u.executions,
        errors: Object.entries(u.errors).map(([kind, count]): ErrorCount => ({
          kind: toWireErrorKind(kind),
          count,
        })),
        cpuTimeMs: u.cpuMs,
        queueWaitMs: u.queueWaitMs,
        rejected: u.rejected,
        start: u.start,
        end: u.end,
        platformErrors: Object.entries(u.platformErrors).map(([code, count]) => ({ code, count })),
      };
    },

    async listAuditEvents(req, ctx) {
      if (req.tenant !== '') ctx.logFields.tenant_id = validateTenantId(req.tenant);
      const outcome = fromWireOutcome(req.outcome);
      if (req.since !== undefined && req.until !== undefined && !(req.since < req.until)) {
        throw new InvalidArgumentError(
          'since',
          `since (${req.since.toISOString()}) must be before until (${req.until.toISOString()})`,
        );
      }
      const page = await deps.store().listAudit({
        ...fromWirePage(req.page),
        ...(req.tenant !== '' ? { tenant: req.tenant } : {}),
        ...(req.action !== '' ? { action: auditFilter('action', req.action) } : {}),
        ...(req.actor !== '' ? { actor: auditFilter('actor', req.actor) } : {}),
        ...(outcome !== undefined ? { outcome } : {}),
        ...(req.since !== undefined ? { since: req.since } : {}),
        ...(req.until !== undefined ? { until: req.until } : {}),
      });
      return { events: page.items.map(toWireAuditEvent), page: { nextPageToken: page.nextPageToken } };
    },
  };
  const authorize = deps.authorize;
  if (authorize === undefined) return handlers;
  const guarded: Record<string, unknown> = {};
  for (const [name, handler] of Object.entries(handlers) as [string, UnaryHandler<unknown, unknown>][]) {
    guarded[name] = async (req: unknown, ctx: CallContext) => {
      await authorize(ctx);
      return handler(req, ctx);
    };
  }
  return guarded as unknown as TenantServiceHandlers;
}

/**
 * The update a request asks for: exactly the fields named in its update mask (`display_name`,
 * `isolation`, `capabilities`, `capabilities.kv`, `capabilities.fetch_origins`, `quotas`,
 * `quotas.<field>`), with the values the request carries for them. An empty mask is refused
 * (it used to mean "every field", which silently reset the fields a client left out, such as
 * capabilities); so is a mask that changes nothing (`quotas` with every quota at 0). Quota values
 * are checked against their allowed ranges and this daemon's `quotaLimits` ({@link checkQuota}).
 * @throws InvalidArgumentError naming `update_mask` or the offending `tenant.…` field
 */
export function tenantUpdate(
  t: Tenant,
  mask: readonly string[],
  quotaLimits: DaemonQuotaLimits = {},
): TenantUpdate {
  if (mask.length === 0) {
    throw new InvalidArgumentError(
      'update_mask',
      `the update changes nothing: update_mask is empty; name the fields to change, e.g. ${MASK_PATHS}`,
    );
  }
  const update: TenantUpdate = {};
  const quotas: Partial<TenantQuotas> = {};
  const caps: Partial<TenantCapabilities> = {};
  for (const path of mask) {
    if (path === 'display_name') update.displayName = t.displayName;
    else if (path === 'isolation') {
      update.isolation = fromWireIsolation(t.isolation, 'tenant.isolation') ?? 'isolate';
    } else if (path === 'quotas') {
      // Every quota the request sets (non-zero); a quota left at 0 keeps its value.
      for (const f of TENANT_QUOTA_FIELDS) {
        const v = t.quotas?.[f];
        if (typeof v === 'number' && v !== 0) quotas[f] = checkQuota(f, v, quotaLimits);
      }
    } else if (path.startsWith('quotas.') && QUOTA_BY_PROTO_NAME.has(path.slice(7))) {
      const f = QUOTA_BY_PROTO_NAME.get(path.slice(7))!;
      quotas[f] = checkQuota(f, t.quotas?.[f] ?? 0, quotaLimits);
    } else if (path === 'capabilities') Object.assign(caps, fromWireCapabilities(t.capabilities));
    else if (path === 'capabilities.kv') caps.kv = t.capabilities?.kv ?? false;
    else if (path === 'capabilities.fetch_origins')
      caps.fetchOrigins = checkOrigins(t.capabilities?.fetchOrigins ?? []);
    else {
      throw new InvalidArgumentError(
        'update_mask',
        `unknown field path '${path.slice(0, 100)}' in update_mask; use ${MASK_PATHS}`,
      );
    }
  }
  if (Object.keys(quotas).length > 0) update.quotas = quotas;
  if (Object.keys(caps).length > 0) update.capabilities = caps;
  if (Object.keys(update).length === 0) {
    throw new InvalidArgumentError(
      'update_mask',
      'the update changes nothing: update_mask names quotas but every quota in the request is 0; name the quotas to change, e.g. quotas.memory_mib',
    );
  }
  return update;
}

const MASK_PATHS = 'display_name, isolation, capabilities[.kv|.fetch_origins] or quotas[.<field>]';

function changedFields(update: TenantUpdate): string[] {
  return [
    ...(update.displayName !== undefined ? ['display_name'] : []),
    ...(update.isolation !== undefined ? ['isolation'] : []),
    ...Object.keys(update.quotas ?? {}).map((f) => `quotas.${f}`),
    ...Object.keys(update.capabilities ?? {}).map((f) => `capabilities.${f}`),
  ];
}

function fromWireIsolation(mode: IsolationMode, field: string): StoreIsolation | undefined {
  switch (mode) {
    case IsolationMode.ISOLATION_MODE_UNSPECIFIED:
      return undefined;
    case IsolationMode.ISOLATION_MODE_ISOLATE:
      return 'isolate';
    case IsolationMode.ISOLATION_MODE_CONTEXT:
      return 'context';
    default:
      throw new InvalidArgumentError(field, `unknown isolation mode ${String(mode)}`);
  }
}

function fromWireCapabilities(c: Capabilities | undefined): TenantCapabilities {
  return { kv: c?.kv ?? false, fetchOrigins: checkOrigins(c?.fetchOrigins ?? []) };
}

/** Allow-listed fetch origins, normalized (`https://api.example.com`); anything else is refused. */
function checkOrigins(origins: readonly string[]): string[] {
  return origins.map((o) => {
    const origin = normalizeOrigin(o);
    if (origin === undefined) {
      throw new InvalidArgumentError(
        'tenant.capabilities.fetch_origins',
        `'${o.slice(0, 200)}' is not an origin: use scheme://host[:port] with http or https and no path, e.g. https://api.example.com`,
      );
    }
    return origin;
  });
}

/** Longest `action` or `actor` filter: far above any the daemon writes (`tenant:<63>/key:<id>`). */
const MAX_AUDIT_FILTER_CHARS = 256;

function auditFilter(field: 'action' | 'actor', value: string): string {
  if (value.length > MAX_AUDIT_FILTER_CHARS) {
    throw new InvalidArgumentError(
      field,
      `${field} is ${value.length} characters long; no audit entry has one over ${MAX_AUDIT_FILTER_CHARS}`,
    );
  }
  return value;
}

const OUTCOME_FROM_WIRE: ReadonlyMap<number, AuditOutcome> = new Map([
  [WireAuditOutcome.AUDIT_OUTCOME_OK, 'ok'],
  [WireAuditOutcome.AUDIT_OUTCOME_DENIED, 'denied'],
  [WireAuditOutcome.AUDIT_OUTCOME_FAILED, 'failed'],
]);

/** The store's outcome filter for a request's (undefined: any). @throws InvalidArgumentError */
function fromWireOutcome(outcome: WireAuditOutcome): AuditOutcome | undefined {
  if (outcome === WireAuditOutcome.AUDIT_OUTCOME_UNSPECIFIED) return undefined;
  const o = OUTCOME_FROM_WIRE.get(outcome);
  if (o === undefined) {
    throw new InvalidArgumentError(
      'outcome',
      `outcome ${outcome} is not one of OK, DENIED, FAILED (or unspecified)`,
    );
  }
  return o;
}

function toWireAuditEvent(e: AuditEntry): AuditEvent {
  const outcome = [...OUTCOME_FROM_WIRE].find(([, o]) => o === e.outcome)?.[0];
  return {
    id: e.id,
    time: e.time,
    actor: e.actor,
    action: e.action,
    target: e.target,
    outcome: outcome ?? WireAuditOutcome.AUDIT_OUTCOME_UNSPECIFIED,
    detailsJson: JSON.stringify(e.details),
  };
}

function fromWirePage(page: { pageSize: number; pageToken: string } | undefined): {
  pageSize?: number;
  pageToken?: string;
} {
  return { pageSize: page?.pageSize ?? 0, pageToken: page?.pageToken ?? '' };
}

function toWireQuotas(q: TenantQuotas): Quotas {
  return { ...q };
}

/** A stored tenant as the wire message. */
export function toWireTenant(r: TenantRecord): Tenant {
  return {
    name: r.name,
    displayName: r.displayName,
    quotas: toWireQuotas(r.quotas),
    capabilities: { kv: r.capabilities.kv, fetchOrigins: [...r.capabilities.fetchOrigins] },
    isolation:
      r.isolation === 'context' ? IsolationMode.ISOLATION_MODE_CONTEXT : IsolationMode.ISOLATION_MODE_ISOLATE,
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
  };
}

/** A stored key as the wire message: never its hash. */
function toWireKey(r: ApiKeyRecord): ApiKey {
  return {
    id: r.id,
    tenant: r.tenant,
    description: r.description,
    createdAt: r.createdAt,
    revokedAt: r.revokedAt,
  };
}

/** A failure kind as the store keeps it (`TIMEOUT`) → wire `ErrorKind`. */
function toWireErrorKind(kind: string): ErrorKind {
  const wire = (ErrorKind as unknown as Record<string, ErrorKind | undefined>)[`ERROR_KIND_${kind}`];
  return typeof wire === 'number' ? wire : ErrorKind.ERROR_KIND_UNSPECIFIED;
}
