import type { Limits } from '@vmd/core';

/** A tenant as the daemon knows it. */
export interface Tenant {
  readonly id: string;
  /** Per-execution limits (requests are clamped to these). */
  readonly quota: Readonly<Limits>;
  readonly createdAt: Date;
}

/** Looks tenants up (and, in local mode, creates them on first use). */
export interface TenantRegistry {
  /** Returns the tenant, creating it with the default quota in local mode. */
  resolve(tenantId: string): Tenant;
  /** Known tenants. */
  list(): Tenant[];
}

/**
 * Local mode's registry: in memory, every valid tenant id is accepted and created on first use
 * with the default quota. (The SQLite-backed store replaces this in a later issue.)
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

  list(): Tenant[] {
    return [...this.tenants.values()];
  }
}
