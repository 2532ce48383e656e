import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../errors/codes.js';
import { ResourceExhaustedError, VmdError } from '../errors/vmd-error.js';
import { DrrScheduler, type DrrTenantConfig } from './drr-scheduler.js';

interface Job {
  id: string;
}

function job(id: string): Job {
  return { id };
}

function fakeClock(start = 1_000): { now: () => number; advance: (ms: number) => void } {
  let t = start;
  return { now: () => t, advance: (ms) => (t += ms) };
}

function configs(table: Record<string, Partial<DrrTenantConfig>>): (tenant: string) => DrrTenantConfig {
  return (tenant) => ({ weight: 1, maxQueueDepth: 10_000, ...table[tenant] });
}

function drainAll<T>(s: DrrScheduler<T>): Array<{ tenant: string; item: T }> {
  const out: Array<{ tenant: string; item: T }> = [];
  for (let next = s.dequeue(); next; next = s.dequeue()) out.push(next);
  return out;
}

describe('DrrScheduler', () => {
  it('serves one tenant in FIFO order', () => {
    const s = new DrrScheduler<Job>({ tenantConfig: configs({}) });
    const jobs = [job('1'), job('2'), job('3')];
    for (const j of jobs) s.enqueue('a', j);
    expect(drainAll(s).map((x) => x.item)).toEqual(jobs);
    expect(s.dequeue()).toBeUndefined();
  });

  it('serves a single item of B after at most one of A, with A holding 500', () => {
    const s = new DrrScheduler<Job>({ tenantConfig: configs({}) });
    for (let i = 0; i < 500; i++) s.enqueue('a', job(`a${i}`));
    // A is already being served when B arrives.
    expect(s.dequeue()?.tenant).toBe('a');
    const b = job('b');
    s.enqueue('b', b);
    const order = drainAll(s);
    const position = order.findIndex((x) => x.item === b) + 1;
    expect(position).toBeGreaterThanOrEqual(1);
    expect(position).toBeLessThanOrEqual(2);
    expect(order).toHaveLength(500);
  });

  it("bounds the delay of a newcomer by the flooder's weight", () => {
    const s = new DrrScheduler<Job>({ tenantConfig: configs({ a: { weight: 4 } }) });
    for (let i = 0; i < 500; i++) s.enqueue('a', job(`a${i}`));
    s.dequeue();
    const b = job('b');
    s.enqueue('b', b);
    const position = drainAll(s).findIndex((x) => x.item === b) + 1;
    expect(position).toBeLessThanOrEqual(4);
  });

  it('shares 3:1 between weights 3 and 1 over a long run', () => {
    const s = new DrrScheduler<Job>({ tenantConfig: configs({ a: { weight: 3 }, b: { weight: 1 } }) });
    for (let i = 0; i < 3000; i++) {
      s.enqueue('a', job(`a${i}`));
      s.enqueue('b', job(`b${i}`));
    }
    const counts = { a: 0, b: 0 };
    for (let i = 0; i < 2000; i++) counts[s.dequeue()!.tenant as 'a' | 'b']++;
    expect(counts.a).toBe(1500);
    expect(counts.b).toBe(500);
    // And locally: every window of 4 consecutive picks holds 3 of A and 1 of B.
    const window = Array.from({ length: 8 }, () => s.dequeue()!.tenant).join('');
    expect(window.split('').filter((t) => t === 'a')).toHaveLength(6);
  });

  it('charges costs: an item of cost 2 uses two turns of a weight-1 tenant', () => {
    const s = new DrrScheduler<Job>({ tenantConfig: configs({}) });
    for (let i = 0; i < 100; i++) s.enqueue('a', job(`a${i}`), { cost: 2 });
    for (let i = 0; i < 100; i++) s.enqueue('b', job(`b${i}`));
    const first = Array.from({ length: 60 }, () => s.dequeue()!.tenant);
    const a = first.filter((t) => t === 'a').length;
    const b = first.filter((t) => t === 'b').length;
    expect(a).toBe(20);
    expect(b).toBe(40);
  });

  it('serves items costlier than a whole round without spinning (fast-forward)', () => {
    const s = new DrrScheduler<Job>({ quantum: 1, tenantConfig: configs({}) });
    s.enqueue('a', job('big'), { cost: 1e9 });
    s.enqueue('b', job('huge'), { cost: 2e9 });
    expect(s.dequeue()?.item.id).toBe('big');
    expect(s.dequeue()?.item.id).toBe('huge');
    expect(s.dequeue()).toBeUndefined();
  });

  it('rejects with QUEUE_FULL and a retry-after hint when a tenant queue is full', () => {
    const s = new DrrScheduler<Job>({
      tenantConfig: configs({ a: { maxQueueDepth: 2 } }),
      queueFullRetryAfterMs: 250,
    });
    s.enqueue('a', job('1'));
    expect(s.enqueue('a', job('2'))).toEqual({ tenantDepth: 2, totalDepth: 2 });
    let caught: unknown;
    try {
      s.enqueue('a', job('3'));
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(ResourceExhaustedError);
    expect(caught).toMatchObject({ code: ErrorCode.QUEUE_FULL, details: { retryAfterMs: 250 } });
    expect((caught as Error).message).toMatch(/tenant 'a' already has 2 requests queued/);
    // Other tenants are unaffected; A can queue again once one is served.
    expect(s.enqueue('b', job('b1')).tenantDepth).toBe(1);
    s.dequeue();
    expect(() => s.enqueue('a', job('4'))).not.toThrow();
    expect(s.sizeOf('a')).toBe(2);
  });

  it('computes the retry-after hint with a function when given one', () => {
    const s = new DrrScheduler<Job>({
      tenantConfig: configs({ a: { maxQueueDepth: 1 } }),
      queueFullRetryAfterMs: (_tenant, depth) => depth * 100,
    });
    s.enqueue('a', job('1'));
    expect(() => s.enqueue('a', job('2'))).toThrow(
      expect.objectContaining({ details: { retryAfterMs: 100 } }) as Error,
    );
  });

  it('drops items whose deadline passed, reports them, and never returns them', () => {
    const clock = fakeClock();
    const expired: Array<[string, string]> = [];
    const s = new DrrScheduler<Job>({
      now: clock.now,
      tenantConfig: configs({}),
      onExpired: (item, tenant) => expired.push([tenant, item.id]),
    });
    s.enqueue('a', job('a-short'), { deadlineMs: clock.now() + 10 });
    s.enqueue('a', job('a-long'), { deadlineMs: clock.now() + 1000 });
    s.enqueue('b', job('b-short'), { deadlineMs: clock.now() + 10 });
    s.enqueue('c', job('c-none'));
    clock.advance(10);
    expect(drainAll(s).map((x) => x.item.id)).toEqual(['a-long', 'c-none']);
    expect(expired).toEqual([
      ['a', 'a-short'],
      ['b', 'b-short'],
    ]);
    expect(s.size()).toBe(0);
    expect(s.tenants()).toEqual([]);
  });

  it('purgeExpired drops expired items anywhere in the queues', () => {
    const clock = fakeClock();
    const expired: string[] = [];
    const s = new DrrScheduler<Job>({
      now: clock.now,
      tenantConfig: configs({}),
      onExpired: (item) => expired.push(item.id),
    });
    s.enqueue('a', job('keep1'));
    s.enqueue('a', job('mid'), { deadlineMs: clock.now() + 5 });
    s.enqueue('a', job('keep2'));
    s.enqueue('b', job('only'), { deadlineMs: clock.now() + 5 });
    clock.advance(5);
    expect(s.purgeExpired()).toBe(2);
    expect(expired).toEqual(['mid', 'only']);
    expect(s.tenants()).toEqual(['a']);
    expect(drainAll(s).map((x) => x.item.id)).toEqual(['keep1', 'keep2']);
  });

  it('refuses an item whose deadline already passed with DEADLINE_EXCEEDED', () => {
    const clock = fakeClock();
    const s = new DrrScheduler<Job>({ now: clock.now, tenantConfig: configs({}) });
    expect(() => s.enqueue('a', job('late'), { deadlineMs: clock.now() })).toThrow(VmdError);
    expect(() => s.enqueue('a', job('late'), { deadlineMs: clock.now() - 1 })).toThrow(
      expect.objectContaining({ code: ErrorCode.DEADLINE_EXCEEDED }) as Error,
    );
    expect(s.size()).toBe(0);
  });

  it('lets onExpired call back into the scheduler', () => {
    const clock = fakeClock();
    const victim = job('victim');
    const s: DrrScheduler<Job> = new DrrScheduler<Job>({
      now: clock.now,
      tenantConfig: configs({}),
      onExpired: () => {
        s.remove(victim);
      },
    });
    s.enqueue('a', job('dies'), { deadlineMs: clock.now() + 1 });
    s.enqueue('b', victim);
    s.enqueue('b', job('survivor'));
    clock.advance(1);
    expect(drainAll(s).map((x) => x.item.id)).toEqual(['survivor']);
  });

  it('keeps the picked item queued when onExpired throws', () => {
    const clock = fakeClock();
    let throwOnce = true;
    const s = new DrrScheduler<Job>({
      now: clock.now,
      tenantConfig: configs({}),
      onExpired: () => {
        if (throwOnce) {
          throwOnce = false;
          throw new Error('callback bug');
        }
      },
    });
    s.enqueue('a', job('dies'), { deadlineMs: clock.now() + 1 });
    s.enqueue('a', job('next'));
    clock.advance(1);
    expect(() => s.dequeue()).toThrow('callback bug');
    expect(s.dequeue()?.item.id).toBe('next');
  });

  it('reports how long an item waited', () => {
    const clock = fakeClock();
    const s = new DrrScheduler<Job>({ now: clock.now, tenantConfig: configs({}) });
    s.enqueue('a', job('1'));
    clock.advance(42);
    expect(s.dequeue()?.queuedMs).toBe(42);
  });

  it('removes a queued item (cancellation) anywhere in its queue', () => {
    const s = new DrrScheduler<Job>({ tenantConfig: configs({}) });
    const [j1, j2, j3] = [job('1'), job('2'), job('3')];
    s.enqueue('a', j1);
    s.enqueue('a', j2);
    s.enqueue('a', j3);
    expect(s.remove(j2)).toBe(true);
    expect(s.remove(j2)).toBe(false);
    expect(s.has(j2)).toBe(false);
    expect(s.sizeOf('a')).toBe(2);
    expect(s.remove(j1)).toBe(true);
    expect(s.remove(j3)).toBe(true);
    expect(s.size()).toBe(0);
    expect(s.tenants()).toEqual([]);
    expect(s.remove(job('never'))).toBe(false);
    expect(s.dequeue()).toBeUndefined();
    // A removed item can be queued again.
    s.enqueue('a', j2);
    expect(s.dequeue()?.item).toBe(j2);
  });

  it('refuses to queue the same item twice', () => {
    const s = new DrrScheduler<Job>({ tenantConfig: configs({}) });
    const j = job('1');
    s.enqueue('a', j);
    expect(() => s.enqueue('b', j)).toThrow(VmdError);
    expect(s.size()).toBe(1);
  });

  it('keeps no state for tenants whose queue emptied (no unbounded growth)', () => {
    const s = new DrrScheduler<Job>({ tenantConfig: configs({}) });
    for (let round = 0; round < 5; round++) {
      const jobs: Job[] = [];
      for (let i = 0; i < 10_000; i++) {
        const j = job(`${round}-${i}`);
        jobs.push(j);
        s.enqueue(`t${round}-${i}`, j);
      }
      expect(s.tenants()).toHaveLength(10_000);
      // Half leave by cancellation, the rest by being served.
      for (let i = 0; i < 10_000; i += 2) expect(s.remove(jobs[i]!)).toBe(true);
      expect(s.tenants()).toHaveLength(5_000);
      expect(drainAll(s)).toHaveLength(5_000);
      expect(s.tenants()).toHaveLength(0);
      expect(s.size()).toBe(0);
    }
    const internals = s as unknown as { queues: Map<string, unknown>; entries: Map<unknown, unknown> };
    expect(internals.queues.size).toBe(0);
    expect(internals.entries.size).toBe(0);
  });

  it("drops an emptied tenant's leftover share (it re-enters with a fresh deficit)", () => {
    const s = new DrrScheduler<Job>({ tenantConfig: configs({ a: { weight: 5 } }) });
    s.enqueue('a', job('a1'));
    for (let i = 0; i < 10; i++) s.enqueue('b', job(`b${i}`));
    expect(s.dequeue()?.tenant).toBe('a'); // A leaves with 4 unspent
    for (let i = 0; i < 3; i++) s.enqueue('a', job(`a${i + 2}`));
    // A re-joined behind B: B gets its turn first.
    expect(s.tenants()).toEqual(['b', 'a']);
    expect(s.dequeue()?.tenant).toBe('b');
    expect(s.dequeue()?.tenant).toBe('a');
  });

  it('skips ineligible tenants without charging them', () => {
    const s = new DrrScheduler<Job>({ tenantConfig: configs({}) });
    for (let i = 0; i < 3; i++) s.enqueue('a', job(`a${i}`));
    for (let i = 0; i < 3; i++) s.enqueue('b', job(`b${i}`));
    const busy = new Set(['a']);
    const eligible = (t: string): boolean => !busy.has(t);
    expect(s.dequeue(eligible)?.tenant).toBe('b');
    expect(s.dequeue(eligible)?.tenant).toBe('b');
    busy.add('b');
    expect(s.dequeue(eligible)).toBeUndefined();
    busy.clear();
    expect(drainAll(s).map((x) => x.item.id)).toEqual(['b2', 'a0', 'a1', 'a2']);
  });

  it('applies weight changes from tenantConfig at the next enqueue', () => {
    const table: Record<string, Partial<DrrTenantConfig>> = { a: { weight: 1 } };
    const s = new DrrScheduler<Job>({ tenantConfig: configs(table) });
    for (let i = 0; i < 100; i++) s.enqueue('b', job(`b${i}`));
    for (let i = 0; i < 99; i++) s.enqueue('a', job(`a${i}`));
    table.a = { weight: 2 };
    s.enqueue('a', job('a99'));
    const first = Array.from({ length: 30 }, () => s.dequeue()!.tenant);
    expect(first.filter((t) => t === 'a')).toHaveLength(20);
  });

  it('validates options and per-item values', () => {
    expect(() => new DrrScheduler({ quantum: 0 })).toThrow(RangeError);
    const s = new DrrScheduler<Job>({
      tenantConfig: configs({ bad: { weight: 0 }, deep: { maxQueueDepth: 0 } }),
    });
    expect(() => s.enqueue('a', job('x'), { cost: 0 })).toThrow(RangeError);
    expect(() => s.enqueue('a', job('x'), { cost: Number.NaN })).toThrow(RangeError);
    expect(() => s.enqueue('bad', job('x'))).toThrow(/weight must be an integer/);
    expect(() => s.enqueue('deep', job('x'))).toThrow(/maxQueueDepth/);
    expect(s.size()).toBe(0);
  });

  it('drains everything for shutdown', () => {
    const s = new DrrScheduler<Job>({ tenantConfig: configs({}) });
    s.enqueue('a', job('a1'));
    s.enqueue('b', job('b1'));
    s.enqueue('a', job('a2'));
    expect(s.drain().map((x) => `${x.tenant}:${x.item.id}`)).toEqual(['a:a1', 'a:a2', 'b:b1']);
    expect(s.size()).toBe(0);
    expect(s.dequeue()).toBeUndefined();
  });

  it('stays linear with 200k queued items and 100k cancellations', () => {
    const s = new DrrScheduler<number>({ tenantConfig: () => ({ weight: 1, maxQueueDepth: 1e6 }) });
    for (let i = 0; i < 200_000; i++) s.enqueue(i % 7 === 0 ? 'small' : 'big', i);
    for (let i = 0; i < 100_000; i++) s.remove(i * 2);
    let n = 0;
    while (s.dequeue()) n++;
    expect(n).toBe(100_000);
  });
});
