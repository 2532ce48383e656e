import type { HostileCase } from './harness.js';

/**
 * `new Map()` grown forever with small objects under a 32 MiB limit. Expected MEMORY_LIMIT,
 * worker alive.
 *
 * Measured with isolated-vm 6.2.0 on Node 24.21 (plain `ctx.eval` with a timeout, no
 * engine): V8 hits a fatal OOM ("CALL_AND_RETRY_LAST", is_heap_oom = 1) when the Map's hash
 * table grows near the limit, and the whole process aborts (SIGABRT) instead of the isolate
 * being disposed for its memory limit (32, 64 and 128 MiB all abort). In a worker that is
 * one line of tenant code killing every in-flight run of every tenant on that worker. If
 * this case fails with "worker exited … SIGABRT", that is this hazard.
 *
 * FINDING (measured 2026-11-28 against the engine in the work tree; isolated-vm 6.2.0, Node
 * 24.21): this ends in V8's fatal OOM ("Catastrophic out-of-memory error", last-resort GCs)
 * instead of isolated-vm's memory-limit disposal. The engine now reports MEMORY_LIMIT ("ran
 * out of memory and stopped responding") after the wall limit, lets the other in-flight runs
 * finish and refuses new ones (NO_HEALTHY_WORKER), but the worker process then hangs in its
 * exit (still there 30 s later) until something SIGKILLs it: the case fails on "a retiring
 * worker must exit on its own". (Earlier the worker also cancelled every other in-flight run.)
 */
const hostileCase: HostileCase = {
  name: 'memory-bomb-map-objects',
  description: 'var m = new Map(); for (var i = 0;; i++) m.set(i, { i }) under a 32 MiB limit',
  limits: { memoryMib: 32, wallTimeMs: 2_000, cpuTimeMs: 2_000 },
  code: `var m = new Map(); for (var i = 0; ; i++) m.set(i, { i: i });`,
  finding: 'catastrophic OOM: the retiring worker hangs in its exit',
  mayRetireWorker: true,
  expect: { status: 'error', kind: 'MEMORY_LIMIT' },
};
export default hostileCase;
