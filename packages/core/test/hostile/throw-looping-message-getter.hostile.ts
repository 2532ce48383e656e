import type { HostileCase } from './harness.js';

/**
 * The tenant throws a plain object whose `message`, `name` and `stack` getters loop forever.
 * Converting it to a failure runs the getters: inside the isolate, under the limit. RUNTIME
 * (conversion avoided the getters) or TIMEOUT; never a hang.
 *
 * Regression guard: the first engine failed this (in a classic script the synchronous throw
 * was converted by isolated-vm on `run()`; the getters looped there, dispose did not end it,
 * the run never got an outcome and a thread spun at 100% CPU); fixed the same day.
 */
const hostileCase: HostileCase = {
  name: 'throw-looping-message-getter',
  description: 'throw { get message() { for(;;); }, get name() { for(;;); }, get stack() { for(;;); } }',
  limits: { wallTimeMs: 1_000, cpuTimeMs: 500 },
  code: `
throw {
  get message() { for (;;) {} },
  get name() { for (;;) {} },
  get stack() { for (;;) {} },
  toString: function () { for (;;) {} },
};`,
  mayRetireWorker: true,
  expect: { status: 'error', kind: ['RUNTIME', 'TIMEOUT'] },
};
export default hostileCase;
