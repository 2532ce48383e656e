import type { HostileCase } from './harness.js';

/**
 * 500 000 pending timers (and intervals). If timers are host-side, each is host state the
 * isolate's memory limit does not count; DESIGN.md: bridges are counted and capped. The run
 * must end typed (ok if the engine does not wait for timers, TIMEOUT if it does, RUNTIME if
 * it caps them, MEMORY_LIMIT if the timer table fills the heap), with the worker's RSS bounded
 * and nothing firing afterwards.
 *
 * FINDING (measured 2026-11-28 against the engine in the work tree; isolated-vm 6.2.0, Node
 * 24.21): the timer table (500 000 entries in a 64 MiB heap) can end in V8's fatal OOM ("Catastrophic out-of-memory error", last-resort GCs)
 * instead of isolated-vm's memory-limit disposal. The engine now reports MEMORY_LIMIT ("ran
 * out of memory and stopped responding") after the wall limit, lets the other in-flight runs
 * finish and refuses new ones (NO_HEALTHY_WORKER), but the worker process then hangs in its
 * exit (still there 30 s later) until something SIGKILLs it: the case fails on "a retiring
 * worker must exit on its own". (Earlier the worker also cancelled every other in-flight run.)
 */
const hostileCase: HostileCase = {
  name: 'timer-flood',
  description: 'for (i < 500000) setTimeout(f, 1e9) / setInterval(f, 1e9)',
  limits: { wallTimeMs: 2_000, cpuTimeMs: 2_000 },
  maxWorkerRssMib: 1024,
  code: `
var n = 0;
try { for (var i = 0; i < 250000; i++) { setTimeout(function () { console.log('LEAK-timer'); }, 1e9); setInterval(function () {}, 1e9); n += 2; } }
catch (e) { n = -n; }
n`,
  finding: 'catastrophic OOM: the retiring worker hangs in its exit',
  mayRetireWorker: true,
  expect: [{ status: 'ok' }, { status: 'error', kind: ['TIMEOUT', 'RUNTIME', 'MEMORY_LIMIT'] }],
};
export default hostileCase;
