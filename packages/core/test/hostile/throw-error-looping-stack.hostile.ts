import type { HostileCase } from './harness.js';

/**
 * A real Error whose `stack`, `name`, `message` and `constructor` are replaced by looping
 * getters before it is thrown. The engine reads some of them to build the failure: inside
 * the isolate, bounded by the limit. RUNTIME or CPU_LIMIT, never a hang.
 *
 * Regression guard: the first engine failed this (in a classic script the synchronous throw
 * was converted by isolated-vm on `run()`; the getters looped there, dispose did not end it,
 * the run never got an outcome and a thread spun at 100% CPU); fixed the same day.
 */
const hostileCase: HostileCase = {
  name: 'throw-error-looping-stack',
  description: 'throw an Error whose stack/name/message getters loop',
  limits: { wallTimeMs: 1_000, cpuTimeMs: 500 },
  code: `
var e = new TypeError('real');
var loop = { configurable: true, get: function () { for (;;) {} } };
Object.defineProperty(e, 'stack', loop);
Object.defineProperty(e, 'message', loop);
Object.defineProperty(e, 'name', loop);
Object.defineProperty(e, 'constructor', loop);
throw e;`,
  mayRetireWorker: true,
  expect: { status: 'error', kind: ['RUNTIME', 'CPU_LIMIT'] },
};
export default hostileCase;
