import { EventEmitter } from 'node:events';
import { Metadata, status } from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import { VmdClientError } from './errors.js';
import type { Stats, WatchStatsRequest } from './gen/vmd/v1/monitor.js';
import { Monitor, toSnapshot } from './monitor.js';

/** A stand-in for grpc-js's ClientReadableStream: no sockets. */
class FakeCall extends EventEmitter {
  cancelled = false;
  cancel(): void {
    if (this.cancelled) return;
    this.cancelled = true;
    queueMicrotask(() => this.fail(status.CANCELLED, 'Cancelled on client'));
  }
  pause(): this {
    return this;
  }
  resume(): this {
    return this;
  }
  fail(code: status, details: string): void {
    this.emit('error', Object.assign(new Error(details), { code, details, metadata: new Metadata() }));
  }
}

const wire = (runsTotal: number): Stats => ({
  time: new Date('2026-11-29T04:00:00Z'),
  daemon: {
    version: '0.1.0',
    uptimeSeconds: 12.5,
    rssBytes: 1000,
    running: 1,
    queued: 2,
    runsTotal,
    errorsTotal: 1,
    runsPerSecond: 0.5,
    sessions: 0,
  },
  workers: [
    {
      workerId: 1,
      pid: 99,
      busy: 1,
      slots: 3,
      isolatesWarm: 2,
      isolatesPinned: 0,
      rssBytes: 2000,
      restarts: 0,
      state: 'ready',
    },
  ],
  tenants: [
    {
      tenant: 'busy',
      running: 1,
      queued: 0,
      runsPerSecond: 0.5,
      errorsPerSecond: 0,
      cpuMsPerSecond: 3.25,
      heapBytes: 4096,
      sessions: 0,
      runsTotal,
    },
  ],
});
const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

function monitor(call: FakeCall, requests: WatchStatsRequest[] = []): Monitor {
  return new Monitor({
    address: () => '127.0.0.1:50051',
    rawMonitor: () =>
      ({
        watchStats: (request: WatchStatsRequest) => {
          requests.push(request);
          return call;
        },
      }) as never,
    unary: async () => ({ stats: wire(7) }) as never,
    trackStream: () => ({ closedError: () => undefined, untrack: () => undefined }),
  });
}

describe('Monitor', () => {
  it('toSnapshot: plain data, zeros for absent messages', () => {
    expect(toSnapshot(wire(3))).toEqual(wire(3));
    const empty = toSnapshot(undefined);
    expect(empty.daemon.runsTotal).toBe(0);
    expect(empty.workers).toEqual([]);
    expect(empty.time).toBeInstanceOf(Date);
  });

  it('stats() resolves with a snapshot', async () => {
    const stats = await monitor(new FakeCall()).stats({ tenant: 'busy' });
    expect(stats.tenants[0]).toMatchObject({ tenant: 'busy', runsTotal: 7 });
  });

  it('watch() yields snapshots; leaving the loop cancels the call', async () => {
    const call = new FakeCall();
    const requests: WatchStatsRequest[] = [];
    const seen: number[] = [];
    const loop = (async () => {
      for await (const s of monitor(call, requests).watch({ intervalMs: 250, tenant: 'busy' })) {
        seen.push(s.daemon.runsTotal);
        if (seen.length === 2) break;
      }
    })();
    await tick();
    call.emit('data', { stats: wire(1) });
    call.emit('data', { stats: wire(2) });
    await loop;
    expect(seen).toEqual([1, 2]);
    expect(requests).toEqual([{ tenant: 'busy', intervalMs: 250 }]);
    expect(call.cancelled).toBe(true);
  });

  it('watch() ends without an error when the signal aborts', async () => {
    const call = new FakeCall();
    const controller = new AbortController();
    const seen: number[] = [];
    const loop = (async () => {
      for await (const s of monitor(call).watch({ signal: controller.signal })) seen.push(s.daemon.runsTotal);
    })();
    await tick();
    call.emit('data', { stats: wire(1) });
    await tick();
    controller.abort();
    await loop;
    expect(seen).toEqual([1]);
    expect(call.cancelled).toBe(true);
  });

  it('watch() throws a VmdClientError when the stream fails', async () => {
    const call = new FakeCall();
    const loop = (async () => {
      for await (const _s of monitor(call).watch()) void _s;
    })();
    await tick();
    call.fail(status.UNAVAILABLE, 'No connection established');
    const error = await loop.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(VmdClientError);
    expect(error).toMatchObject({ code: 'UNAVAILABLE' });
  });
});
