/**
 * In-isolate source: `structuredClone` for the types tenants use: primitives, plain objects,
 * arrays, Date, RegExp, Map, Set, ArrayBuffer, typed arrays/DataView, Error types and boxed
 * primitives, with cycles and shared references preserved. Functions, symbols and other
 * platform objects throw `DataCloneError`, as the HTML algorithm does. `transfer` takes
 * ArrayBuffers: the clone gets their contents and the originals are detached afterwards, as
 * in Node (checked first: anything else, a duplicate or a detached buffer is a DataCloneError).
 *
 * It reads its input through the built-ins captured at the top of inspect.ts (brand checks, the
 * Map/Set iterators, typed array and RegExp getters), builds the copy with captured constructors
 * and defines its properties (no inherited setter runs, as in the HTML algorithm), so a tenant that
 * replaces `Map.prototype.set`, `Array.prototype[Symbol.iterator]` or the global `Map` clones as
 * before. A subclass instance clones to its base class (a typed array's constructor is not read).
 */
export const STRUCTURED_CLONE_SOURCE = String.raw`
const __cloneErrorCtors = { __proto__: null, Error, EvalError, RangeError, ReferenceError, SyntaxError, TypeError, URIError };
const __cloneTypedArrayCtors = {
  __proto__: null, Int8Array, Uint8Array, Uint8ClampedArray, Int16Array, Uint16Array, Int32Array, Uint32Array,
  Float32Array, Float64Array, BigInt64Array, BigUint64Array,
};
if (typeof Float16Array === 'function') __cloneTypedArrayCtors.Float16Array = Float16Array;
const __reGetter = (name) => __uncurry(__getOwnPropertyDescriptor(RegExp.prototype, name).get);
const __reSource = __reGetter('source');
// The flags in the order of RegExp.prototype.flags, read from the regexp's own slots (the
// flags getter would read them through tenant-reachable prototype getters).
const __reFlagGetters = [];
const __reFlagChars = 'dgimsuvy';
const __reFlagNames = ['hasIndices', 'global', 'ignoreCase', 'multiline', 'dotAll', 'unicode', 'unicodeSets', 'sticky'];
for (let i = 0; i < __reFlagNames.length; i++) {
  const d = __getOwnPropertyDescriptor(RegExp.prototype, __reFlagNames[i]);
  __reFlagGetters[i] = d === undefined ? null : __uncurry(d.get);
}
function __reFlags(re) {
  let flags = '';
  for (let i = 0; i < __reFlagGetters.length; i++) {
    if (__reFlagGetters[i] !== null && __reFlagGetters[i](re)) flags += __reFlagChars[i];
  }
  return flags;
}
/** CreateDataProperty: no inherited setter (or __proto__) runs on the clone. */
function __cloneSet(o, k, v) {
  __defineOwn(o, k, { __proto__: null, value: v, writable: true, enumerable: true, configurable: true });
}
const __abTransfer = __uncurry(ArrayBuffer.prototype.transfer);
function __isDetached(ab) {
  try {
    new __Uint8Array(ab, 0, 0);
    return false;
  } catch {
    return true;
  }
}
function __cloneBuffer(v) {
  if (__isDetached(v)) throw __dataCloneError('An ArrayBuffer is detached and could not be cloned.');
  const len = __abByteLength(v);
  const out = new __ArrayBuffer(len);
  if (len > 0) __taSet(new __Uint8Array(out), new __Uint8Array(v, 0, len));
  return out;
}
/** The ArrayBuffers of options.transfer, checked as Node checks them (messages included). */
function __transferList(options) {
  if (options === undefined || options === null) return [];
  if (typeof options !== 'object' && typeof options !== 'function') {
    throw new __TypeError("Failed to execute 'structuredClone': Options cannot be converted to a dictionary");
  }
  const t = options.transfer;
  if (t === undefined) return [];
  if (t === null || (typeof t !== 'object' && typeof t !== 'function') || typeof t[__symIterator] !== 'function') {
    throw new __TypeError("Failed to execute 'structuredClone': transfer in Options cannot be converted to sequence.");
  }
  const list = [];
  for (const item of t) {
    if (typeof item !== 'object' || item === null || !__isArrayBuffer(item)) throw __dataCloneError('Found invalid value in transferList.');
    if (__ArrayIncludes(list, item)) throw __dataCloneError('Transfer list contains duplicate ArrayBuffer');
    if (__isDetached(item)) throw __dataCloneError('Cannot transfer object of unsupported type.');
    __ArrayPush(list, item);
  }
  return list;
}
function __dataCloneError(msg) {
  const e = new __Error(msg);
  __defineOwn(e, 'name', { __proto__: null, value: 'DataCloneError', writable: true, enumerable: true, configurable: true });
  return e;
}
function structuredClone(value, options) {
  if (arguments.length === 0) throw new __TypeError('The "value" argument must be specified');
  const transfer = __transferList(options);
  const memory = new __Map();
  const clone = (v) => {
    if (typeof v === 'symbol') throw __dataCloneError(__symToString(v) + ' could not be cloned.');
    if (typeof v === 'function') throw __dataCloneError(__inspect(v, 0) + ' could not be cloned.');
    if (typeof v !== 'object' || v === null) return v;
    let out = __MapGet(memory, v);
    if (out !== undefined) return out;
    if (__isArray(v)) {
      out = []; out.length = v.length; __MapSet(memory, v, out);
      const keys = __ObjectKeys(v);
      for (let i = 0; i < keys.length; i++) __cloneSet(out, keys[i], clone(v[keys[i]]));
      return out;
    }
    if (__isDate(v)) { out = new __Date(__dateGetTime(v)); __MapSet(memory, v, out); return out; }
    if (__isRegExp(v)) { out = new __RegExp(__reSource(v), __reFlags(v)); __MapSet(memory, v, out); return out; }
    if (__isMap(v)) {
      out = new __Map(); __MapSet(memory, v, out);
      const it = __mapEntries(v);
      for (let r = __mapIterNext(it); !r.done; r = __mapIterNext(it)) __MapSet(out, clone(r.value[0]), clone(r.value[1]));
      return out;
    }
    if (__isSet(v)) {
      out = new __Set(); __MapSet(memory, v, out);
      const it = __setValues(v);
      for (let r = __setIterNext(it); !r.done; r = __setIterNext(it)) __SetAdd(out, clone(r.value));
      return out;
    }
    if (__isArrayBuffer(v)) { out = __cloneBuffer(v); __MapSet(memory, v, out); return out; }
    if (__ArrayBufferIsView(v)) {
      if (__isTypedArray(v)) {
        const C = __cloneTypedArrayCtors[__taTag(v)];
        out = new C(clone(__taBuffer(v)), __taByteOffset(v), __taLength(v));
      } else {
        out = new __DataView(clone(__dvBuffer(v)), __dvByteOffset(v), __dvByteLength(v));
      }
      __MapSet(memory, v, out); return out;
    }
    if (__isError(v)) {
      let name = 'Error';
      try { name = __String(v.name); } catch (e) {}
      const C = __hasOwn(__cloneErrorCtors, name) ? __cloneErrorCtors[name] : __Error;
      out = new C(__String(v.message)); __MapSet(memory, v, out);
      try { if (typeof v.stack === 'string') __defineOwn(out, 'stack', { __proto__: null, value: v.stack, writable: true, configurable: true }); } catch (e) {}
      // An own cause only, as V8's serializer (and so Node's structuredClone) does.
      if (__hasOwn(v, 'cause')) __cloneSet(out, 'cause', clone(v.cause));
      return out;
    }
    if (__isInstance(__NumberProto, v)) return new __Number(__NumberValueOf(v));
    if (__isInstance(__StringProto, v)) return new __String(__StringValueOf(v));
    if (__isInstance(__BooleanProto, v)) return new __Boolean(__BooleanValueOf(v));
    if (__isInstance(__BigIntProto, v)) return __Object(__BigIntValueOf(v));
    if (__isInstance(__PromiseProto, v) || __isInstance(__WeakMapProto, v) || __isInstance(__WeakSetProto, v)) {
      throw __dataCloneError(__inspect(v, 0) + ' could not be cloned.');
    }
    out = {}; __MapSet(memory, v, out);
    const keys = __ObjectKeys(v);
    for (let i = 0; i < keys.length; i++) __cloneSet(out, keys[i], clone(v[keys[i]]));
    return out;
  };
  const result = clone(value);
  // The clone holds copies; transferring leaves the originals detached, as a move would.
  for (let i = 0; i < transfer.length; i++) __abTransfer(transfer[i]);
  return result;
}
`;
