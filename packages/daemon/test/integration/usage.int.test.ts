import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { credentials, type ServiceError } from '@grpc/grpc-js';
import { ErrorKind, Tenant, TenantServiceClient, type GetUsageResponse } from '@vmd/client/wire';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execute, startTestDaemon, Status, unaryCall, type TestDaemon } from './helpers.js';

/**
 * TenantService.GetUsage on a real daemon: runs, failures by kind, cpu time, queue wait and
 * quota refusals are counted per tenant and minute in the SQLite store, and survive a restart.
 */
type Tenants = InstanceType<typeof TenantServiceClient>;
let dataDir: string;
let d: TestDaemon;
let tenants: Tenants;

const open = async (): Promise<void> => {
  d = await startTestDaemon({ workers: 1, args: ['--data-dir', dataDir] });
  tenants = new TenantServiceClient(d.address, credentials.createInsecure());
};
const close = async (): Promise<void> => {
  tenants.close();
  await d.stop();
};
const usage = (tenant: string, start?: Date, end?: Date): Promise<GetUsageResponse> =>
  unaryCall(tenants, tenants.getUsage, { tenant, start, end });
const errorsOf = (u: GetUsageResponse): Record<string, number> =>
  Object.fromEntries(u.errors.map((e) => [ErrorKind[e.kind], e.count]));

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'vmd-usage-'));
  await open();
});
afterAll(async () => {
  await close();
  await rm(dataDir, { recursive: true, force: true });
});

describe('GetUsage', () => {
  it('counts runs, failures by kind, cpu time and refusals of one tenant only', async () => {
    await unaryCall(tenants, tenants.createTenant, {
      tenant: Tenant.fromPartial({
        name: 'metered',
        quotas: { cpuTimeMs: 100, ratePerSecond: 0.01, burst: 8 },
      }),
    });
    const codes = [
      '1',
      '2',
      '"x".repeat(3)',
      'await 4',
      'let = ;',
      'throw new Error("a")',
      'null.x',
      'while (true) {}',
    ];
    for (const code of codes) {
      const r = await execute(d.client, { tenant: 'metered', code });
      expect(r.error).toBeUndefined();
    }
    for (let i = 0; i < 2; i++) {
      const refused = await execute(d.client, { tenant: 'metered', code: '1' });
      expect(refused.error?.code).toBe(Status.RESOURCE_EXHAUSTED);
    }
    await execute(d.client, { tenant: 'bystander', code: '1' });

    const u = await usage('metered');
    expect(u).toMatchObject({ tenant: 'metered', executions: 8, rejected: 2 });
    expect(errorsOf(u)).toEqual({ ERROR_KIND_SYNTAX: 1, ERROR_KIND_RUNTIME: 2, ERROR_KIND_CPU_LIMIT: 1 });
    expect(u.cpuTimeMs).toBeGreaterThanOrEqual(100); // the infinite loop ran to its cpu limit
    expect(u.queueWaitMs).toBeGreaterThanOrEqual(0);
    expect(u.end!.getTime() - u.start!.getTime()).toBe(24 * 3_600_000); // the default window
    expect((await usage('bystander')).executions).toBe(1);
  });

  it('sums only the minutes of the window asked for', async () => {
    const future = new Date(Date.now() + 3_600_000);
    const u = await usage('metered', future, new Date(future.getTime() + 60_000));
    expect([u.executions, u.rejected, u.errors.length]).toEqual([0, 0, 0]);
  });

  it('answers NOT_FOUND for an unknown tenant and INVALID_ARGUMENT for a backwards window', async () => {
    const unknown = await usage('nobody-here').catch((e: ServiceError) => e);
    expect((unknown as ServiceError).code).toBe(Status.NOT_FOUND);
    const now = new Date();
    const backwards = await usage('metered', now, new Date(now.getTime() - 1000)).catch(
      (e: ServiceError) => e,
    );
    expect((backwards as ServiceError).code).toBe(Status.INVALID_ARGUMENT);
    expect((backwards as ServiceError).details).toContain('must be before its end');
  });

  it('keeps usage across a restart (pending counters are written at shutdown)', async () => {
    await execute(d.client, { tenant: 'bystander', code: '"one more"' });
    await close();
    await open();
    expect((await usage('bystander')).executions).toBe(2);
    expect(await usage('metered')).toMatchObject({ executions: 8, rejected: 2 });
  });
});
