import { expect } from 'vitest';
import type { HostileCase } from './harness.js';

/**
 * Errors produced by host-backed APIs (bad arguments to structuredClone, crypto, encoders,
 * atob, timers) are caught by the tenant and used as springboards: their constructor chain,
 * their prototype's constructor, and their `stack` (which must not show host paths or host
 * frames: the runner fails on any host path in the result).
 */
const hostileCase: HostileCase = {
  name: 'host-error-rethrow',
  description: 'catch errors thrown by host-backed APIs; e.constructor.constructor, e.__proto__, e.stack',
  code: ({ prelude }) => `${prelude}
var stacks = [];
var names = {};
function attempt(label, thunk) {
  try { thunk(); __H.mark(label, 'no-throw'); return; } catch (e) {
    if (e === null || (typeof e !== 'object' && typeof e !== 'function')) { __H.mark(label, 'threw-primitive:' + typeof e); return; }
    names[label] = String(e.name);
    __H.ctor(label, e);
    __H.ctor(label + '.__proto__', Object.getPrototypeOf(e));
    __H.mark(label + '.isSandboxError', e instanceof Error ? 'sandbox' : 'foreign-error-object');
    try { stacks.push(String(e.stack)); } catch (e2) {}
  }
}
attempt('structuredClone(function)', function () { structuredClone(function () {}); });
attempt('structuredClone(symbol)', function () { structuredClone(Symbol('s')); });
attempt('structuredClone(getter-throws)', function () { structuredClone({ get x() { throw new TypeError('inner'); } }); });
attempt('structuredClone(proxy)', function () { structuredClone(new Proxy({}, { ownKeys: function () { throw new RangeError('trap'); } })); });
attempt('crypto.getRandomValues(too-big)', function () { crypto.getRandomValues(new Uint8Array(65537)); });
attempt('crypto.getRandomValues(float)', function () { crypto.getRandomValues(new Float64Array(2)); });
attempt('crypto.getRandomValues(string)', function () { crypto.getRandomValues('abc'); });
attempt('crypto.getRandomValues()', function () { crypto.getRandomValues(); });
attempt('atob(invalid)', function () { atob('%%%'); });
attempt('btoa(non-latin1)', function () { btoa('\\u2603'); });
attempt('TextDecoder(bogus)', function () { new TextDecoder('no-such-encoding'); });
attempt('TextDecoder(fatal)', function () { new TextDecoder('utf-8', { fatal: true }).decode(new Uint8Array([0xff, 0xfe])); });
attempt('TextEncoder.encodeInto(bad)', function () { new TextEncoder().encodeInto('x', {}); });
attempt('setTimeout(string)', function () { setTimeout('globalThis.x = 1', 1); });
attempt('setTimeout(object)', function () { setTimeout({}, 1); });
attempt('URL(invalid)', function () { new URL('::not a url'); });
attempt('console.table(bad)', function () { console.table(Symbol('s')); });
attempt('performance.now.call', function () { new performance.now(); });
attempt('ReferenceError(process)', function () { process; });
__H.report({ stacks: stacks, names: names })`,
  expect: {
    status: 'ok',
    check: (v: { stacks: string[] }) => {
      // The engine's own frames may appear in-isolate, but never the host's source files.
      for (const s of v.stacks) expect(s).not.toMatch(/node:internal|\/node_modules\//);
    },
  },
  minProbes: 15,
};
export default hostileCase;
