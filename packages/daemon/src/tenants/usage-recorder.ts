/**
 * Per-tenant usage counters (executions, failures by kind, platform failures by vmd error code,
 * cpu time, queue wait, quota refusals),
 * kept per minute in memory on the request path and written to the store in batches: one
 * transaction per flush interval, never a write per request. GetUsage flushes first, so a caller
 * always sees its own runs. A `kill -9` loses at most one interval of usage (admin writes are
 * not affected: they commit before their RPC answers).
 */
import { ErrorCode, VmdError } from '@vmd/core';
import type { Logger } from 'pino';
import type { Store, UsageDelta } from '../store/store.js';

/** Options for {@link UsageRecorder}. */
export interface UsageRecorderOptions {
  /** The open store, or undefined while the daemon starts or stops (flushes then wait). */
  store: () => Store | undefined;
  /** How often pending counters are written, ms. @default 1000 */
  flushIntervalMs?: number;
  /**
   * Pending (tenant, minute) buckets that trigger a flush at once; past 4× this (the store is
   * failing), new usage is dropped and logged rather than growing memory without bound.
   * @default 5000
   */
  maxPendingBuckets?: number;
  logger?: Logger;
  /** Clock, epoch ms. @default Date.now */
  now?: () => number;
}

/** One finished run, as {@link UsageRecorder.recordRun} takes it. */
export interface RunUsage {
  cpuMs: number;
  queueWaitMs: number;
  /** The failure kind (`TIMEOUT`, `RUNTIME`, …) when the tenant's code failed. */
  failureKind?: string;
  /**
   * The vmd error code (`WORKER_CRASHED`, `NO_HEALTHY_WORKER`, `SHUTTING_DOWN`, `INTERNAL`) when
   * the run ended in a platform failure instead: the RPC failed, not the tenant's code.
   */
  platformError?: PlatformFailureCode;
  /** Isolate heap used at the end of the run, bytes. */
  heapBytes?: number;
  /** Wall time of the run in the worker, ms. */
  wallMs?: number;
  /** From the request's arrival to its outcome (admission, queue, dispatch, run), ms. */
  totalMs?: number;
  /** Console output, bytes. */
  outputBytes?: number;
  /** What ran. */
  kind?: 'execute' | 'invoke' | 'repl';
}

/** The vmd error codes that end an admitted run as a platform failure. */
export type PlatformFailureCode =
  | typeof ErrorCode.WORKER_CRASHED
  | typeof ErrorCode.NO_HEALTHY_WORKER
  | typeof ErrorCode.SHUTTING_DOWN
  | typeof ErrorCode.INTERNAL;

const PLATFORM_FAILURE_CODES: ReadonlySet<string> = new Set([
  ErrorCode.WORKER_CRASHED,
  ErrorCode.NO_HEALTHY_WORKER,
  ErrorCode.SHUTTING_DOWN,
  ErrorCode.INTERNAL,
]);

/**
 * The platform failure an error thrown while a run was admitted (queued, dispatched or
 * running) stands for, or undefined when the error is not the platform's: a refusal by a quota,
 * the caller's deadline or cancel (an `AbortError` too), a bad request. Anything else that is
 * not a VmdError is a bug (`INTERNAL`), as the status mapping answers it.
 */
export function platformFailureCode(err: unknown): PlatformFailureCode | undefined {
  if (!(err instanceof VmdError)) {
    const aborted =
      typeof err === 'object' && err !== null && (err as { name?: unknown }).name === 'AbortError';
    return aborted ? undefined : ErrorCode.INTERNAL;
  }
  return PLATFORM_FAILURE_CODES.has(err.code) ? (err.code as PlatformFailureCode) : undefined;
}

/** What the services report about runs: usage counters, live statistics, metrics listen. */
export interface RunMeter {
  recordRun(tenant: string, run: RunUsage): void;
  recordRejected(tenant: string): void;
}

/** Reports every run to several meters. */
export function fanOut(...meters: RunMeter[]): RunMeter {
  return {
    recordRun: (tenant, run) => {
      for (const m of meters) m.recordRun(tenant, run);
    },
    recordRejected: (tenant) => {
      for (const m of meters) m.recordRejected(tenant);
    },
  };
}

interface Bucket {
  tenant: string;
  minute: number;
  executions: number;
  cpuMs: number;
  queueWaitMs: number;
  rejected: number;
  errors: Map<string, number>;
  platformErrors: Map<string, number>;
}

