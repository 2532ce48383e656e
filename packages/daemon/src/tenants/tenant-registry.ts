import { ErrorCode, VmdError, type Limits } from '@vmd/core';
import type { Store, TenantQuotas, TenantRecord } from '../store/store.js';
import type { AdmissionQuota } from './admission.js';

/** A tenant as the daemon knows it. */
export interface Tenant {
  readonly id: string;
  /** Per-execution limits (requests are clamped to these). */
  readonly quota: Readonly<Limits>;
  /** Rate and concurrency admission; absent: unlimited (in-memory registry). */
  readonly admission?: Readonly<AdmissionQuota>;
  /**
   * `context`: runs get a fresh context in a warm isolate of this tenant alone (set by an admin;
   * faster, weaker isolation between the tenant's own runs). Absent or `isolate`: a fresh
   * isolate per run.
   */
  readonly isolation?: 'isolate' | 'context';
  readonly createdAt: Date;
}

/**
 * Looks tenants up (and, in local mode, creates them on first use).
 *
 * The rule of local mode: only a call that *uses* a tenant — runs code for it (Execute, a REPL
 * session, InvokeFunction) or stores something for it (DeployFunction) — creates it, through
 * {@link resolve}. A read-only call (ListFunctions, …) looks it up with {@link find} and answers
 * for an unknown tenant as for an empty one, without creating it.
 */
export interface TenantRegistry {
  /** Returns the tenant, creating it with the default quota in local mode. */
  resolve(tenantId: string): Tenant | Promise<Tenant>;
  /**
   * Returns the tenant without ever creating it: `undefined` for an unknown tenant where tenants
   * are created on first use (local mode, where it reads as empty), TENANT_NOT_FOUND otherwise.
   */
  find(tenantId: string): Tenant | undefined | Promise<Tenant | undefined>;
  /** Forgets what it knows of a tenant (after an admin changed or deleted it). */
  invalidate?(tenantId: string): void;
  /** Known tenants. */
  list(): Tenant[];
}

/**
 * An in-memory registry: every valid tenant id is accepted and created on first use with the
 * default quota, and nothing is kept. For tests and embedding; the daemon uses
 * {@link StoreTenantRegistry}.
 */
export class InMemoryTenantRegistry implements TenantRegistry {
  private readonly tenants = new Map<string, Tenant>();

  constructor(private readonly defaultQuota: Readonly<Limits>) {}

  resolve(tenantId: string): Tenant {
    let tenant = this.tenants.get(tenantId);
    if (!tenant) {
      tenant = Object.freeze({ id: tenantId, quota: this.defaultQuota, createdAt: new Date() });
      this.tenants.set(tenantId, tenant);
    }
    return tenant;
  }

  find(tenantId: string): Tenant | undefined {
    return this.tenants.get(tenantId);
  }

  list(): Tenant[] {
    return [...this.tenants.values()];
  }
}

/** The per-run limits of a stored tenant's quotas. */
export function limitsOf(q: TenantQuotas): Limits {
  return {
    memoryMib: q.memoryMib,
    cpuTimeMs: q.cpuTimeMs,
    wallTimeMs: q.wallTimeMs,
    outputBytes: q.outputBytes,
    resultBytes: q.resultBytes,
    codeBytes: q.codeBytes,
    consoleLinesPerSecond: q.consoleLinesPerSecond,
  };
}

/** Options of {@link StoreTenantRegistry}. */
export interface StoreTenantRegistryOptions {
  store: () => Store;
  /** Quotas of a tenant created on first use. */
  defaultQuotas: TenantQuotas;
  /** Local mode: an unknown tenant is created (and stored) on first use. */
  createOnFirstUse: boolean;
}

/**
 * Tenants from the store, cached in memory (TenantService invalidates an entry when it changes
 * the tenant). In local mode an unknown tenant is created on first use ({@link resolve}) with the
 * default quotas and stored, so an operator sees it in `ListTenants` and can change its quotas;
 * a read-only lookup ({@link find}) never creates one.
 */
export class StoreTenantRegistry implements TenantRegistry {
  private readonly cache = new Map<string, Tenant>();

  constructor(private readonly options: StoreTenantRegistryOptions) {}

  async resolve(tenantId: string): Promise<Tenant> {
    const known = await this.find(tenantId);
    if (known !== undefined) return known;
    return this.remember(await this.createOrGet(this.options.store(), tenantId));
  }

  async find(tenantId: string): Promise<Tenant | undefined> {
    const cached = this.cache.get(tenantId);
    if (cached) return cached;
    const record = await this.options.store().findTenant(tenantId);
    if (record !== undefined) return this.remember(record);
    if (this.options.createOnFirstUse) return undefined;
    throw new VmdError(
      ErrorCode.TENANT_NOT_FOUND,
      `tenant '${tenantId}' does not exist; an admin creates it with \`vmctl tenant create ${tenantId}\``,
      { resource: 'tenant' },
    );
  }

  invalidate(tenantId: string): void {
    this.cache.delete(tenantId);
  }

  list(): Tenant[] {
    return [...this.cache.values()];
  }

  private remember(record: TenantRecord): Tenant {
    const tenant = toTenant(record);
    this.cache.set(record.name, tenant);
    return tenant;
  }

  private async createOrGet(store: Store, name: string): Promise<TenantRecord> {
    try {
      return await store.createTenant({ name, quotas: { ...this.options.defaultQuotas } });
    } catch (err) {
      // Two first requests of one tenant at once: the other one created it.
      if (err instanceof VmdError && err.code === ErrorCode.ALREADY_EXISTS) return store.getTenant(name);
      throw err;
    }
  }
}

function toTenant(r: TenantRecord): Tenant {
  return Object.freeze({
    id: r.name,
    quota: Object.freeze(limitsOf(r.quotas)),
    admission: Object.freeze({
      ratePerSecond: r.quotas.ratePerSecond,
      burst: r.quotas.burst,
      maxConcurrent: r.quotas.maxConcurrent,
      queueDepth: r.quotas.queueDepth,
      weight: r.quotas.weight,
      replSessions: r.quotas.replSessions,
    }),
    isolation: r.isolation,
    createdAt: r.createdAt,
  });
}
