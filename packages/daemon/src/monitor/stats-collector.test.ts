import { describe, expect, it } from 'vitest';
import { StatsCollector } from './stats-collector.js';

describe('StatsCollector', () => {
  it('keeps totals and rates over whole seconds of the window', () => {
    let now = 1_000_000;
    const c = new StatsCollector({ windowSeconds: 10, now: () => now });
    for (let i = 0; i < 20; i++) c.recordRun('a', { cpuMs: 2, queueWaitMs: 0, heapBytes: 1000 + i });
    c.recordRun('a', { cpuMs: 1, queueWaitMs: 0, failureKind: 'TIMEOUT' });
    expect(c.snapshot()[0]).toMatchObject({ runsTotal: 21, errorsTotal: 1, runsPerSecond: 0 }); // current second: partial
    now += 1000;
    expect(c.snapshot()[0]).toMatchObject({
      runsPerSecond: 2.1,
      errorsPerSecond: 0.1,
      cpuMsPerSecond: 4.1,
      heapBytes: 1019,
    });
    now += 11_000;
    expect(c.snapshot()[0]).toMatchObject({ runsTotal: 21, runsPerSecond: 0 });
    expect([c.runsTotal, c.errorsTotal]).toEqual([21, 1]);
  });

  it('counts a run lost to a platform failure as an error of the daemon and the tenant', () => {
    const c = new StatsCollector({ now: () => 5_000 });
    c.recordRun('a', { cpuMs: 0, queueWaitMs: 0, platformError: 'WORKER_CRASHED' });
    expect([c.runsTotal, c.errorsTotal]).toEqual([1, 1]);
    expect(c.snapshot()[0]).toMatchObject({ runsTotal: 1, errorsTotal: 1 });
  });

  it('forgets tenants idle past forgetAfterMs, and filters by tenant', () => {
    let now = 0;
    const c = new StatsCollector({ forgetAfterMs: 5000, now: () => now });
    c.recordRun('old', { cpuMs: 1, queueWaitMs: 0 });
    now = 3000;
    c.recordRejected('new');
    expect(c.snapshot().map((t) => t.tenant)).toEqual(['old', 'new']);
    expect(c.snapshot('new').map((t) => t.tenant)).toEqual(['new']);
    now = 6000;
    expect(c.snapshot().map((t) => t.tenant)).toEqual(['new']);
  });
});
