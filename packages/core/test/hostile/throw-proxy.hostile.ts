import type { HostileCase } from './harness.js';

/**
 * The tenant throws a Proxy whose traps throw or loop. Turning the thrown value into an
 * ExecutionFailure (name, message, stack) must happen inside the isolate under the time
 * limit (DESIGN.md: thrown objects whose getters loop while being converted). Expected: a
 * typed error, RUNTIME (the engine converted it defensively) or CPU_LIMIT (a trap looped
 * during conversion); never a hang.
 *
 * Regression guard: the first engine failed this (in a classic script the synchronous throw
 * was converted by isolated-vm on `run()`; the traps looped there, dispose did not end it, the
 * run never got an outcome and a thread spun at 100% CPU); fixed the same day.
 */
const hostileCase: HostileCase = {
  name: 'throw-proxy',
  description: 'throw new Proxy({}, { get: loop, getPrototypeOf: loop, … })',
  limits: { wallTimeMs: 1_000, cpuTimeMs: 500 },
  code: `
var loop = function () { for (;;) {} };
throw new Proxy({}, { get: loop, getPrototypeOf: loop, has: loop, ownKeys: loop, getOwnPropertyDescriptor: loop });`,
  mayRetireWorker: true,
  expect: { status: 'error', kind: ['RUNTIME', 'CPU_LIMIT'] },
};
export default hostileCase;
