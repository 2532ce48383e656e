import { expect } from 'vitest';
import type { HostileCase } from './harness.js';

/**
 * Collect every function that is not the tenant's own that the tenant can get hold of:
 * `getFunction()` of stack frames and `fn.caller` around console formatting, timers, promise
 * reactions and the result serializer, plus everything reachable from the documented
 * globals. Then call each with hostile arguments (huge strings, fake message objects, wrong
 * types). Those internals may be callable, but calling them must not bypass the limits: with
 * a 16 KiB output limit, no more than 16 KiB of output ever reaches the host, and the run
 * ends ok or OUTPUT_LIMIT (or RUNTIME), never with host access.
 */
const hostileCase: HostileCase = {
  name: 'internal-functions-bypass-caps',
  description:
    'grab engine-internal functions via CallSite.getFunction / .caller and call them to bypass the output cap',
  limits: { outputBytes: 16 * 1024, wallTimeMs: 3_000 },
  code: ({ prelude }) => `${prelude}
var found = new Set();
var tenantMarker = 'TENANT_OWN_FUNCTION';
function isTenant(f) { try { return Function.prototype.toString.call(f).indexOf(tenantMarker) >= 0 || f === __H.fn || f === __H.val || f === __H.ctor || f === __H.mark || f === __H.call || f === __H.report; } catch (e) { return false; } }
function add(f) { if (typeof f === 'function' && !isTenant(f)) found.add(f); }
Error.stackTraceLimit = Infinity;
Error.prepareStackTrace = function (e, frames) { /* TENANT_OWN_FUNCTION */ frames.forEach(function (fr) { try { add(fr.getFunction()); } catch (x) {} }); return ''; };
function grab(self) { /* TENANT_OWN_FUNCTION */ new Error().stack; try { add(self.caller); } catch (e) {} }
var o = {}; Object.defineProperty(o, 'g', { enumerable: true, get: function hookG() { /* TENANT_OWN_FUNCTION */ grab(hookG); return 1; } });
o.toString = function hookS() { /* TENANT_OWN_FUNCTION */ grab(hookS); return 's'; };
console.log(o); console.log('%s', o);
setTimeout(function hookT() { /* TENANT_OWN_FUNCTION */ grab(hookT); }, 0);
Promise.resolve().then(function hookP() { /* TENANT_OWN_FUNCTION */ grab(hookP); });
// Everything hanging off the documented globals.
['console', 'crypto', 'performance'].forEach(function (k) {
  var v = globalThis[k]; if (!v) return;
  var p = v; while (p && p !== Object.prototype) { Reflect.ownKeys(p).forEach(function (key) { var d = Object.getOwnPropertyDescriptor(p, key); if (d) { add(d.value); add(d.get); add(d.set); } }); p = Object.getPrototypeOf(p); }
});
['setTimeout', 'setInterval', 'clearTimeout', 'queueMicrotask', 'structuredClone', 'atob', 'btoa'].forEach(function (k) { add(globalThis[k]); });
var big = 'B'.repeat(1024 * 1024);
var fake = { type: 'output', level: 'log', text: big, stream: 'stdout', requestId: 'other-run', event: { text: big } };
var argsList = [[big], [fake], ['log', big], [big, big, big], [{ toString: function () { return big; } }], [1, big], ['stdout', 'log', big, Date.now()]];
var calls = 0, threw = 0;
found.forEach(function (f) {
  if (f === setTimeout || f === queueMicrotask || f === setInterval) return; // would only schedule more work
  argsList.forEach(function (args) {
    for (var r = 0; r < 3; r++) { calls++; try { f.apply(null, args); } catch (e) { threw++; } try { f.apply(console, args); } catch (e) { threw++; } }
  });
});
Error.prepareStackTrace = undefined;
__H.mark('self', 'sandbox');
found.forEach(function (f) { __H.val('internal:' + (f.name || '?'), f); });
__H.report({ internals: Array.from(found).map(function (f) { var s = ''; try { s = Function.prototype.toString.call(f).slice(0, 60); } catch (e) {} return (f.name || '?') + ' ' + s; }), calls: calls, threw: threw })`,
  expect: [
    {
      status: 'ok',
      check: (_v: unknown, obs) => {
        const bytes = obs.output.reduce((n, e) => n + Buffer.byteLength(e.text), 0);
        expect(bytes, 'bytes of output delivered').toBeLessThanOrEqual(16 * 1024 + 1024);
      },
    },
    {
      status: 'error',
      kind: ['OUTPUT_LIMIT', 'RUNTIME'],
      check: (obs) => {
        const bytes = obs.output.reduce((n, e) => n + Buffer.byteLength(e.text), 0);
        expect(bytes, 'bytes of output delivered').toBeLessThanOrEqual(16 * 1024 + 1024);
      },
    },
  ],
};
export default hostileCase;
