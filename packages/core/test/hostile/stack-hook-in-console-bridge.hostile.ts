import type { HostileCase } from './harness.js';

/**
 * A prepareStackTrace hook armed while the console bridge formats tenant values: getters,
 * `toString`, `Symbol.toPrimitive`, `toJSON` and Node's inspect-custom symbol on logged
 * objects all create errors, so the hook sees whatever frames the console implementation has
 * on the stack (and grabs their `this`/functions). If formatting happened on the host, those
 * hooks would run on the host: they must only ever see isolate frames.
 */
const hostileCase: HostileCase = {
  name: 'stack-hook-in-console-bridge',
  description: 'stack-trace hook + getThis/getFunction fired from inside console.log formatting',
  code: ({ prelude }) => `${prelude}
var hits = [];
var files = [];
var k = 0;
Error.stackTraceLimit = Infinity;
Error.prepareStackTrace = function (err, frames) {
  frames.forEach(function (f) {
    var i = k++;
    try { files.push(String(f.getFileName()) + ' ' + String(f.getFunctionName())); } catch (e) {}
    var t, fn;
    try { t = f.getThis(); } catch (e) {}
    try { fn = f.getFunction(); } catch (e) {}
    if (t !== undefined) __H.val('console-frame-this#' + i, t);
    if (fn !== undefined) __H.val('console-frame-fn#' + i, fn);
  });
  return 'hooked';
};
function poke(where, self) {
  hits.push(where);
  new Error(where).stack;
  // self.caller: the function that called the hook (the console formatter, if it is sloppy).
  try { __H.val(where + '.caller', self.caller); } catch (e) { __H.mark(where + '.caller', 'threw:' + e.name); }
}
var obj = {
  toString: function toStringHook() { poke('toString', toStringHook); return 'str'; },
  toJSON: function toJSONHook() { poke('toJSON', toJSONHook); return {}; },
};
Object.defineProperty(obj, 'g', { enumerable: true, get: function getterHook() { poke('getter', getterHook); return 1; } });
obj[Symbol.toPrimitive] = function toPrimitiveHook() { poke('toPrimitive', toPrimitiveHook); return 'prim'; };
obj[Symbol.for('nodejs.util.inspect.custom')] = function inspectHook() { poke('inspect-custom', inspectHook); return 'custom'; };
console.log(obj);
console.log('%s %d %i %f %j %o %O %c', obj, obj, obj, obj, obj, obj, obj, obj);
console.info([obj], { nested: { deeper: obj } });
console.warn(new Map([[obj, obj]]));
console.error(Object.create(obj));
try { console.table([obj]); } catch (e) {}
try { console.time(obj); console.timeEnd(obj); } catch (e) {}
try { console.debug(String(obj), \`\${obj}\`); } catch (e) {}
Error.prepareStackTrace = undefined;
__H.report({ hits: hits, files: files })`,
  expect: { status: 'ok' },
  minProbes: 1,
};
export default hostileCase;
