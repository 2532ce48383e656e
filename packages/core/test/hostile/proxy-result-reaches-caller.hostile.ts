import type { HostileCase } from './harness.js';

/**
 * A Proxy returned as the result whose traps (sloppy functions) look for their caller:
 * `arguments.callee.caller`, `trap.caller`, the receiver and the target, and a
 * `new Error().stack` hook. Whatever the engine's serializer is, every value the traps can
 * reach must live in the isolate. The `toJSON` trap answer returns the probe report, so it
 * becomes the JSON result.
 */
const hostileCase: HostileCase = {
  name: 'proxy-result-reaches-caller',
  description: 'Proxy result with traps that inspect arguments.callee.caller, receiver and stack frames',
  code: ({ prelude }) => `${prelude}
var trapCalls = [];
var i = 0;
var busy = false; // probing the receiver (the proxy itself) re-enters the traps
function look(trap, args) {
  if (busy || i > 200) return;
  busy = true;
  try { lookInner(trap, args); } finally { busy = false; }
}
function lookInner(trap, args) {
  var n = i++;
  trapCalls.push(trap);
  try { __H.val(trap + '#' + n + '.caller', args.callee.caller); } catch (e) { __H.mark(trap + '#' + n + '.caller', 'threw:' + e.name); }
  for (var a = 0; a < args.length; a++) {
    if (typeof args[a] === 'object' || typeof args[a] === 'function') __H.ctor(trap + '#' + n + '.arg' + a, args[a]);
  }
}
var handler = {
  get: function (t, key, receiver) {
    look('get:' + String(key), arguments);
    if (key === 'toJSON') return function () { return __H.report({ trapCalls: trapCalls }); };
    return Reflect.get(t, key, receiver);
  },
  has: function () { look('has', arguments); return Reflect.has.apply(null, arguments); },
  ownKeys: function () { look('ownKeys', arguments); return Reflect.ownKeys.apply(null, arguments); },
  getPrototypeOf: function () { look('getPrototypeOf', arguments); return Reflect.getPrototypeOf.apply(null, arguments); },
  getOwnPropertyDescriptor: function () { look('gopd', arguments); return Reflect.getOwnPropertyDescriptor.apply(null, arguments); },
};
new Proxy({ a: 1, nested: { b: [1, 2] } }, handler)`,
  expect: [
    // JSON went through toJSON: the report, checked by the runner.
    { status: 'ok' },
    { status: 'error', kind: 'RUNTIME' },
  ],
};
export default hostileCase;
