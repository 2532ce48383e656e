/**
 * In-isolate source: `structuredClone` for the types tenants use: primitives, plain objects,
 * arrays, Date, RegExp, Map, Set, ArrayBuffer, typed arrays/DataView, Error types and boxed
 * primitives, with cycles and shared references preserved. Functions, symbols and other
 * platform objects throw `DataCloneError`, as the HTML algorithm does. `transfer` is not
 * supported (there is nothing to transfer to).
 */
export const STRUCTURED_CLONE_SOURCE = String.raw`
function __dataCloneError(msg) { const e = new Error(msg); e.name = 'DataCloneError'; return e; }
function structuredClone(value, options) {
  if (arguments.length === 0) throw new TypeError('The "value" argument must be specified');
  const memory = new Map();
  const clone = (v) => {
    if (typeof v === 'symbol') throw __dataCloneError(__symToString.call(v) + ' could not be cloned.');
    if (typeof v === 'function') throw __dataCloneError(__inspect(v, 0) + ' could not be cloned.');
    if (typeof v !== 'object' || v === null) return v;
    if (memory.has(v)) return memory.get(v);
    let out;
    if (__isArray(v)) {
      out = new Array(v.length); memory.set(v, out);
      for (const k of __ObjectKeys(v)) out[k] = clone(v[k]);
      return out;
    }
    if (__isDate(v)) { out = new Date(__dateGetTime.call(v)); memory.set(v, out); return out; }
    if (__isRegExp(v)) { out = new RegExp(v.source, v.flags); memory.set(v, out); return out; }
    if (__isMap(v)) { out = new Map(); memory.set(v, out); for (const [k, x] of __mapEntries.call(v)) out.set(clone(k), clone(x)); return out; }
    if (__isSet(v)) { out = new Set(); memory.set(v, out); for (const x of __setValues.call(v)) out.add(clone(x)); return out; }
    if (__isArrayBuffer(v)) { out = v.slice(0); memory.set(v, out); return out; }
    if (ArrayBuffer.isView(v)) {
      const buf = clone(v.buffer);
      if (v instanceof DataView) out = new DataView(buf, v.byteOffset, v.byteLength);
      else out = new v.constructor(buf, v.byteOffset, v.length);
      memory.set(v, out); return out;
    }
    if (__isError(v)) {
      const ctors = { Error, EvalError, RangeError, ReferenceError, SyntaxError, TypeError, URIError };
      let name = 'Error';
      try { name = String(v.name); } catch (e) {}
      const C = __hasOwn(ctors, name) ? ctors[name] : Error;
      out = new C(String(v.message)); memory.set(v, out);
      try { if (typeof v.stack === 'string') __defineOwn(out, 'stack', { __proto__: null, value: v.stack, writable: true, configurable: true }); } catch (e) {}
      if ('cause' in v) out.cause = clone(v.cause);
      return out;
    }
    if (v instanceof Number) return new Number(Number.prototype.valueOf.call(v));
    if (v instanceof String) return new String(String.prototype.valueOf.call(v));
    if (v instanceof Boolean) return new Boolean(Boolean.prototype.valueOf.call(v));
    if (v instanceof BigInt) return Object(BigInt.prototype.valueOf.call(v));
    if (v instanceof Promise || v instanceof WeakMap || v instanceof WeakSet) {
      throw __dataCloneError(__inspect(v, 0) + ' could not be cloned.');
    }
    out = {}; memory.set(v, out);
    for (const k of __ObjectKeys(v)) out[k] = clone(v[k]);
    return out;
  };
  return clone(value);
}
`;
