import type { Logger } from 'pino';
import type { Store, TenantQuotas } from '../store/store.js';
import { fitQuotas, quotaFieldName } from './quota-range.js';

/** Options of {@link correctStoredQuotas}. */
export interface CorrectStoredQuotasOptions {
  /** Where a corrected tenant is reported (one warning per tenant). */
  logger: Logger;
  /** A new tenant's quotas: a `rate_per_second` of 0 becomes this one's. */
  defaults: Pick<TenantQuotas, 'ratePerSecond'>;
  /**
   * The daemon's `maxCodeBytes`. A tenant whose `code_bytes` quota is larger gets a warning, but
   * its quota is kept: the bound is this daemon's setting, not the tenant's, and may be raised
   * again (or be larger on another daemon sharing the store).
   */
  maxCodeBytes?: number;
}

/**
 * Brings every stored tenant's quotas into the range TenantService accepts ({@link fitQuotas}),
 * stores the corrected values, writes them to the audit log (actor `system`) and logs one
 * warning per corrected tenant with each field's old and new value. Warns of each tenant whose
 * `code_bytes` quota is above the daemon's `maxCodeBytes` (its code is held to that).
 *
 * Quotas written before TenantService checked them can lie outside that range: a memory quota
 * of 2 MiB was shown by `vmctl tenant get` while runs got 8, and a weight or rate of 0 made
 * every request of the tenant fail. It runs at every start, not as a one-off schema migration:
 * the range comes from this build's code (core's `LIMIT_BOUNDS`), so it is checked again
 * whenever that changes, and in range rows cost one read. Runs before the daemon listens, so no
 * admin update can interleave.
 * @returns the names of the tenants corrected
 */
export async function correctStoredQuotas(
  store: Store,
  options: CorrectStoredQuotasOptions,
): Promise<string[]> {
  const corrected: string[] = [];
  let pageToken = '';
  const maxCodeBytes = options.maxCodeBytes;
  do {
    const page = await store.listTenants({ pageSize: 1000, pageToken });
    for (const tenant of page.items) {
      if (maxCodeBytes !== undefined && tenant.quotas.codeBytes > maxCodeBytes) {
        options.logger.warn(
          { tenant_id: tenant.name, code_bytes: tenant.quotas.codeBytes, max_code_bytes: maxCodeBytes },
          'tenant code_bytes quota above maxCodeBytes',
        );
      }
      const fitted = fitQuotas(tenant.quotas, options.defaults);
      if (fitted.corrections.length === 0) continue;
      const changes = Object.fromEntries(fitted.corrections.map((c) => [c.field, c.new]));
      await store.updateTenant(tenant.name, { quotas: changes });
      const byField = Object.fromEntries(
        fitted.corrections.map((c) => [quotaFieldName(c.field), { old: c.old, new: c.new }]),
      );
      await store.appendAudit({
        actor: 'system',
        action: 'tenant.update',
        target: tenant.name,
        outcome: 'ok',
        details: {
          fields: fitted.corrections.map((c) => `quotas.${c.field}`),
          reason: 'stored quotas out of range',
          quotas: byField,
        },
      });
      options.logger.warn(
        { tenant_id: tenant.name, quotas: byField },
        'stored tenant quotas out of range; corrected',
      );
      corrected.push(tenant.name);
    }
    pageToken = page.nextPageToken;
  } while (pageToken !== '');
  return corrected;
}
