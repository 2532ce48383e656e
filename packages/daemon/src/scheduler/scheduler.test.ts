import { ErrorCode, VmdError } from '@vmd/core';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { RoundRobinPolicy } from './queue-policy.js';
import { Scheduler, type Slot } from './scheduler.js';

function codeOf(err: unknown): string | undefined {
  return err instanceof VmdError ? err.code : undefined;
}

describe('RoundRobinPolicy', () => {
  it('serves tenants in turn, FIFO within a tenant', () => {
    const p = new RoundRobinPolicy<string>();
    for (const x of ['a1', 'a2', 'a3']) p.enqueue('a', x);
    p.enqueue('b', 'b1');
    for (const x of ['c1', 'c2']) p.enqueue('c', x);
    const order: string[] = [];
    for (let n = p.next(); n; n = p.next()) order.push(n.item);
    expect(order).toEqual(['a1', 'b1', 'c1', 'a2', 'c2', 'a3']);
    expect(p.size).toBe(0);
  });

  it('puts a newly active tenant at the end of the current round', () => {
    const p = new RoundRobinPolicy<string>();
    p.enqueue('a', 'a1');
    p.enqueue('a', 'a2');
    p.enqueue('b', 'b1');
    p.enqueue('b', 'b2');
    expect(p.next()?.item).toBe('a1');
    p.enqueue('c', 'c1');
    expect([p.next()?.item, p.next()?.item, p.next()?.item, p.next()?.item]).toEqual([
      'b1',
      'a2',
      'c1',
      'b2',
    ]);
  });

  it('removes items and tenants', () => {
    const p = new RoundRobinPolicy<string>();
    p.enqueue('a', 'a1');
    p.enqueue('b', 'b1');
    expect(p.remove('a', 'a1')).toBe(true);
    expect(p.remove('a', 'a1')).toBe(false);
    expect(p.depth('a')).toBe(0);
    expect(p.next()?.item).toBe('b1');
    expect(p.next()).toBeUndefined();
  });
});

describe('Scheduler', () => {
  let capacity = 1;
  beforeEach(() => {
    vi.useFakeTimers();
    capacity = 1;
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  const make = (depth = 10) =>
    new Scheduler({ capacity: () => capacity, maxQueueDepthPerTenant: depth, now: () => Date.now() });

  it('grants at once while under capacity', async () => {
    const s = make();
    const slot = await s.acquire('a');
    expect(slot.queueWaitMs).toBe(0);
    expect(s.inFlight).toBe(1);
    slot.release();
    slot.release();
    expect(s.inFlight).toBe(0);
  });

  it('serves queued requests round robin across tenants and records queue wait', async () => {
    const s = make();
    const first = await s.acquire('a');
    const order: string[] = [];
    const slots: Promise<Slot>[] = [];
    for (const [tenant, label] of [
      ['a', 'a1'],
      ['a', 'a2'],
      ['a', 'a3'],
      ['b', 'b1'],
      ['c', 'c1'],
    ] as const) {
      slots.push(
        s.acquire(tenant).then((slot) => {
          order.push(label);
          return slot;
        }),
      );
    }
    expect(s.queued).toBe(5);
    vi.advanceTimersByTime(40);
    first.release();
    for (let i = 0; i < 5; i++) {
      const slot = await slots[[0, 3, 4, 1, 2][i]!]!;
      if (i === 0) expect(slot.queueWaitMs).toBe(40);
      slot.release();
    }
    expect(order).toEqual(['a1', 'b1', 'c1', 'a2', 'a3']);
  });

  it("holds a tenant to its own queue depth when it is below the daemon's cap", async () => {
    const s = make(2);
    await s.acquire('a');
    void s.acquire('a', { queueDepth: 1 }).catch(() => undefined);
    const err = await s.acquire('a', { queueDepth: 1 }).catch((e: unknown) => e);
    expect(codeOf(err)).toBe(ErrorCode.QUEUE_FULL);
    expect((err as VmdError).message).toContain('already has 1 requests queued');
    s.close(new VmdError(ErrorCode.SHUTTING_DOWN, 'bye'));
  });

  it('answers QUEUE_FULL with a retry-after hint when a tenant queue is full', async () => {
    const s = make(2);
    await s.acquire('a');
    void s.acquire('a').catch(() => undefined);
    void s.acquire('a').catch(() => undefined);
    const err = await s.acquire('a').catch((e: unknown) => e);
    expect(codeOf(err)).toBe(ErrorCode.QUEUE_FULL);
    expect((err as VmdError).details.retryAfterMs).toBeGreaterThan(0);
    // Another tenant still gets in line.
    const other = s.acquire('b');
    expect(s.queueDepth('b')).toBe(1);
    s.close(new VmdError(ErrorCode.SHUTTING_DOWN, 'bye'));
    expect(codeOf(await other.catch((e: unknown) => e))).toBe(ErrorCode.SHUTTING_DOWN);
  });

  it('drops a request whose deadline passes while queued, without running it', async () => {
    const s = make();
    const holder = await s.acquire('a');
    const queued = s.acquire('b', { deadlineMs: Date.now() + 100 });
    const result = queued.catch((e: unknown) => e);
    vi.advanceTimersByTime(101);
    expect(codeOf(await result)).toBe(ErrorCode.DEADLINE_EXCEEDED);
    expect(s.queued).toBe(0);
    holder.release();
    expect(s.inFlight).toBe(0);
  });

  it('rejects a request whose deadline already passed', async () => {
    const s = make();
    expect(codeOf(await s.acquire('a', { deadlineMs: Date.now() - 1 }).catch((e: unknown) => e))).toBe(
      ErrorCode.DEADLINE_EXCEEDED,
    );
  });

  it('removes a cancelled request from the queue', async () => {
    const s = make();
    await s.acquire('a');
    const ac = new AbortController();
    const queued = s.acquire('b', { signal: ac.signal }).catch((e: unknown) => e);
    ac.abort();
    expect(codeOf(await queued)).toBe(ErrorCode.CANCELLED);
    expect(s.queued).toBe(0);
  });

  it('grants more when capacity grows and pump() is called', async () => {
    capacity = 0;
    const s = make();
    const a = s.acquire('a');
    const b = s.acquire('b');
    expect(s.queued).toBe(2);
    capacity = 2;
    s.pump();
    await Promise.all([a, b]);
    expect(s.inFlight).toBe(2);
  });
});
