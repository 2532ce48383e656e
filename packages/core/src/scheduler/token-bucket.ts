/** Rate and burst of a {@link TokenBucket}. */
export interface TokenBucketConfig {
  /** Sustained rate: tokens added per second (positive, finite; may be fractional, e.g. 0.5). */
  ratePerSecond: number;
  /** Bucket size: the most tokens that can be taken at once after an idle period (≥ 1). */
  burst: number;
}

/** Options for {@link TokenBucket}. */
export interface TokenBucketOptions extends TokenBucketConfig {
  /**
   * Monotonic clock in ms.
   * @default performance.now
   */
  now?: () => number;
  /**
   * Tokens in the bucket at creation.
   * @default burst (a new bucket starts full)
   */
  initialTokens?: number;
}

/** The answer of {@link TokenBucket.tryTake}. */
export type TakeResult =
  | { ok: true }
  | {
      ok: false;
      /**
       * Ms until enough tokens will have accrued (≥ 1, rounded up): retrying after this long
       * succeeds unless someone else takes them first.
       */
      retryAfterMs: number;
    };

/**
 * Rounding slack for token counts. Refill is computed in floating point (elapsed ms × rate /
 * 1000), so 3 ms at 1000/s can come out as 2.9999999999999996 tokens; without slack, a request
 * exactly on its refill time would be refused with a retry-after of 1 ms.
 */
const EPSILON = 1e-9;

const TAKE_OK: TakeResult = Object.freeze({ ok: true });

/**
 * A token bucket: up to `burst` requests at once, `ratePerSecond` sustained. Tokens are a
 * fractional count refilled lazily from the clock on each call, so there is no timer and a
 * bucket costs nothing while idle.
 */
export class TokenBucket {
  private ratePerMs: number;
  private burstSize: number;
  private tokens: number;
  private last: number;
  private readonly now: () => number;

  /** @throws RangeError if the rate, burst or initial tokens are out of range. */
  constructor(options: TokenBucketOptions) {
    checkConfig(options);
    this.now = options.now ?? (() => performance.now());
    this.ratePerMs = options.ratePerSecond / 1000;
    this.burstSize = options.burst;
    const initial = options.initialTokens ?? options.burst;
    if (!(Number.isFinite(initial) && initial >= 0)) {
      throw new RangeError(`initialTokens must be a finite number ≥ 0, got ${initial}`);
    }
    this.tokens = Math.min(initial, options.burst);
    this.last = this.now();
  }

  /** Tokens added per second. */
  get ratePerSecond(): number {
    return this.ratePerMs * 1000;
  }

  /** Bucket size. */
  get burst(): number {
    return this.burstSize;
  }

  /**
   * Takes `n` tokens if they are there; otherwise takes nothing and says how long to wait.
   * @throws RangeError if `n` is not a positive finite number or is larger than the burst (such
   *   a request could never succeed).
   */
  tryTake(n = 1): TakeResult {
    if (!(Number.isFinite(n) && n > 0)) {
      throw new RangeError(`tokens to take must be a positive finite number, got ${n}`);
    }
    if (n > this.burstSize) {
      throw new RangeError(`cannot take ${n} tokens from a bucket of burst ${this.burstSize}`);
    }
    this.refill();
    if (this.tokens + EPSILON >= n) {
      this.tokens = Math.max(0, this.tokens - n);
      return TAKE_OK;
    }
    const missing = n - this.tokens;
    return { ok: false, retryAfterMs: Math.max(1, Math.ceil(missing / this.ratePerMs - EPSILON)) };
  }

  /** Tokens available now (fractional). */
  available(): number {
    this.refill();
    return this.tokens;
  }

  /** True if the bucket is full now, i.e. indistinguishable from a new bucket. */
  isFull(): boolean {
    return this.available() + EPSILON >= this.burstSize;
  }

