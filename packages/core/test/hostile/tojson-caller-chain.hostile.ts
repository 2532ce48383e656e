import type { HostileCase } from './harness.js';

/**
 * `toJSON` and getters on the result walk the caller chain (`arguments.callee.caller`,
 * `fn.caller` repeatedly, i.e. `Function.prototype.caller`) to reach whatever function
 * serializes the result, then try its constructor and its `arguments`. Everything reached must
 * be an isolate value. The getter's report is embedded in the JSON result.
 */
const hostileCase: HostileCase = {
  name: 'tojson-caller-chain',
  description: 'toJSON/getter on the result walking arguments.callee.caller and Function.prototype.caller',
  code: ({ prelude }) => `${prelude}
var chain = [];
function walk(label, start) {
  var f = start, depth = 0;
  while (f && depth < 20) {
    __H.val(label + '.caller' + depth, f);
    var src = ''; try { src = Function.prototype.toString.call(f).slice(0, 60); } catch (e) {}
    chain.push(label + ':' + depth + ':' + src);
    try { if (f.arguments) for (var i = 0; i < f.arguments.length; i++) __H.val(label + '.caller' + depth + '.arg' + i, f.arguments[i]); } catch (e) {}
    var next; try { next = f.caller; } catch (e) { __H.mark(label + '.caller' + depth + '.next', 'threw:' + e.name); break; }
    f = next; depth++;
  }
  __H.mark(label + '.depth', 'sandbox:' + depth);
}
var result = {
  toJSON: function toJSONHook(key) {
    walk('toJSON', arguments.callee.caller);
    __H.val('toJSON.this', this);
    __H.val('toJSON.key', key);
    var inner = {};
    Object.defineProperty(inner, 'x', { enumerable: true, get: function getterHook() { walk('getter', getterHook.caller); return 1; } });
    // inner first: its getter runs (and probes) before the report is serialized.
    return { inner: inner, report: __H.report({ chain: chain }) };
  },
};
result`,
  expect: [{ status: 'ok' }, { status: 'error', kind: 'RUNTIME' }],
};
export default hostileCase;
