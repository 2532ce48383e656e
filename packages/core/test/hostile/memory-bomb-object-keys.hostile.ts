import type { HostileCase } from './harness.js';

/**
 * A plain object grown forever with distinct keys (dictionary mode) under a 32 MiB limit.
 * Expected MEMORY_LIMIT, worker alive.
 *
 * Measured with isolated-vm 6.2.0 on Node 24.21 (no engine): the dictionary's backing store
 * growth ends in a V8 fatal OOM ("CALL_AND_RETRY_LAST") that aborts the whole process
 * (SIGABRT) at 32, 64 and 128 MiB. A failure "worker exited … SIGABRT" is that hazard.
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
  name: 'memory-bomb-object-keys',
  description: "var o = {}; for (var i = 0;; i++) o['k' + i] = i under a 32 MiB limit",
  limits: { memoryMib: 32, wallTimeMs: 2_000, cpuTimeMs: 2_000 },
  code: `var o = {}; for (var i = 0; ; i++) o['k' + i] = i;`,
  finding: 'catastrophic OOM: the retiring worker hangs in its exit',
  mayRetireWorker: true,
  expect: { status: 'error', kind: 'MEMORY_LIMIT' },
};
export default hostileCase;