  /**
   * Changes rate and burst (a quota update). Tokens accrued so far at the old rate are kept,
   * capped at the new burst.
   * @throws RangeError if the new values are out of range.
   */
  reconfigure(config: TokenBucketConfig): void {
    checkConfig(config);
    this.refill();
    this.ratePerMs = config.ratePerSecond / 1000;
    this.burstSize = config.burst;
    this.tokens = Math.min(this.tokens, this.burstSize);
  }

  private refill(): void {
    const now = this.now();
    // A clock that steps back (it should not: the default is monotonic) refills nothing.
    const elapsedMs = Math.max(0, now - this.last);
    this.last = Math.max(this.last, now);
    if (elapsedMs > 0) {
      this.tokens = Math.min(this.burstSize, this.tokens + elapsedMs * this.ratePerMs);
    }
  }
}

/** Options for {@link TokenBuckets}. */
export interface TokenBucketsOptions {
  /**
   * Monotonic clock in ms, shared by all buckets.
   * @default performance.now
   */
  now?: () => number;
  /**
   * A bucket unused for this long, and full again, is dropped from the map. Dropping a full
   * bucket loses nothing: it is recreated full on the key's next request.
   * @default 60000
   */
  idleEvictMs?: number;
}

/**
 * Token buckets by key (tenant name), created on first use and evicted once idle and full, so
 * the map holds only recently active keys. The map is kept in least-recently-used order, so
 * eviction is amortized O(1) per call and needs no timer.
 */
export class TokenBuckets {
  private readonly now: () => number;
  private readonly idleEvictMs: number;
  private readonly buckets = new Map<string, { bucket: TokenBucket; lastUsed: number }>();

  constructor(options: TokenBucketsOptions = {}) {
    this.now = options.now ?? (() => performance.now());
    const idle = options.idleEvictMs ?? 60_000;
    if (!(Number.isFinite(idle) && idle >= 0)) {
      throw new RangeError(`idleEvictMs must be a finite number ≥ 0, got ${idle}`);
    }
    this.idleEvictMs = idle;
  }

  /**
   * Takes `n` tokens from `key`'s bucket, creating it (full) if needed. `config` is the key's
   * current rate and burst: when it differs from the bucket's, the bucket is reconfigured.
   * @throws RangeError for a bad config or `n` (see {@link TokenBucket.tryTake}).
   */
  tryTake(key: string, config: TokenBucketConfig, n = 1): TakeResult {
    const now = this.now();
    this.evictIdle(now);
    let slot = this.buckets.get(key);
    if (slot === undefined) {
      slot = { bucket: new TokenBucket({ ...config, now: this.now }), lastUsed: now };
    } else {
      this.buckets.delete(key); // re-inserted below: moves the key to the most recent end
      if (slot.bucket.ratePerSecond !== config.ratePerSecond || slot.bucket.burst !== config.burst) {
        slot.bucket.reconfigure(config);
      }
      slot.lastUsed = now;
    }
    this.buckets.set(key, slot);
    return slot.bucket.tryTake(n);
  }

  /** Forgets `key`'s bucket (tenant deleted). */
  delete(key: string): boolean {
    return this.buckets.delete(key);
  }

  /** Buckets held now. */
  get size(): number {
    return this.buckets.size;
  }

  /** Drops buckets idle for `idleEvictMs` and full, oldest first; stops at the first keeper. */
  private evictIdle(now: number): void {
    for (const [key, slot] of this.buckets) {
      if (now - slot.lastUsed < this.idleEvictMs || !slot.bucket.isFull()) return;
      this.buckets.delete(key);
    }
  }
}

function checkConfig(config: TokenBucketConfig): void {
  if (!(Number.isFinite(config.ratePerSecond) && config.ratePerSecond > 0)) {
    throw new RangeError(`ratePerSecond must be a positive finite number, got ${config.ratePerSecond}`);
  }
  if (!(Number.isFinite(config.burst) && config.burst >= 1)) {
    throw new RangeError(`burst must be a finite number ≥ 1, got ${config.burst}`);
  }
}
