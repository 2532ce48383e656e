import { ErrorCode, VmdError } from '@vmd/core';
import { describe, expect, it } from 'vitest';
import { Admission, type AdmissionQuota } from './admission.js';

const QUOTA: AdmissionQuota = {
  ratePerSecond: 1,
  burst: 2,
  maxConcurrent: 1,
  queueDepth: 10,
  weight: 1,
  replSessions: 1,
};

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
    return undefined;
  } catch (err) {
    return err instanceof VmdError ? err.code : String(err);
  }
}

/** An Admission on a manual clock; `flood(n)` admits and releases n new distinct tenants. */
function setup(maxIdleTenants = 100) {
  const clock = { ms: 0 };
  const admission = new Admission({ maxIdleTenants, now: () => clock.ms });
  let next = 0;
  const flood = (n: number): void => {
    for (let i = 0; i < n; i++) admission.admit(`drive-by-${next++}`, QUOTA)();
  };
  return { clock, admission, flood };
}

describe('Admission', () => {
  it('limits concurrency and rate per tenant', () => {
    const { clock, admission } = setup();
    const r1 = admission.admit('a', QUOTA);
    expect(codeOf(() => admission.admit('a', QUOTA))).toBe(ErrorCode.CONCURRENCY_LIMITED);
    r1();
    r1(); // idempotent
    admission.admit('a', QUOTA)();
    expect(codeOf(() => admission.admit('a', QUOTA))).toBe(ErrorCode.RATE_LIMITED);
    clock.ms += 1_000;
    expect(codeOf(() => admission.admit('a', QUOTA)())).toBeUndefined();
  });

  it('does not keep idle tenants forever: a stream of distinct names stays bounded', () => {
    const { clock, admission, flood } = setup(100);
    for (let round = 0; round < 50; round++) {
      flood(100);
      clock.ms += 2_000; // their buckets refill: idle
    }
    // 5 000 distinct tenants went by; only up to the sweep threshold are held.
    expect(admission.size).toBeLessThanOrEqual(100);
  });

  it('evicts only idle tenants (nothing running, bucket full again)', () => {
    const { clock, admission, flood } = setup(100);
    flood(98);
    const releaseBusy = admission.admit('busy', QUOTA); // a run in progress
    admission.admit('drained', QUOTA)();
    admission.admit('drained', QUOTA)(); // nothing running, but its bucket is empty
    expect(admission.size).toBe(100);
    clock.ms += 1_000; // the drive-by tenants are full again (2/2), 'drained' is not (1/2)
    flood(1); // a new tenant at the threshold: sweep
    expect(admission.size).toBe(3); // busy, drained and the newcomer
    flood(97);
    clock.ms += 10_000; // now 'drained' is idle too
    flood(1); // the next sweep is due at max(100, 2 × 2) = 100
    expect(admission.size).toBe(2); // 'busy' (still running) and the newcomer
    releaseBusy();
  });

  it('never evicts a tenant with runs in progress: its concurrency limit holds', () => {
    const { clock, admission, flood } = setup(10);
    const releaseBusy = admission.admit('busy', QUOTA);
    clock.ms += 60_000; // its bucket is full again, but it is running
    for (let i = 0; i < 10; i++) {
      flood(10);
      clock.ms += 2_000;
    }
    expect(codeOf(() => admission.admit('busy', QUOTA))).toBe(ErrorCode.CONCURRENCY_LIMITED);
    releaseBusy();
    expect(codeOf(() => admission.admit('busy', QUOTA)())).toBeUndefined();
  });

  it('keeps rate limiting an active tenant across sweeps', () => {
    const { clock, admission, flood } = setup(10);
    const slow = { ...QUOTA, ratePerSecond: 0.01 }; // one token per 100 s
    admission.admit('hot', slow)();
    admission.admit('hot', slow)(); // burst used up
    for (let i = 0; i < 10; i++) {
      flood(10); // many sweeps
      clock.ms += 1_000; // the drive-by tenants refill, 'hot' barely does
    }
    expect(admission.size).toBeLessThanOrEqual(20);
    expect(codeOf(() => admission.admit('hot', slow))).toBe(ErrorCode.RATE_LIMITED);
    clock.ms += 100_000;
    expect(codeOf(() => admission.admit('hot', slow)())).toBeUndefined();
  });

  it('keeps the running count right when a quota change replaces a tenant state', () => {
    const { admission, flood } = setup(10);
    const r1 = admission.admit('q', QUOTA);
    const bigger = { ...QUOTA, maxConcurrent: 2 };
    const r2 = admission.admit('q', bigger);
    expect(codeOf(() => admission.admit('q', bigger))).toBe(ErrorCode.CONCURRENCY_LIMITED);
    flood(20); // sweeps keep 'q': 2 runs in progress
    expect(codeOf(() => admission.admit('q', bigger))).toBe(ErrorCode.CONCURRENCY_LIMITED);
    r1();
    r2();
    expect(codeOf(() => admission.admit('q', bigger)())).toBeUndefined();
  });

  it('rejects a bad maxIdleTenants', () => {
    expect(() => new Admission({ maxIdleTenants: 0 })).toThrow(RangeError);
  });
});
