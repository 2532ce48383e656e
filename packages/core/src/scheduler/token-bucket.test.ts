import { describe, expect, it } from 'vitest';
import { TokenBucket, TokenBuckets } from './token-bucket.js';

function fakeClock(start = 0): {
  now: () => number;
  advance: (ms: number) => void;
  set: (ms: number) => void;
} {
  let t = start;
  return { now: () => t, advance: (ms) => (t += ms), set: (ms) => (t = ms) };
}

describe('TokenBucket', () => {
  it('allows a burst, then refuses with the time until the next token', () => {
    const clock = fakeClock();
    const b = new TokenBucket({ ratePerSecond: 10, burst: 3, now: clock.now });
    expect(b.tryTake()).toEqual({ ok: true });
    expect(b.tryTake()).toEqual({ ok: true });
    expect(b.tryTake()).toEqual({ ok: true });
    expect(b.tryTake()).toEqual({ ok: false, retryAfterMs: 100 });
    clock.advance(40);
    expect(b.tryTake()).toEqual({ ok: false, retryAfterMs: 60 });
    clock.advance(60);
    expect(b.tryTake()).toEqual({ ok: true });
  });

  it('gives a retryAfterMs after which the retry succeeds, never earlier', () => {
    const clock = fakeClock();
    for (const rate of [0.3, 1, 3, 7, 33.3, 1000, 12345]) {
      clock.set(0);
      const b = new TokenBucket({ ratePerSecond: rate, burst: 1, now: clock.now });
      expect(b.tryTake().ok).toBe(true);
      const refused = b.tryTake();
      expect(refused.ok).toBe(false);
      const retryAfterMs = refused.ok ? 0 : refused.retryAfterMs;
      expect(retryAfterMs).toBe(Math.max(1, Math.ceil(1000 / rate)));
      // One ms earlier is too early (when the hint is more than the 1 ms floor)...
      if (retryAfterMs > 1 && 1000 / rate > retryAfterMs - 1) {
        clock.set(retryAfterMs - 1);
        expect(b.tryTake().ok).toBe(false);
      }
      // ...and at the hint it succeeds.
      clock.set(retryAfterMs);
      expect(b.tryTake().ok).toBe(true);
    }
  });

  it('retryAfterMs accounts for n tokens', () => {
    const clock = fakeClock();
    const b = new TokenBucket({ ratePerSecond: 4, burst: 5, now: clock.now, initialTokens: 0 });
    expect(b.tryTake(5)).toEqual({ ok: false, retryAfterMs: 1250 });
    clock.advance(1250);
    expect(b.tryTake(5)).toEqual({ ok: true });
  });

  it('refills precisely over many small steps (no floating-point drift)', () => {
    const clock = fakeClock();
    // 1000 tokens/s in 1 ms steps: exactly one request per ms, for 10 000 ms.
    const b = new TokenBucket({ ratePerSecond: 1000, burst: 1, now: clock.now });
    let granted = 0;
    for (let i = 0; i < 10_000; i++) {
      if (b.tryTake().ok) granted++;
      clock.advance(1);
    }
    expect(granted).toBe(10_000);

    // 3 tokens/s (a period of 333.33… ms) polled every 1 ms for 100 s, starting empty: exactly
    // 300 grants, the last one exactly at 100 000 ms. (Burst 2, so the poll granularity never
    // loses tokens to the cap: with burst 1 a token that accrues between polls is capped.)
    const clock2 = fakeClock();
    const b2 = new TokenBucket({ ratePerSecond: 3, burst: 2, initialTokens: 0, now: clock2.now });
    let granted2 = 0;
    let lastGrantAt = -1;
    for (let i = 0; i <= 100_000; i++) {
      clock2.set(i);
      if (b2.tryTake().ok) {
        granted2++;
        lastGrantAt = i;
      }
    }
    expect(granted2).toBe(300);
    expect(lastGrantAt).toBe(100_000);

    // Fractional clock readings (performance.now) every 0.1 ms at 10/s over 10 s: 100 grants.
    const clock3 = fakeClock();
    const b3 = new TokenBucket({ ratePerSecond: 10, burst: 2, initialTokens: 0, now: clock3.now });
    let granted3 = 0;
    for (let i = 0; i <= 100_000; i++) {
      clock3.set(i / 10);
      if (b3.tryTake().ok) granted3++;
    }
    expect(granted3).toBe(100);
  });

  it('grants a request that arrives exactly when its token is due (floating-point slack)', () => {
    for (const rate of [3, 6, 7, 9.7, 33.3, 0.3]) {
      const clock = fakeClock();
      const b = new TokenBucket({ ratePerSecond: rate, burst: 2, initialTokens: 0, now: clock.now });
      const periodMs = 1000 / rate;
      let refused = 0;
      for (let k = 1; k <= 1000; k++) {
        clock.set(k * periodMs);
        if (!b.tryTake().ok) refused++;
      }
      expect(refused, `rate ${rate}/s`).toBe(0);
    }
  });

  it('never holds more than burst, however long it idles', () => {
    const clock = fakeClock();
    const b = new TokenBucket({ ratePerSecond: 100, burst: 5, now: clock.now });
    clock.advance(3_600_000);
    expect(b.available()).toBe(5);
    for (let i = 0; i < 5; i++) expect(b.tryTake().ok).toBe(true);
    expect(b.tryTake().ok).toBe(false);
  });

  it('supports fractional rates', () => {
    const clock = fakeClock();
    const b = new TokenBucket({ ratePerSecond: 0.5, burst: 1, now: clock.now });
    expect(b.tryTake().ok).toBe(true);
    expect(b.tryTake()).toEqual({ ok: false, retryAfterMs: 2000 });
    clock.advance(2000);
    expect(b.tryTake().ok).toBe(true);
  });

  it('ignores a clock that steps back', () => {
    const clock = fakeClock(1000);
    const b = new TokenBucket({ ratePerSecond: 1, burst: 1, now: clock.now });
    expect(b.tryTake().ok).toBe(true);
    clock.set(0);
    expect(b.tryTake().ok).toBe(false);
    clock.set(1999);
    expect(b.tryTake().ok).toBe(false);
    clock.set(2000);
    expect(b.tryTake().ok).toBe(true);
  });

  it('reconfigure keeps accrued tokens, capped at the new burst', () => {
    const clock = fakeClock();
    const b = new TokenBucket({ ratePerSecond: 1, burst: 10, now: clock.now });
    b.reconfigure({ ratePerSecond: 100, burst: 2 });
    expect(b.available()).toBe(2);
    expect(b.tryTake(2).ok).toBe(true);
    expect(b.tryTake()).toEqual({ ok: false, retryAfterMs: 10 });
  });

  it('validates its configuration and arguments', () => {
    expect(() => new TokenBucket({ ratePerSecond: 0, burst: 1 })).toThrow(RangeError);
    expect(() => new TokenBucket({ ratePerSecond: Infinity, burst: 1 })).toThrow(RangeError);
    expect(() => new TokenBucket({ ratePerSecond: 1, burst: 0.5 })).toThrow(RangeError);
    expect(() => new TokenBucket({ ratePerSecond: 1, burst: 1, initialTokens: -1 })).toThrow(RangeError);
    const b = new TokenBucket({ ratePerSecond: 1, burst: 2 });
    expect(() => b.tryTake(0)).toThrow(RangeError);
    expect(() => b.tryTake(3)).toThrow(/burst 2/);
  });

  it('uses a monotonic default clock', () => {
    const b = new TokenBucket({ ratePerSecond: 1, burst: 1 });
    expect(b.tryTake().ok).toBe(true);
    const r = b.tryTake();
    expect(r.ok).toBe(false);
  });
});

