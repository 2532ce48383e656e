/**
 * Per-tenant admission before a request may queue: its rate (token bucket: `ratePerSecond`
 * refill, `burst` size) and its runs in progress (`maxConcurrent`). Refusals are immediate
 * RESOURCE_EXHAUSTED errors with a retry-after hint (trailer `vmd-retry-after-ms`), so a flood
 * costs the daemon almost nothing and never delays another tenant.
 */
import { ErrorCode, ResourceExhaustedError, TokenBucket } from '@vmd/core';

/** The admission quotas of one tenant. */
export interface AdmissionQuota {
  ratePerSecond: number;
  burst: number;
  maxConcurrent: number;
  /** Requests that may wait in the tenant's queue (the scheduler enforces it). */
  queueDepth: number;
  /** Share of the run slots relative to other tenants (the scheduler's DRR weight, 1 = normal). */
  weight: number;
  /** Open REPL sessions allowed at once. */
  replSessions: number;
}

/** Retry hint when the concurrency limit refuses: a typical short run, ms. */
const CONCURRENCY_RETRY_MS = 100;

/** Options for {@link Admission}. */
export interface AdmissionOptions {
  /**
   * Tenants tracked before idle ones are swept out (a tenant is idle when it has nothing
   * running and its bucket is full again: forgetting it loses nothing, its next request starts
   * from a fresh full bucket exactly as if it had been kept). The sweep runs when the map
   * reaches this size, then again when it has doubled from what the sweep kept, so it costs
   * amortized O(1) per admit and memory stays bounded by the tenants that are actually active.
   * @default 10000
   */
  maxIdleTenants?: number;
  /** Monotonic clock of the token buckets, ms. @default performance.now */
  now?: () => number;
}

interface TenantState {
  quota: AdmissionQuota;
  bucket: TokenBucket;
  running: number;
}

export class Admission {
  private readonly tenants = new Map<string, TenantState>();
  private readonly maxIdleTenants: number;
  private readonly now: (() => number) | undefined;
  /** Map size at which the next sweep runs. */
  private sweepAt: number;

  constructor(options: AdmissionOptions = {}) {
    const max = options.maxIdleTenants ?? 10_000;
    if (!(Number.isInteger(max) && max >= 1)) {
      throw new RangeError(`maxIdleTenants must be an integer ≥ 1, got ${max}`);
    }
    this.maxIdleTenants = max;
    this.sweepAt = max;
    this.now = options.now;
  }

  /** Tenants tracked now. */
  /** Runs in progress of `tenant` (admitted, not ended). */
  running(tenant: string): number {
    return this.tenants.get(tenant)?.running ?? 0;
  }

  get size(): number {
    return this.tenants.size;
  }

  /**
   * Admits one request of `tenant`; call the returned function once when it ends.
   * @throws ResourceExhaustedError RATE_LIMITED or CONCURRENCY_LIMITED, with retryAfterMs.
   */
  admit(tenant: string, quota: AdmissionQuota): () => void {
    let state = this.tenants.get(tenant);
    if (
      state === undefined ||
      state.quota.ratePerSecond !== quota.ratePerSecond ||
      state.quota.burst !== quota.burst ||
      state.quota.maxConcurrent !== quota.maxConcurrent
    ) {
      // New tenant or changed quota: a fresh bucket (full), the running count carried over.
      if (state === undefined && this.tenants.size >= this.sweepAt) this.sweep();
      state = {
        quota: { ...quota },
        bucket: new TokenBucket({
          ratePerSecond: quota.ratePerSecond,
          burst: Math.max(1, quota.burst),
          ...(this.now ? { now: this.now } : {}),
        }),
        running: state?.running ?? 0,
      };
      this.tenants.set(tenant, state);
    }
    if (state.running >= quota.maxConcurrent) {
      throw new ResourceExhaustedError(
        ErrorCode.CONCURRENCY_LIMITED,
        `tenant '${tenant}' already has ${state.running} runs in progress, its limit; retry when one ends`,
        CONCURRENCY_RETRY_MS,
      );
    }
    const taken = state.bucket.tryTake();
    if (!taken.ok) {
      throw new ResourceExhaustedError(
        ErrorCode.RATE_LIMITED,
        `tenant '${tenant}' is over its rate of ${quota.ratePerSecond} requests/s (burst ${quota.burst}); retry in ${taken.retryAfterMs} ms`,
        taken.retryAfterMs,
      );
    }
    state.running++;
    const current = state;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      current.running--;
      // The state may have been replaced by a quota change: keep the live count right.
      const live = this.tenants.get(tenant);
      if (live !== undefined && live !== current) live.running = Math.max(0, live.running - 1);
    };
  }

  /**
   * Forgets idle tenants: nothing running and a full bucket. A tenant with runs in progress
   * (its concurrency count) or a partly drained bucket (its rate limit) is kept.
   */
  private sweep(): void {
    for (const [tenant, state] of this.tenants) {
      if (state.running === 0 && state.bucket.isFull()) this.tenants.delete(tenant);
    }
    this.sweepAt = Math.max(this.maxIdleTenants, 2 * this.tenants.size);
  }
}
