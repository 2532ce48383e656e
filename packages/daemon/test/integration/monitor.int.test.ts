import { credentials, Metadata, type ServiceError } from '@grpc/grpc-js';
import { MonitorServiceClient, type Stats, type WatchStatsResponse } from '@vmd/client/wire';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { childPids, execute, startTestDaemon, Status, type TestDaemon } from './helpers.js';

/** MonitorService on a real daemon: daemon totals, workers, per-tenant live statistics. */
let d: TestDaemon;
let monitor: InstanceType<typeof MonitorServiceClient>;
beforeAll(async () => {
  d = await startTestDaemon({ workers: 2 });
  monitor = new MonitorServiceClient(d.address, credentials.createInsecure());
});
afterAll(async () => {
  monitor.close();
  await d.stop();
});

const getStats = (tenant = ''): Promise<Stats> =>
  new Promise((resolve, reject) =>
    monitor.getStats({ tenant }, new Metadata(), (err, res) => (err ? reject(err) : resolve(res.stats!))),
  );

describe('MonitorService', () => {
  it('reports the daemon, each worker process and the tenants that ran code', async () => {
    for (let i = 0; i < 5; i++) await execute(d.client, { tenant: 'busy', code: `${i}` });
    await execute(d.client, { tenant: 'failing', code: 'null.x' });
    // The daemon serves once one worker is ready; the second may still be starting.
    let s = await getStats();
    for (let i = 0; i < 100 && !s.workers.every((w) => w.state === 'ready'); i++) {
      await new Promise((r) => setTimeout(r, 50));
      s = await getStats();
    }
    expect(s.daemon).toMatchObject({
      version: expect.stringMatching(/^\d+\.\d+\.\d+/),
      runsTotal: 6,
      errorsTotal: 1,
    });
    expect(s.daemon!.uptimeSeconds).toBeGreaterThan(0);
    expect(s.daemon!.rssBytes).toBeGreaterThan(10 * 1024 * 1024);
    expect(s.workers.map((w) => w.pid).sort()).toEqual(childPids(d.pid).sort());
    expect(s.workers.every((w) => w.state === 'ready' && w.slots > 0)).toBe(true);
    const busy = s.tenants.find((t) => t.tenant === 'busy');
    expect(busy).toMatchObject({ runsTotal: 5, running: 0, queued: 0 });
    expect(s.tenants.find((t) => t.tenant === 'failing')?.runsTotal).toBe(1);
    const only = await getStats('failing');
    expect(only.tenants.map((t) => t.tenant)).toEqual(['failing']);
  });

  it('streams one snapshot per interval until cancelled; refuses an interval that is too short', async () => {
    const call = monitor.watchStats({ tenant: '', intervalMs: 200 });
    const got: WatchStatsResponse[] = [];
    await new Promise<void>((resolve) => {
      call.on('data', (m: WatchStatsResponse) => {
        got.push(m);
        if (got.length === 3) {
          call.cancel();
          resolve();
        }
      });
      call.on('error', () => resolve());
    });
    expect(got).toHaveLength(3);
    expect(got[2]!.stats!.time!.getTime()).toBeGreaterThan(got[0]!.stats!.time!.getTime());
    const tooFast = monitor.watchStats({ tenant: '', intervalMs: 10 });
    const err = await new Promise<ServiceError>((resolve) => {
      tooFast.on('data', () => undefined);
      tooFast.on('error', resolve);
    });
    expect(err.code).toBe(Status.INVALID_ARGUMENT);
  });
});
