import { expect } from 'vitest';
import type { HostileCase } from './harness.js';

/**
 * `Object.defineProperty(Object.prototype, 'then', …)` turns every object into a thenable:
 * any engine code that awaits or resolves with an object (the result, an internal message, a
 * bridge reply) calls the tenant's `then` with its resolving functions. The getter probes
 * its receiver and caller; `then` itself resolves with nothing and records its arguments.
 * Expected: a typed outcome (ok, or TIMEOUT if the engine awaited a then that never settles),
 * never a hang, never host values; the next run in the same worker has a clean prototype.
 */
const hostileCase: HostileCase = {
  name: 'then-on-object-prototype',
  description:
    "Object.defineProperty(Object.prototype, 'then', getter) probing every resolve/await the engine does",
  limits: { wallTimeMs: 1_500, cpuTimeMs: 1_000 },
  code: ({ prelude }) => `${prelude}
var n = 0;
var result = { a: 1 };
Object.defineProperty(Object.prototype, 'then', {
  configurable: true,
  get: function thenGetter() {
    var i = n++;
    if (i < 50) {
      try { __H.val('then-getter.caller#' + i, thenGetter.caller); } catch (e) { __H.mark('then-getter.caller#' + i, 'threw:' + e.name); }
      if (this && typeof this === 'object' && this !== result) __H.ctor('then-getter.this#' + i, this);
    }
    // The result itself is not a thenable (so it can be returned); every other object is one
    // whose then() never settles and probes the resolving functions it is given.
    if (this === result || i > 1000) return undefined;
    return function thenMethod(resolve, reject) {
      if (i < 50) { __H.ctor('then.resolve#' + i, resolve); __H.ctor('then.reject#' + i, reject); }
    };
  },
});
// Probes made while the engine settles/serializes the result land in this shared object.
result.report = __H.report();
result`,
  expect: [
    { status: 'ok', check: (v: { a: number }) => expect(v.a).toBe(1) },
    { status: 'error', kind: ['TIMEOUT', 'RUNTIME'] },
  ],
  followUp: {
    code: `({ then: 'then' in ({}), desc: typeof Object.getOwnPropertyDescriptor(Object.prototype, 'then') })`,
    expect: { status: 'ok', check: (v: unknown) => expect(v).toEqual({ then: false, desc: 'undefined' }) },
  },
};
export default hostileCase;
