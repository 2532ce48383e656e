import type { HostileCase } from './harness.js';

/**
 * `Error.prepareStackTrace` receives structured CallSites. With `getThis()`/`getFunction()`
 * a hook can grab the receivers and functions of every frame on the stack, including frames
 * of engine code that called into tenant code (the result serializer calling `toJSON`, a
 * timer dispatcher, a promise reaction). Each grabbed value is probed; the file names of all
 * frames are returned so the runner can check that no host path shows.
 *
 * The result is an object whose `toJSON` collects frames *while the engine serializes the
 * result* and returns the report as the JSON value.
 */
const hostileCase: HostileCase = {
  name: 'prepare-stack-trace-hook',
  description: 'Error.prepareStackTrace + getThis()/getFunction() of frames around tenant callbacks',
  code: ({ prelude }) => `${prelude}
var files = [];
var foreignFunctions = [];
var n = 0;
Error.stackTraceLimit = Infinity;
Error.prepareStackTrace = function (err, frames) {
  frames.forEach(function (f) {
    var i = n++;
    try { files.push(String(f.getFileName()) + ':' + f.getLineNumber() + ' ' + String(f.getFunctionName()) + ' ' + String(f.getTypeName())); } catch (e) {}
    var t, fn;
    try { t = f.getThis(); } catch (e) {}
    try { fn = f.getFunction(); } catch (e) {}
    if (t !== undefined) { __H.val('this#' + i, t); __H.ctor('this-ctor#' + i, t); }
    if (fn !== undefined) {
      __H.val('fn#' + i, fn);
      var src = ''; try { src = Function.prototype.toString.call(fn).slice(0, 80); } catch (e) {}
      if (src.indexOf('__H') < 0 && src.indexOf('attack') < 0) foreignFunctions.push(src);
    }
    try { var eo = f.getEvalOrigin(); if (eo) files.push('eval:' + eo); } catch (e) {}
  });
  return 'hooked';
};
function attack(where) { return new Error(where).stack; }
attack('top');
setTimeout(function attackTimer() { attack('timer'); }, 0);
Promise.resolve().then(function attackReaction() { attack('reaction'); });
queueMicrotask(function attackMicrotask() { attack('microtask'); });
try { structuredClone({ get x() { attack('structuredClone-getter'); return 1; } }); } catch (e) {}
[3, 1, 2].sort(function attackSort(a, b) { attack('sort'); return a - b; });
JSON.parse('{"a":1}', function attackReviver(k, v) { attack('reviver'); return v; });
({
  toJSON: function attackToJSON() {
    attack('toJSON');
    return __H.report({ files: files, foreignFunctions: foreignFunctions });
  },
})`,
  expect: [
    { status: 'ok' },
    // An engine may legitimately refuse a result whose serialization runs tenant hooks.
    { status: 'error', kind: 'RUNTIME' },
  ],
};
export default hostileCase;