const MINUTE_MS = 60_000;

export class UsageRecorder implements RunMeter {
  private pending = new Map<string, Bucket>();
  private flushing: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private droppedBuckets = 0;
  private readonly now: () => number;
  private readonly flushIntervalMs: number;
  private readonly maxPending: number;

  constructor(private readonly options: UsageRecorderOptions) {
    this.now = options.now ?? Date.now;
    this.flushIntervalMs = options.flushIntervalMs ?? 1000;
    this.maxPending = options.maxPendingBuckets ?? 5000;
  }

  /** Starts the periodic flush (old usage is pruned by the store's retention job). */
  start(): void {
    this.timer ??= setInterval(() => void this.flush(), this.flushIntervalMs);
    this.timer.unref();
  }

  /** Stops the timer and writes what is pending. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.flush();
  }

  /** Counts one admitted run, whatever its outcome (a platform failure included). */
  recordRun(tenant: string, run: RunUsage): void {
    const b = this.bucket(tenant);
    if (b === undefined) return;
    b.executions++;
    b.cpuMs += finite(run.cpuMs);
    b.queueWaitMs += finite(run.queueWaitMs);
    if (run.failureKind !== undefined) add(b.errors, run.failureKind, 1);
    if (run.platformError !== undefined) add(b.platformErrors, run.platformError, 1);
  }

  /** Counts one request refused by a quota (rate, concurrency, queue depth). */
  recordRejected(tenant: string): void {
    const b = this.bucket(tenant);
    if (b !== undefined) b.rejected++;
  }

  /** Writes pending counters now (one transaction). Concurrent calls share one write. */
  async flush(): Promise<void> {
    // A flush in progress may have taken its batch before the caller's latest runs: wait for it,
    // then write what is left.
    while (this.flushing !== undefined) await this.flushing;
    if (this.pending.size === 0) return;
    const store = this.options.store();
    if (store === undefined) return;
    const batch = this.pending;
    this.pending = new Map();
    const deltas: UsageDelta[] = [...batch.values()].map((b) => ({
      tenant: b.tenant,
      time: new Date(b.minute),
      executions: b.executions,
      cpuMs: b.cpuMs,
      queueWaitMs: b.queueWaitMs,
      rejected: b.rejected,
      errors: Object.fromEntries(b.errors),
      platformErrors: Object.fromEntries(b.platformErrors),
    }));
    this.flushing = store.recordUsage(deltas).then(
      () => undefined,
      (err: unknown) => {
        // Keep the counters for the next attempt (merged with newer ones).
        for (const b of batch.values()) this.merge(b);
        this.options.logger?.warn({ err, buckets: batch.size }, 'usage flush failed; will retry');
      },
    );
    try {
      await this.flushing;
    } finally {
      this.flushing = undefined;
    }
  }

  private bucket(tenant: string): Bucket | undefined {
    const minute = Math.floor(this.now() / MINUTE_MS) * MINUTE_MS;
    const key = `${tenant}\u0000${minute}`;
    let b = this.pending.get(key);
    if (b !== undefined) return b;
    if (this.pending.size >= this.maxPending * 4) {
      if (this.droppedBuckets++ % 1000 === 0) {
        this.options.logger?.warn({ pending: this.pending.size }, 'usage store is behind; dropping usage');
      }
      return undefined;
    }
    b = {
      tenant,
      minute,
      executions: 0,
      cpuMs: 0,
      queueWaitMs: 0,
      rejected: 0,
      errors: new Map(),
      platformErrors: new Map(),
    };
    this.pending.set(key, b);
    if (this.pending.size >= this.maxPending) void this.flush();
    return b;
  }

  private merge(b: Bucket): void {
    const key = `${b.tenant}\u0000${b.minute}`;
    const into = this.pending.get(key);
    if (into === undefined) {
      this.pending.set(key, b);
      return;
    }
    into.executions += b.executions;
    into.cpuMs += b.cpuMs;
    into.queueWaitMs += b.queueWaitMs;
    into.rejected += b.rejected;
    for (const [kind, n] of b.errors) add(into.errors, kind, n);
    for (const [code, n] of b.platformErrors) add(into.platformErrors, code, n);
  }
}

function add(counts: Map<string, number>, key: string, n: number): void {
  counts.set(key, (counts.get(key) ?? 0) + n);
}

function finite(x: number): number {
  return Number.isFinite(x) && x > 0 ? x : 0;
}
