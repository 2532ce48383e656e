import type { HostileCase } from './harness.js';

/**
 * Engine-internal names on the tenant's global: anything the engine puts on globalThis for
 * its own plumbing (e.g. a one-shot hook a module wrapper calls) is visible to
 * `Object.getOwnPropertyNames(globalThis)` while the tenant runs. The tenant finds every
 * global that is neither ECMAScript's nor documented, calls the functions among them with
 * hostile arguments (a Proxy namespace whose `default` getter probes its caller), and replaces
 * them with its own spies (if configurable), which then probe whatever calls them. Whatever
 * happens must stay typed and inside the isolate.
 */
const hostileCase: HostileCase = {
  name: 'module-hook-abuse',
  description:
    'find engine-internal globals during a module run, call them with hostile arguments, replace them with spies',
  sourceType: 'module',
  code: ({ prelude }) => `${prelude}
const ecma = /^(Object|Function|Array|Number|parseFloat|parseInt|Infinity|NaN|undefined|Boolean|String|Symbol|Date|Promise|RegExp|\\w*Error|globalThis|JSON|Math|Intl|ArrayBuffer|\\w+Array|DataView|Map|BigInt|Set|WeakMap|WeakSet|Proxy|Reflect|FinalizationRegistry|WeakRef|decodeURI|decodeURIComponent|encodeURI|encodeURIComponent|escape|unescape|eval|isFinite|isNaN|Iterator|DisposableStack|AsyncDisposableStack|Temporal)$/;
const documented = new Set(['console', 'setTimeout', 'setInterval', 'clearTimeout', 'clearInterval', 'queueMicrotask', 'structuredClone', 'TextEncoder', 'TextDecoder', 'atob', 'btoa', 'URL', 'URLSearchParams', 'crypto', 'performance', 'input', 'global', '__H']);
const internals = Object.getOwnPropertyNames(globalThis).filter((n) => !ecma.test(n) && !documented.has(n));
let calls = 0;
for (const name of internals) {
  const v = globalThis[name];
  __H.val('internal:' + name, v);
  if (typeof v === 'function') {
    const fakeNs = new Proxy({}, {
      get(t, k) {
        if (k === 'default') {
          try { __H.val('fake-ns.default.caller', fakeNs.constructor); } catch (e) {}
          return { forged: true };
        }
        return undefined;
      },
    });
    try { calls++; v(fakeNs); } catch (e) { __H.mark('call:' + name, 'threw:' + e.name); }
    const d = Object.getOwnPropertyDescriptor(globalThis, name);
    if (d && d.configurable) {
      Object.defineProperty(globalThis, name, {
        configurable: true,
        value: function spy(ns) {
          try { __H.val('spy:' + name + '.caller', spy.caller); } catch (e) { __H.mark('spy:' + name + '.caller', 'threw:' + e.name); }
          __H.ctor('spy:' + name + '.ns', ns);
          return v(ns);
        },
      });
    }
  }
}
__H.mark('self', 'sandbox');
export default __H.report({ internals, calls });`,
  expect: [{ status: 'ok' }, { status: 'error', kind: 'RUNTIME' }],
};
export default hostileCase;
