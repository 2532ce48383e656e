import { expect } from 'vitest';
import type { HostileCase } from './harness.js';

/**
 * FinalizationRegistry callbacks run whenever the GC gets to them, possibly after the run
 * ended (DESIGN.md: only isolate.dispose() ends them). The run registers many objects,
 * drops them, churns the heap so a GC happens, and returns; each callback logs a marker,
 * re-registers itself (to keep going) and writes a global. Nothing may reach the host after
 * the terminal message, and the next run in the same worker sees nothing.
 */
const hostileCase: HostileCase = {
  name: 'finalization-registry-outlive-run',
  description: 'FinalizationRegistry/WeakRef callbacks that try to run after the run ended',
  limits: { wallTimeMs: 1_000, cpuTimeMs: 1_000 },
  code: `
var registry = new FinalizationRegistry(function cleanup(held) {
  globalThis.leakFinalizer = (globalThis.leakFinalizer || 0) + 1;
  console.log('LEAK-finalizer ' + held);
  registry.register({}, held + 1);
});
for (var i = 0; i < 10000; i++) registry.register({ i: i }, i);
var refs = []; for (var j = 0; j < 100; j++) refs.push(new WeakRef({ j: j }));
var churn = []; for (var k = 0; k < 200000; k++) { churn.push({ k: k }); if (churn.length > 1000) churn = []; }
'registered'`,
  expect: [{ status: 'ok' }, { status: 'error', kind: 'TIMEOUT' }],
  followUp: {
    code: `var churn = []; for (var k = 0; k < 200000; k++) { churn.push({ k: k }); if (churn.length > 1000) churn = []; }
      new Promise(function (r) { setTimeout(function () { r({ leak: typeof leakFinalizer }); }, 300); })`,
    expect: {
      status: 'ok',
      check: (v: unknown, obs) => {
        expect(v).toEqual({ leak: 'undefined' });
        expect(obs.output.map((e) => e.text).join('\n')).not.toMatch(/LEAK/);
      },
    },
  },
};
export default hostileCase;
