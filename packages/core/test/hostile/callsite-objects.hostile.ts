import type { HostileCase } from './harness.js';

/**
 * `Error.captureStackTrace(obj)` with a hook that returns the raw CallSite array: the
 * CallSite objects themselves, their prototype and its methods, become tenant values.
 * Their constructor chains must end in the isolate.
 */
const hostileCase: HostileCase = {
  name: 'callsite-objects',
  description:
    'Error.captureStackTrace + prepareStackTrace returning raw CallSites; CallSite.constructor chains',
  code: ({ prelude }) => `${prelude}
Error.prepareStackTrace = function (_e, s) { return s; };
var holder = {};
(function inner() { Error.captureStackTrace(holder); })();
var sites = holder.stack;
var count = Array.isArray(sites) ? sites.length : -1;
if (Array.isArray(sites)) {
  sites.forEach(function (cs, i) {
    __H.ctor('callsite#' + i, cs);
    var proto = Object.getPrototypeOf(cs);
    __H.ctor('callsite-proto#' + i, proto);
    Object.getOwnPropertyNames(proto).forEach(function (k) {
      var m; try { m = proto[k]; } catch (e) { return; }
      if (typeof m === 'function' && i === 0) __H.fn('CallSite.' + k + '.constructor', m.constructor);
    });
  });
}
var e2 = new Error('x');
var s2 = e2.stack;
Error.prepareStackTrace = undefined;
__H.report({ callsites: count, stackIsArray: Array.isArray(s2) })`,
  expect: { status: 'ok' },
  minProbes: 4,
};
export default hostileCase;
