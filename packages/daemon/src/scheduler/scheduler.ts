import { ErrorCode, ResourceExhaustedError, VmdError } from '@vmd/core';
import { WeightedDrrPolicy, type QueuePolicy } from './queue-policy.js';

/** Options for {@link Scheduler}. */
export interface SchedulerOptions {
  /**
   * How many runs may be in flight now (workers ready × per-worker cap). Read on every pump;
   * call {@link Scheduler.pump} when it grows.
   */
  capacity: () => number;
  /** Queued requests allowed per tenant; more → RESOURCE_EXHAUSTED (QUEUE_FULL). */
  maxQueueDepthPerTenant: number;
  /** Wall clock for deadlines, epoch ms (deadlines are epoch ms). @default Date.now */
  now?: () => number;
  /**
   * Monotonic clock for durations (queue wait, slot hold time), ms with sub-ms precision.
   * @default performance.now
   */
  monotonicNow?: () => number;
  /** Cross-tenant policy. @default new WeightedDrrPolicy() */
  policy?: QueuePolicy<Waiter>;
}

/** Options of one {@link Scheduler.acquire}. */
export interface AcquireOptions {
  /** Absolute deadline, epoch ms (`Infinity`: none). A request still queued then is dropped. */
  deadlineMs?: number;
  /** Aborting removes the request from the queue (rejects with CANCELLED). */
  signal?: AbortSignal;
  /** This tenant's queue depth (its quota), capped by `maxQueueDepthPerTenant`. @default the cap */
  queueDepth?: number;
  /** This tenant's share of the slots relative to others (its weight quota). @default 1 */
  weight?: number;
}

/** A granted run slot. Call `release()` exactly once when the run is over. */
export interface Slot {
  readonly tenantId: string;
  /** Time spent queued, ms (monotonic clock, sub-ms precision). */
  readonly queueWaitMs: number;
  release(): void;
}

/** @internal a queued request */
export interface Waiter {
  tenantId: string;
  /** When it was queued, on the monotonic clock. */
  enqueuedAt: number;
  resolve: (slot: Slot) => void;
  reject: (err: unknown) => void;
  cleanup: () => void;
}

/**
 * Admits runs: a global in-flight cap plus per-tenant FIFO queues served across tenants by a
 * {@link QueuePolicy} (weighted deficit round robin). A full tenant queue answers QUEUE_FULL at once with a
 * retry-after hint; a request whose deadline passes while queued is dropped with
 * DEADLINE_EXCEEDED and never runs.
 */
export class Scheduler {
  private readonly policy: QueuePolicy<Waiter>;
  private readonly now: () => number;
  private readonly monotonicNow: () => number;
  private inFlightCount = 0;
  private closedError: VmdError | undefined;
  /** Moving average of how long a slot is held, ms (for retry-after hints). */
  private avgHoldMs = 100;

  constructor(private readonly options: SchedulerOptions) {
    this.policy = options.policy ?? new WeightedDrrPolicy<Waiter>();
    this.now = options.now ?? Date.now;
    this.monotonicNow = options.monotonicNow ?? (() => performance.now());
  }

  /** Runs holding a slot. */
  get inFlight(): number {
    return this.inFlightCount;
  }

  /** Requests waiting in total. */
  get queued(): number {
    return this.policy.size;
  }

  /** Requests waiting for one tenant. */
  queueDepth(tenantId: string): number {
    return this.policy.depth(tenantId);
  }

  /**
   * Waits for a run slot.
   * @throws ResourceExhaustedError QUEUE_FULL when the tenant's queue is full.
   * @throws VmdError DEADLINE_EXCEEDED when the deadline passes while queued.
   * @throws VmdError CANCELLED when `signal` aborts while queued.
   * @throws the close error (SHUTTING_DOWN) after {@link close}.
   */
  acquire(tenantId: string, options: AcquireOptions = {}): Promise<Slot> {
    if (this.closedError) return Promise.reject(this.closedError);
    const deadlineMs = options.deadlineMs ?? Infinity;
    const now = this.now();
    const enqueuedAt = this.monotonicNow();
    if (deadlineMs <= now) return Promise.reject(deadlineError());
    if (options.signal?.aborted) return Promise.reject(cancelledError());

    if (this.policy.size === 0 && this.inFlightCount < this.options.capacity()) {
      return Promise.resolve(this.grant(tenantId, enqueuedAt));
    }
    const maxDepth = Math.min(options.queueDepth ?? Infinity, this.options.maxQueueDepthPerTenant);
    if (this.policy.depth(tenantId) >= maxDepth) {
      const retryAfterMs = this.retryAfterHintMs();
      return Promise.reject(
        new ResourceExhaustedError(
          ErrorCode.QUEUE_FULL,
          `tenant '${tenantId}' already has ${maxDepth} requests queued; retry after ${retryAfterMs} ms or send fewer requests at once`,
          retryAfterMs,
        ),
      );
    }

    return new Promise<Slot>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const onAbort = (): void => {
        if (this.policy.remove(tenantId, waiter)) {
          waiter.cleanup();
          reject(cancelledError());
        }
      };
      const waiter: Waiter = {
        tenantId,
        enqueuedAt,
        resolve,
        reject,
        cleanup: () => {
          if (timer) clearTimeout(timer);
          options.signal?.removeEventListener('abort', onAbort);
        },
      };
      if (Number.isFinite(deadlineMs)) {
        timer = setTimeout(
          () => {
            if (this.policy.remove(tenantId, waiter)) {
              waiter.cleanup();
              reject(deadlineError());
            }
          },
          Math.max(0, deadlineMs - now),
        );
        timer.unref?.();
      }
      options.signal?.addEventListener('abort', onAbort, { once: true });
      this.policy.enqueue(tenantId, waiter, options.weight ?? 1);
      this.pump();
    });
  }

  /** Grants queued requests while capacity allows. Call when capacity may have grown. */
  pump(): void {
    while (this.policy.size > 0 && this.inFlightCount < this.options.capacity()) {
      const next = this.policy.next();
      if (!next) break;
      next.item.cleanup();
      next.item.resolve(this.grant(next.tenantId, next.item.enqueuedAt));
    }
  }

  /** Rejects everything queued and every later acquire with `error`. */
  close(error: VmdError): void {
    this.closedError = error;
    for (const waiter of this.policy.drain()) {
      waiter.cleanup();
      waiter.reject(error);
    }
  }

  /** `enqueuedAt` is on the monotonic clock. */
  private grant(tenantId: string, enqueuedAt: number): Slot {
    this.inFlightCount++;
    const grantedAt = this.monotonicNow();
    let released = false;
    return {
      tenantId,
      queueWaitMs: Math.max(0, grantedAt - enqueuedAt),
      release: () => {
        if (released) return;
        released = true;
        this.inFlightCount--;
        this.avgHoldMs = this.avgHoldMs * 0.9 + Math.max(0, this.monotonicNow() - grantedAt) * 0.1;
        this.pump();
      },
    };
  }

  private retryAfterHintMs(): number {
    const capacity = Math.max(1, this.options.capacity());
    const estimate = (this.avgHoldMs * (this.policy.size + 1)) / capacity;
    return Math.min(30_000, Math.max(10, Math.ceil(estimate)));
  }
}

function deadlineError(): VmdError {
  return new VmdError(
    ErrorCode.DEADLINE_EXCEEDED,
    "the request's deadline passed while it waited in the queue; it was not run. Retry with a longer deadline",
  );
}

function cancelledError(): VmdError {
  return new VmdError(ErrorCode.CANCELLED, 'the request was cancelled while it waited in the queue');
}
