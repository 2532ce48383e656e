import { expect } from 'vitest';
import type { HostileCase } from './harness.js';

/**
 * Work that tries to outlive its run and act in the next one: timers (setTimeout past the
 * wall limit, setInterval forever), a promise reaction and a microtask chain scheduled at the
 * very end, each of which logs a marker and writes a global. The run ends ok (the engine did
 * not wait) or TIMEOUT (it waited for pending timers until the wall limit). Either way the
 * isolate is disposed: nothing of run 1 is delivered after its terminal message (the runner
 * checks), and run 2 in the same worker sees neither the output nor the globals.
 */
const hostileCase: HostileCase = {
  name: 'timers-outlive-run',
  description: 'setTimeout/setInterval/promise/microtask callbacks that try to act after the run ended',
  limits: { wallTimeMs: 1_000, cpuTimeMs: 1_000 },
  code: `
setTimeout(function () { globalThis.leakTimeout = 1; console.log('LEAK-timeout'); }, 1500);
setInterval(function () { globalThis.leakInterval = 1; console.log('LEAK-interval'); }, 700);
Promise.resolve().then(function () { return new Promise(function (r) { setTimeout(r, 1200); }); })
  .then(function () { globalThis.leakPromise = 1; console.log('LEAK-promise'); });
'scheduled'`,
  expect: [
    {
      status: 'ok',
      check: (_v: unknown, obs) => expect(obs.output.map((e) => e.text).join('\n')).not.toMatch(/LEAK/),
    },
    { status: 'error', kind: 'TIMEOUT' },
  ],
  followUp: {
    code: `new Promise(function (resolve) {
      setTimeout(function () {
        resolve({ timeout: typeof leakTimeout, interval: typeof leakInterval, promise: typeof leakPromise });
      }, 1600);
    })`,
    limits: { wallTimeMs: 4_000 },
    expect: {
      status: 'ok',
      check: (v: unknown, obs) => {
        expect(v).toEqual({ timeout: 'undefined', interval: 'undefined', promise: 'undefined' });
        expect(obs.output.map((e) => e.text).join('\n')).not.toMatch(/LEAK/);
      },
    },
  },
};
export default hostileCase;
