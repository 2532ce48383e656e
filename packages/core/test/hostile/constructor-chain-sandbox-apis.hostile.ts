import type { HostileCase } from './harness.js';

/**
 * Constructor chains from every sandbox global the engine adds (the ones most likely to be
 * host-backed): console and its methods, timers and their handles, structuredClone and its
 * result, TextEncoder/Decoder and their output, atob/btoa, crypto and its output,
 * performance, URL, input. For each value, every object on its prototype chain is tried too.
 */
const hostileCase: HostileCase = {
  name: 'constructor-chain-sandbox-apis',
  description:
    'X.constructor.constructor for console, timers, structuredClone, encoders, crypto, performance, URL, input',
  inputJson: '{"a":[1,{"b":2}]}',
  code: ({ prelude }) => `${prelude}
var seen = [];
function tryAll(label, v) {
  if (v === null || v === undefined) { __H.mark(label, 'absent'); return; }
  __H.ctor(label, v);
  if (typeof v === 'function') __H.fn(label + '.constructor', v.constructor);
  var o = Object.getPrototypeOf(v), depth = 0;
  while (o && depth < 6) {
    if (seen.indexOf(o) < 0) { seen.push(o); __H.ctor(label + '.proto' + depth, o); }
    o = Object.getPrototypeOf(o); depth++;
  }
}
function safe(label, thunk) { var v; try { v = thunk(); } catch (e) { __H.mark(label, 'threw:' + e.name); return; } tryAll(label, v); }
tryAll('console', globalThis.console);
['log', 'info', 'warn', 'error', 'debug', 'table', 'time', 'timeEnd'].forEach(function (k) { safe('console.' + k, function () { return console[k]; }); });
safe('console.log-return', function () { return console.log('x'); });
safe('setTimeout', function () { return setTimeout; });
safe('setTimeout-handle', function () { var h = setTimeout(function () {}, 1); clearTimeout(h); return h; });
safe('setInterval-handle', function () { var h = setInterval(function () {}, 1000); clearInterval(h); return h; });
safe('clearTimeout', function () { return clearTimeout; });
safe('queueMicrotask', function () { return queueMicrotask; });
safe('structuredClone', function () { return structuredClone; });
safe('structuredClone-result', function () { return structuredClone({ a: [1, new Map([[1, 2]])] }); });
safe('structuredClone-result-map', function () { return structuredClone(new Map([[1, 2]])); });
safe('structuredClone-result-date', function () { return structuredClone(new Date(0)); });
safe('TextEncoder', function () { return TextEncoder; });
safe('TextEncoder-instance', function () { return new TextEncoder(); });
safe('TextEncoder-output', function () { return new TextEncoder().encode('hé'); });
safe('TextEncoder-output-buffer', function () { return new TextEncoder().encode('hé').buffer; });
safe('TextDecoder-instance', function () { return new TextDecoder(); });
safe('TextDecoder-output', function () { return new TextDecoder().decode(new Uint8Array([104, 105])); });
safe('atob', function () { return atob; });
safe('atob-output', function () { return atob('aGk='); });
safe('btoa-output', function () { return btoa('hi'); });
safe('crypto', function () { return crypto; });
safe('crypto.getRandomValues', function () { return crypto.getRandomValues; });
safe('crypto.getRandomValues-output', function () { return crypto.getRandomValues(new Uint8Array(8)); });
safe('crypto.randomUUID', function () { return crypto.randomUUID; });
safe('crypto.randomUUID-output', function () { return crypto.randomUUID(); });
safe('crypto.subtle', function () { return crypto.subtle; });
safe('performance', function () { return performance; });
safe('performance.now', function () { return performance.now; });
safe('performance.now-output', function () { return performance.now(); });
safe('URL', function () { return globalThis.URL; });
safe('URL-instance', function () { return new URL('https://example.com/a?b=1'); });
safe('URL-searchParams', function () { return new URL('https://example.com/a?b=1').searchParams; });
safe('input', function () { return input; });
safe('input.a', function () { return input.a; });
safe('input.a[1]', function () { return input.a[1]; });
__H.report()`,
  expect: { status: 'ok' },
  minProbes: 45,
};
export default hostileCase;
