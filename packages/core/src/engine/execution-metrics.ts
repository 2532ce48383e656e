import type ivm from 'isolated-vm';
import type { ExecutionMetrics } from './types.js';
import type { RunLimits } from './run-limits.js';

/**
 * Builds the metrics of a finished run. Must be called BEFORE the isolate is disposed so the
 * heap can still be read (after a limit disposed it, the last sampled values are used).
 * `queueWaitMs` is the scheduler's to fill in: the engine never sees the queue.
 */
export function collectExecutionMetrics(
  isolate: ivm.Isolate,
  limits: RunLimits,
  startedAtMs: number,
  outputBytes: number,
): ExecutionMetrics {
  const cpuNs = limits.cpuUsedNs();
  let heapUsedBytes = 0;
  try {
    if (!isolate.isDisposed) {
      const h = isolate.getHeapStatisticsSync();
      heapUsedBytes = h.used_heap_size + h.externally_allocated_size;
    }
  } catch {
    // disposed concurrently
  }
  return {
    cpuTimeMs: Number(cpuNs) / 1e6,
    wallTimeMs: performance.now() - startedAtMs,
    queueWaitMs: 0,
    heapUsedBytes,
    heapPeakBytes: Math.max(limits.heapPeakBytes, heapUsedBytes),
    outputBytes,
  };
}
