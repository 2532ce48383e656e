import type ivm from 'isolated-vm';
import type { ExecutionMetrics } from './types.js';
import type { RunLimits } from './run-limits.js';

/** Metrics of work that ran no tenant code (refused, cancelled or lost before it ran): zeros. */
export function noRunMetrics(wallTimeMs = 0): ExecutionMetrics {
  return { cpuTimeMs: 0, wallTimeMs, queueWaitMs: 0, heapUsedBytes: 0, heapPeakBytes: 0, outputBytes: 0 };
}

/**
 * Builds the metrics of a finished run. Must be called BEFORE the isolate is disposed so the
 * heap can still be read (after a limit disposed it, the last sampled values are used).
 * `queueWaitMs` is the scheduler's to fill in: the engine never sees the queue.
 *
 * The heap is read asynchronously, through `guard` (the run's limits): after the run's last
 * call V8 may still run tenant code on the isolate's thread (a FinalizationRegistry callback
 * after a GC), and a synchronous read would wait for it on the host's event loop, unbounded. A
 * read the limits cut short leaves `heapUsedBytes` at the last sample; the caller sees why in
 * `limits.reason`.
 */
export async function collectExecutionMetrics(
  isolate: ivm.Isolate,
  limits: RunLimits,
  startedAtMs: number,
  outputBytes: number,
  guard: <T>(call: Promise<T>) => Promise<T>,
): Promise<{ metrics: ExecutionMetrics; interrupted?: unknown }> {
  let heapUsedBytes = limits.heapPeakBytes;
  let interrupted: unknown;
  try {
    if (!isolate.isDisposed) {
      const h = await guard(limits.heapAfterLastCall ?? isolate.getHeapStatistics());
      heapUsedBytes = h.used_heap_size + h.externally_allocated_size;
    }
  } catch (err) {
    // disposed, or stopped by a limit while tenant code still ran (limits.reason says which)
    interrupted = err;
  }
  const cpuNs = limits.cpuChargeNs();
  const metrics = {
    cpuTimeMs: Number(cpuNs) / 1e6,
    wallTimeMs: performance.now() - startedAtMs,
    queueWaitMs: 0,
    heapUsedBytes,
    heapPeakBytes: Math.max(limits.heapPeakBytes, heapUsedBytes),
    outputBytes,
  };
  return interrupted === undefined ? { metrics } : { metrics, interrupted };
}
