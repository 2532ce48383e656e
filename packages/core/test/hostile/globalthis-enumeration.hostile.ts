import { expect } from 'vitest';
import type { HostileCase } from './harness.js';

/** ECMAScript built-ins a V8 isolate has on its global (V8 13.x / Node 24), minus the banned ones. */
const ECMASCRIPT_GLOBALS = [
  'Object',
  'Function',
  'Array',
  'Number',
  'parseFloat',
  'parseInt',
  'Infinity',
  'NaN',
  'undefined',
  'Boolean',
  'String',
  'Symbol',
  'Date',
  'Promise',
  'RegExp',
  'Error',
  'AggregateError',
  'EvalError',
  'RangeError',
  'ReferenceError',
  'SyntaxError',
  'TypeError',
  'URIError',
  'globalThis',
  'JSON',
  'Math',
  'Intl',
  'ArrayBuffer',
  'Uint8Array',
  'Int8Array',
  'Uint16Array',
  'Int16Array',
  'Uint32Array',
  'Int32Array',
  'BigUint64Array',
  'BigInt64Array',
  'Uint8ClampedArray',
  'Float32Array',
  'Float64Array',
  'Float16Array',
  'DataView',
  'Map',
  'BigInt',
  'Set',
  'WeakMap',
  'WeakSet',
  'Proxy',
  'Reflect',
  'FinalizationRegistry',
  'WeakRef',
  'decodeURI',
  'decodeURIComponent',
  'encodeURI',
  'encodeURIComponent',
  'escape',
  'unescape',
  'eval',
  'isFinite',
  'isNaN',
  'Iterator',
  'SuppressedError',
  'DisposableStack',
  'AsyncDisposableStack',
  'Temporal',
];
/** DESIGN.md "Sandbox globals", plus the run's `input`. */
const DOCUMENTED_GLOBALS = [
  'console',
  'setTimeout',
  'setImmediate',
  'clearImmediate',
  'setInterval',
  'clearTimeout',
  'clearInterval',
  'queueMicrotask',
  'structuredClone',
  'TextEncoder',
  'TextDecoder',
  'atob',
  'btoa',
  'URL',
  'URLSearchParams',
  'crypto',
  'kv',
  'fetch',
  'performance',
  'input',
];

/**
 * Enumerates the global object (own names, non-enumerable ones and symbols included) and
 * walks everything reachable from it (values, accessors, prototypes; no getter is invoked)
 * looking for isolated-vm handles (`Reference`, `ExternalCopy`, `Callback` objects with
 * `applySync`/`derefInto`/`copyInto`…) or other engine internals. The only globals allowed
 * are ECMAScript's and the documented sandbox globals; no handle may be reachable.
 */
const hostileCase: HostileCase = {
  name: 'globalthis-enumeration',
  description:
    'enumerate globalThis and walk the reachable object graph for host functions / isolated-vm handles',
  // One IIFE: a script's top-level \`var\`s would themselves become globals.
  code: `(function () {
var names = Object.getOwnPropertyNames(globalThis);
var symbols = Object.getOwnPropertySymbols(globalThis).map(String);
var handleMethods = ['applySync', 'applySyncPromise', 'applyIgnored', 'derefInto', 'copyInto', 'copySync',
  'setSync', 'getSync', 'compileScriptSync', 'createContextSync', 'evalClosureSync', 'runSync', 'instantiateSync'];
var handleCtorNames = ['Reference', 'ExternalCopy', 'Callback', 'Isolate', 'Context', 'Script', 'Module', 'NativeModule'];
var seen = new Set();
var queue = [[globalThis, 'globalThis']];
var handles = [];
var nativeUnderDocumented = [];
var visited = 0;
while (queue.length && visited < 50000) {
  var item = queue.shift(), o = item[0], path = item[1];
  if ((typeof o !== 'object' && typeof o !== 'function') || o === null || seen.has(o)) continue;
  seen.add(o); visited++;
  var keys;
  try { keys = Reflect.ownKeys(o); } catch (e) { continue; }
  var hasHandleMethod = false;
  for (var i = 0; i < handleMethods.length; i++) {
    var d0; try { d0 = Object.getOwnPropertyDescriptor(o, handleMethods[i]); } catch (e) {}
    if (d0) hasHandleMethod = true;
  }
  var ctorName = '';
  try { var cd = Object.getOwnPropertyDescriptor(o, 'constructor'); if (cd && typeof cd.value === 'function') ctorName = cd.value.name; } catch (e) {}
  if (hasHandleMethod || (typeof o === 'object' && handleCtorNames.indexOf(ctorName) >= 0 && path.indexOf('globalThis.') === 0 && !/^globalThis\\.(Object|Function|Array)/.test(path))) handles.push(path + ' (' + ctorName + ')');
  if (typeof o === 'function' && /^globalThis\\.(console|setTimeout|setInterval|clearTimeout|clearInterval|setImmediate|clearImmediate|queueMicrotask|structuredClone|TextEncoder|TextDecoder|atob|btoa|URL|URLSearchParams|crypto|kv|fetch|performance)/.test(path)) {
    var src = ''; try { src = Function.prototype.toString.call(o); } catch (e) {}
    if (src.indexOf('[native code]') >= 0) nativeUnderDocumented.push(path);
  }
  for (var j = 0; j < keys.length; j++) {
    var k = keys[j], d;
    try { d = Object.getOwnPropertyDescriptor(o, k); } catch (e) { continue; }
    if (!d) continue;
    var p = path + '.' + String(k);
    if ('value' in d) queue.push([d.value, p]);
    if (d.get) queue.push([d.get, p + '<get>']);
    if (d.set) queue.push([d.set, p + '<set>']);
  }
  var proto; try { proto = Object.getPrototypeOf(o); } catch (e) {}
  if (proto) queue.push([proto, path + '.__proto__']);
}
return ({ globalIsAlias: globalThis.global === globalThis, names: names, symbols: symbols, handles: handles, visited: visited, nativeUnderDocumented: nativeUnderDocumented });
})()`,
  expect: {
    status: 'ok',
    check: (v: {
      names: string[];
      symbols: string[];
      handles: string[];
      visited: number;
      globalIsAlias: boolean;
    }) => {
      // Node's `global`, as a plain alias of the sandbox global, exposes nothing new.
      const allowed = new Set([
        ...ECMASCRIPT_GLOBALS,
        ...DOCUMENTED_GLOBALS,
        ...(v.globalIsAlias ? ['global'] : []),
      ]);
      expect(
        v.names.filter((n) => !allowed.has(n)),
        'undocumented globals',
      ).toEqual([]);
      expect(
        v.symbols.filter((s) => s !== 'Symbol(Symbol.toStringTag)'),
        'symbol-keyed globals',
      ).toEqual([]);
      expect(v.handles, 'isolated-vm handles reachable from globalThis').toEqual([]);
      expect(v.visited).toBeGreaterThan(500);
    },
  },
};
export default hostileCase;
