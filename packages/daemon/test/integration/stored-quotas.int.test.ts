import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { credentials } from '@grpc/grpc-js';
import { Tenant, TenantServiceClient } from '@vmd/client/wire';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execute, startTestDaemon, unaryCall, type LogLine, type TestDaemon } from './helpers.js';

/**
 * Quotas stored before TenantService checked them can lie outside the range every run is held
 * to (memory 2 MiB stored, 8 applied). At start the daemon brings them into that range, stores
 * the result and logs one warning per corrected tenant, so `vmctl tenant get` shows what runs
 * get. A real daemon on a real SQLite file, edited between runs as an older vmd left it.
 */
type Tenants = InstanceType<typeof TenantServiceClient>;

let dataDir: string;
let d: TestDaemon | undefined;
let tenants: Tenants | undefined;

const open = async (): Promise<{ d: TestDaemon; tenants: Tenants }> => {
  d = await startTestDaemon({ workers: 1, args: ['--data-dir', dataDir] });
  tenants = new TenantServiceClient(d.address, credentials.createInsecure());
  return { d, tenants };
};
const close = async (): Promise<void> => {
  tenants?.close();
  await d?.stop();
  tenants = undefined;
  d = undefined;
};

/** The quotas JSON of a tenant row, read from the SQLite file itself. */
function storedQuotas(name: string): Record<string, number> {
  const db = new DatabaseSync(path.join(dataDir, 'vmd.db'));
  try {
    const row = db.prepare('SELECT quotas FROM tenants WHERE name = ?').get(name) as { quotas: string };
    return JSON.parse(row.quotas) as Record<string, number>;
  } finally {
    db.close();
  }
}

const corrections = (logs: LogLine[]): LogLine[] =>
  logs.filter((l) => l.msg === 'stored tenant quotas out of range; corrected');

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'vmd-stored-quotas-'));
});
afterAll(async () => {
  await close();
  await rm(dataDir, { recursive: true, force: true });
});

describe('stored quotas out of range', () => {
  it('are corrected at start, stored, shown by GetTenant and logged once per tenant', async () => {
    // A store as an older vmd left it: quotas written without range checks.
    const first = await open();
    for (const name of ['legacy', 'stalled', 'fine']) {
      await unaryCall(first.tenants, first.tenants.createTenant, { tenant: Tenant.fromPartial({ name }) });
    }
    await close();
    const db = new DatabaseSync(path.join(dataDir, 'vmd.db'));
    db.prepare(
      `UPDATE tenants SET quotas = json_set(quotas, '$.memoryMib', 2, '$.cpuTimeMs', 0,
         '$.wallTimeMs', 3600000, '$.weight', 0, '$.burst', 0, '$.ratePerSecond', 0)
       WHERE name = 'legacy'`,
    ).run();
    db.prepare(
      `UPDATE tenants SET quotas = json_set(quotas, '$.weight', 0, '$.ratePerSecond', 0)
       WHERE name = 'stalled'`,
    ).run();
    db.close();

    const second = await open();
    const warned = corrections(second.d.logs);
    expect(warned.map((l) => l['tenant_id'])).toEqual(['legacy', 'stalled']);
    expect(warned[0]).toMatchObject({
      level: 40,
      component: 'tenants',
      tenant_id: 'legacy',
      quotas: {
        memory_mib: { old: 2, new: 8 },
        cpu_time_ms: { old: 0, new: 1 },
        wall_time_ms: { old: 3_600_000, new: 900_000 },
        weight: { old: 0, new: 1 },
        burst: { old: 0, new: 1 },
        // No rate is the nearest valid one: the default, as 0 means in a create request.
        rate_per_second: { old: 0, new: 2000 },
      },
    });
    expect(Object.keys(warned[0]!['quotas'] as object)).toHaveLength(6);

    const { tenant } = await unaryCall(second.tenants, second.tenants.getTenant, { name: 'legacy' });
    expect(tenant?.quotas).toMatchObject({
      memoryMib: 8,
      cpuTimeMs: 1,
      wallTimeMs: 900_000,
      weight: 1,
      burst: 1,
      ratePerSecond: 2000,
      // Untouched: in range.
      outputBytes: 1024 * 1024,
      queueDepth: 256,
    });
    expect(warned[1]!['quotas']).toEqual({
      weight: { old: 0, new: 1 },
      rate_per_second: { old: 0, new: 2000 },
    });
    // A weight or rate of 0 made every request of the tenant fail; it runs again.
    const run = await execute(second.d.client, { tenant: 'stalled', code: '6 * 7' });
    expect(run.error).toBeUndefined();
    expect(run.events.at(-1)?.event?.$case).toBe('result');
    await close();

    // Stored, so the next start has nothing to correct.
    expect(storedQuotas('legacy')).toMatchObject({ memoryMib: 8, weight: 1, ratePerSecond: 2000 });
    const third = await open();
    expect(corrections(third.d.logs)).toEqual([]);
    await close();
  });
});
