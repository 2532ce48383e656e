import type { HostileCase } from './harness.js';

/**
 * console.log of Proxies (of an object, an array, a function, an Error) whose traps record
 * every operation and probe their arguments and their caller. The formatter's operations are
 * visible to the tenant, but every value the traps see must be an isolate value.
 */
const hostileCase: HostileCase = {
  name: 'console-proxy-argument',
  description: 'console.log(new Proxy(…)) with traps that probe their arguments and callers',
  code: ({ prelude }) => `${prelude}
var ops = [];
var count = 0;
var busy = false; // probing a receiver (the proxy itself) re-enters the traps
function handlerFor(tag) {
  var h = {};
  ['get', 'has', 'ownKeys', 'getPrototypeOf', 'getOwnPropertyDescriptor', 'apply', 'construct', 'isExtensible', 'defineProperty'].forEach(function (trap) {
    h[trap] = function trapFn() {
      var i = count++;
      ops.push(tag + ':' + trap + (trap === 'get' ? ':' + String(arguments[1]) : ''));
      if (i < 60 && !busy) {
        busy = true;
        try { __H.val(tag + ':' + trap + '#' + i + '.caller', trapFn.caller); } catch (e) { __H.mark(tag + ':' + trap + '#' + i + '.caller', 'threw:' + e.name); }
        for (var a = 0; a < arguments.length; a++) {
          if (arguments[a] !== null && (typeof arguments[a] === 'object' || typeof arguments[a] === 'function')) __H.ctor(tag + ':' + trap + '#' + i + '.arg' + a, arguments[a]);
        }
        busy = false;
      }
      return Reflect[trap].apply(null, arguments);
    };
  });
  return h;
}
console.log(new Proxy({ a: 1, b: { c: 2 } }, handlerFor('obj')));
console.log(new Proxy([1, 2, 3], handlerFor('arr')));
console.log(new Proxy(function named() {}, handlerFor('fn')));
console.log(new Proxy(new Error('e'), handlerFor('err')));
console.log('%s %o %j', new Proxy({}, handlerFor('fmt')), new Proxy({}, handlerFor('fmt2')), new Proxy({ z: 1 }, handlerFor('fmt3')));
__H.mark('self-check', 'sandbox');
__H.report({ ops: ops.slice(0, 200), opCount: ops.length })`,
  expect: { status: 'ok' },
  minProbes: 1,
};
export default hostileCase;