describe('TokenBuckets', () => {
  const config = { ratePerSecond: 1, burst: 2 };

  it('keeps one bucket per key', () => {
    const clock = fakeClock();
    const buckets = new TokenBuckets({ now: clock.now });
    expect(buckets.tryTake('a', config).ok).toBe(true);
    expect(buckets.tryTake('a', config).ok).toBe(true);
    expect(buckets.tryTake('a', config)).toEqual({ ok: false, retryAfterMs: 1000 });
    expect(buckets.tryTake('b', config).ok).toBe(true);
    expect(buckets.size).toBe(2);
  });

  it('applies a changed config to an existing bucket', () => {
    const clock = fakeClock();
    const buckets = new TokenBuckets({ now: clock.now });
    buckets.tryTake('a', config);
    buckets.tryTake('a', config);
    expect(buckets.tryTake('a', { ratePerSecond: 10, burst: 2 })).toEqual({ ok: false, retryAfterMs: 100 });
  });

  it('evicts buckets that are idle and full, and only those', () => {
    const clock = fakeClock();
    const buckets = new TokenBuckets({ now: clock.now, idleEvictMs: 10_000 });
    for (let i = 0; i < 1000; i++) buckets.tryTake(`t${i}`, config);
    expect(buckets.size).toBe(1000);
    clock.advance(5_000);
    buckets.tryTake('recent', config);
    clock.advance(5_000);
    // The 1000 old buckets are idle 10 s and full again; 'recent' stays.
    buckets.tryTake('trigger', config);
    expect(buckets.size).toBe(2);
  });

  it('does not evict an idle bucket that is not full yet (no free burst)', () => {
    const clock = fakeClock();
    const slow = { ratePerSecond: 0.01, burst: 1 }; // 100 s to refill
    const buckets = new TokenBuckets({ now: clock.now, idleEvictMs: 1_000 });
    expect(buckets.tryTake('slow', slow).ok).toBe(true);
    clock.advance(2_000);
    buckets.tryTake('other', config);
    expect(buckets.size).toBe(2);
    const again = buckets.tryTake('slow', slow);
    expect(again.ok).toBe(false);
  });

  it('delete forgets a key', () => {
    const buckets = new TokenBuckets({ now: fakeClock().now });
    buckets.tryTake('a', config);
    expect(buckets.delete('a')).toBe(true);
    expect(buckets.size).toBe(0);
  });
});
