import { expect } from 'vitest';
import type { HostileCase } from './harness.js';

/**
 * `__proto__` tricks: `Object.prototype.__proto__ = …` (immutable prototype: TypeError),
 * `__defineGetter__` on Object.prototype for names engines read (`constructor`, `stack`,
 * `message`, `length`), and — the interesting one — the global object's prototype replaced
 * by a Proxy, so that every failed global lookup (including any the engine's in-isolate code
 * does late, e.g. `typeof SomeInternal`) hits a tenant trap that probes its arguments.
 */
const hostileCase: HostileCase = {
  name: 'proto-chain-tricks',
  description:
    'Object.prototype.__proto__ = x, __defineGetter__ on Object.prototype, Proxy as globalThis prototype',
  code: ({ prelude }) => `${prelude}
var out = {};
try { Object.prototype.__proto__ = { injected: 1 }; out.protoAssign = 'no-throw'; } catch (e) { out.protoAssign = 'threw:' + e.name; }
try { Object.setPrototypeOf(Object.prototype, {}); out.setProto = 'no-throw'; } catch (e) { out.setProto = 'threw:' + e.name; }
out.injected = typeof ({}).injected;
var lookups = [];
var busy = false; // the probe itself looks up globals (process), which re-enters the trap
var probed = 0;
try {
  var oldProto = Object.getPrototypeOf(globalThis);
  Object.setPrototypeOf(globalThis, new Proxy(oldProto || {}, {
    has: function (t, k) { if (lookups.length < 200) lookups.push('has:' + String(k)); return Reflect.has(t, k); },
    get: function getTrap(t, k, receiver) {
      if (lookups.length < 200) lookups.push('get:' + String(k));
      if (!busy && probed++ < 50) {
        busy = true;
        try { __H.val('global-proto-get.caller:' + String(k), getTrap.caller); } catch (e) {}
        if (receiver !== globalThis && receiver && typeof receiver === 'object') __H.ctor('global-proto-get.receiver:' + String(k), receiver);
        busy = false;
      }
      return Reflect.get(t, k, receiver);
    },
  }));
  out.globalProto = 'replaced';
} catch (e) { out.globalProto = 'threw:' + e.name; }
Object.prototype.__defineGetter__('stack', function stackGetter() {
  if (!busy) { busy = true; try { __H.val('proto-stack-getter.caller', stackGetter.caller); } catch (e) {} busy = false; }
  return undefined;
});
try { typeof notDefinedAnywhere; } catch (e) {}
console.log('after global proto swap');
setTimeout(function () {}, 0);
try { structuredClone({ a: 1 }); } catch (e) {}
__H.mark('self', 'sandbox');
__H.report({ out: out, lookups: lookups })`,
  expect: [
    {
      status: 'ok',
      check: (v: { out: Record<string, string> }) => {
        expect(v.out.protoAssign).toMatch(/^threw:TypeError/);
        expect(v.out.setProto).toMatch(/^threw:TypeError/);
        expect(v.out.injected).toBe('undefined');
      },
    },
    // A Proxy in the global's prototype chain may trip engine plumbing: a typed error is
    // acceptable (it is the tenant's own global), a hang or host access is not.
    { status: 'error', kind: 'RUNTIME' },
  ],
};
export default hostileCase;
