import { ErrorCode, VmdError } from '@vmd/core';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { WeightedDrrPolicy } from './queue-policy.js';
import { Scheduler, type Slot } from './scheduler.js';

function codeOf(err: unknown): string | undefined {
  return err instanceof VmdError ? err.code : undefined;
}

describe('WeightedDrrPolicy', () => {
  const takeAll = (p: WeightedDrrPolicy<string>): string[] => {
    const order: string[] = [];
    for (let n = p.next(); n; n = p.next()) order.push(n.item);
    return order;
  };

  it('serves tenants of equal weight in turn, FIFO within a tenant', () => {
    const p = new WeightedDrrPolicy<string>();
    for (const x of ['a1', 'a2', 'a3']) p.enqueue('a', x);
    p.enqueue('b', 'b1');
    for (const x of ['c1', 'c2']) p.enqueue('c', x);
    expect(p.size).toBe(6);
    expect(takeAll(p)).toEqual(['a1', 'b1', 'c1', 'a2', 'c2', 'a3']);
    expect(p.size).toBe(0);
  });

  it('gives a tenant of weight w w runs per round while both are backlogged', () => {
    const p = new WeightedDrrPolicy<string>();
    for (let i = 1; i <= 8; i++) p.enqueue('heavy', `h${i}`, 3);
    for (let i = 1; i <= 4; i++) p.enqueue('light', `l${i}`, 1);
    expect(takeAll(p)).toEqual(['h1', 'h2', 'h3', 'l1', 'h4', 'h5', 'h6', 'l2', 'h7', 'h8', 'l3', 'l4']);
  });

  it('lets a newly active tenant wait at most one round, however deep the others are', () => {
    const p = new WeightedDrrPolicy<string>();
    for (let i = 1; i <= 100; i++) p.enqueue('flood', `f${i}`);
    expect(p.next()?.item).toBe('f1');
    p.enqueue('quiet', 'q1');
    // f1 used the flood's share for this round: the quiet tenant goes next.
    expect([p.next()?.item, p.next()?.item]).toEqual(['q1', 'f2']);
  });

  it('treats weight 0 or junk as 1, and applies a changed weight from the next enqueue', () => {
    const p = new WeightedDrrPolicy<string>();
    for (let i = 1; i <= 4; i++) p.enqueue('a', `a${i}`, 0);
    for (let i = 1; i <= 4; i++) p.enqueue('b', `b${i}`, Number.NaN);
    expect(takeAll(p)).toEqual(['a1', 'b1', 'a2', 'b2', 'a3', 'b3', 'a4', 'b4']);
    p.enqueue('a', 'a5', 1);
    p.enqueue('b', 'b5', 1);
    p.enqueue('b', 'b6', 2);
    p.enqueue('b', 'b7', 2);
    expect(takeAll(p)).toEqual(['a5', 'b5', 'b6', 'b7']);
  });

  it('removes items and tenants, and drains', () => {
    const p = new WeightedDrrPolicy<string>();
    p.enqueue('a', 'a1');
    p.enqueue('b', 'b1');
    p.enqueue('b', 'b2');
    expect(p.remove('a', 'a1')).toBe(true);
    expect(p.remove('a', 'a1')).toBe(false);
    expect(p.depth('a')).toBe(0);
    expect(p.depth('b')).toBe(2);
    expect(p.next()?.item).toBe('b1');
    expect(p.drain()).toEqual(['b2']);
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

  it('measures queue wait on the monotonic clock, with sub-ms precision', async () => {
    let mono = 1_000.25;
    let wall = 5_000;
    const s = new Scheduler({
      capacity: () => capacity,
      maxQueueDepthPerTenant: 10,
      now: () => wall,
      monotonicNow: () => mono,
    });
    const first = await s.acquire('a');
    const queued = s.acquire('b', { deadlineMs: 10_000 });
    mono += 12.375;
    wall += 999; // a wall-clock jump (NTP step) must not show up as queue wait
    first.release();
    const slot = await queued;
    expect(slot.queueWaitMs).toBe(12.375);
    slot.release();
  });

  it('uses performance.now by default (faked by vitest, fractional in real time)', async () => {
    const s = make();
    const first = await s.acquire('a');
    const queued = s.acquire('b');
    vi.advanceTimersByTime(0.5);
    first.release();
    const slot = await queued;
    expect(slot.queueWaitMs).toBeCloseTo(0.5, 6);
    slot.release();
  });

  it("shares slots by the tenants' weights", async () => {
    const s = make(100);
    const first = await s.acquire('x');
    const order: string[] = [];
    const slots: Promise<void>[] = [];
    for (const [tenant, weight] of [
      ['heavy', 2],
      ['light', 1],
    ] as const) {
      for (let i = 0; i < 6; i++) {
        slots.push(
          s.acquire(tenant, { weight }).then((slot) => {
            order.push(tenant);
            slot.release();
          }),
        );
      }
    }
    first.release();
    await Promise.all(slots);
    expect(order.slice(0, 9).filter((t) => t === 'heavy')).toHaveLength(6);
    expect(order.slice(0, 3)).toEqual(['heavy', 'heavy', 'light']);
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
