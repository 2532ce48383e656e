import type { HostileCase } from './harness.js';

/**
 * A microtask that re-queues itself forever (queueMicrotask and promise reactions). The
 * microtask queue never drains, so no macrotask ever runs again: the engine's own timers
 * inside the isolate cannot fire. The worker enforces the cpu limit from the outside: CPU_LIMIT.
 */
const hostileCase: HostileCase = {
  name: 'microtask-flood',
  description:
    'queueMicrotask(function f(){ queueMicrotask(f) }) + Promise.then loop after the script returns',
  limits: { wallTimeMs: 1_000, cpuTimeMs: 500 },
  code: `
(function f() { queueMicrotask(f); })();
(function g() { Promise.resolve().then(g); })();
'returned'`,
  expect: { status: 'error', kind: 'CPU_LIMIT' },
};
export default hostileCase;
