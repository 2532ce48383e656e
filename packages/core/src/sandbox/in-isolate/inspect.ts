/**
 * In-isolate source: a Node-compatible subset of `util.inspect` and `util.format`.
 *
 * This is plain JavaScript (kept as a string, never executed on the host) that is spliced into
 * the bootstrap factory by `sandbox/bootstrap.ts`. It imports nothing and refers only to the
 * isolate's own intrinsics captured at bootstrap time. It follows Node 24's `lib/internal/util/
 * inspect.js` for the cases tenants see every day: quoting, `compact: 3` line breaking, array
 * grouping, depth 2, `[Circular *1]`, Map/Set/Date/RegExp/Error/class instances, symbols,
 * bigint, boxed primitives, typed arrays, getters shown as `[Getter]` (never invoked, like Node).
 *
 * Hostile tenants: like Node's "primordials", every built-in this code (and console, serialize,
 * structured-clone, encoding, which are spliced in after it) calls is captured below before any
 * tenant code runs, and called uncurried: a tenant that replaces `Array.prototype.push`,
 * `String.prototype.replace`, `Math.max`, `Function.prototype.call` or the global `Map` changes
 * nothing here. Regular expressions run through the captured `RegExp.prototype.exec` only (never
 * `String.prototype.replace`/`split` or `RegExp.prototype[Symbol.replace]`, which look up
 * `exec`, `flags` and `constructor` on the tenant-reachable prototypes); `instanceof` is
 * `Object.prototype.isPrototypeOf` on captured prototypes (a tenant can define
 * `Symbol.hasInstance` on a constructor); arrays are built with the captured push or index stores,
 * never with `map`/`filter`/`slice` (their species constructor is tenant-reachable). The tenant's
 * own values are still read as they are: their getters, Proxy traps and `toJSON` run, bounded by
 * the run's limits.
 *
 * Known differences, each because JavaScript cannot see what Node reads through V8's internals:
 * - promise state is not observable (`Promise { <unknown> }`);
 * - Proxies are formatted through their traps (bounded by the run's time limit), and `%o`'s
 *   showProxy cannot show `Proxy [ target, handler ]`;
 * - a Map or Set iterator's remaining entries cannot be read without advancing it (next() would
 *   consume what the tenant has not read yet): `[Map Iterator] { <items unknown> }`, the words
 *   Node uses for a WeakMap's items;
 * - `%o` (showHidden) cannot list a WeakMap's entries, and counts as "built-in" (no prototype
 *   properties listed) the native constructors plus the sandbox's own URL/TextEncoder classes;
 * - Node checks every null-prototype object for Set/Map/ArrayBuffer internals; here those checks
 *   throw (about 3 us each), so a null-prototype object skips them: a Map, Set or ArrayBuffer
 *   whose prototype was set to null shows as `[Object: null prototype] {}`.
 * No colours.
 */
export const INSPECT_SOURCE = String.raw`
const __ObjectKeys = Object.keys;
const __getOwnPropertySymbols = Object.getOwnPropertySymbols;
const __getOwnPropertyNames = Object.getOwnPropertyNames;
const __reflectOwnKeys = Reflect.ownKeys;
const __getOwnPropertyDescriptor = Object.getOwnPropertyDescriptor;
const __getPrototypeOf = Object.getPrototypeOf;
// Shared by the other in-isolate modules, captured before any tenant code. With a
// null-prototype descriptor, a tenant's Object.prototype.get/set/value cannot change what
// __defineOwn defines; __uncurry(f)(self, ...args) calls f without Function.prototype.call.
const __defineOwn = Object.defineProperty;
const __uncurry = Function.prototype.bind.bind(Function.prototype.call);
const __reflectApply = Reflect.apply;
const __promiseThen = Promise.prototype.then;
const __isArray = Array.isArray;
const __hasOwn = Object.hasOwn;
const __JSONstringify = JSON.stringify;
const __symToStringTag = Symbol.toStringTag;
const __symIterator = Symbol.iterator;
const __captureStackTrace = Error.captureStackTrace;
// Constructors and functions called as such: tenant code may replace the globals.
const __Object = Object;
const __String = String;
const __Number = Number;
const __Boolean = Boolean;
const __Map = Map;
const __Set = Set;
const __Date = Date;
const __RegExp = RegExp;
const __Error = Error;
const __TypeError = TypeError;
const __RangeError = RangeError;
const __ArrayBuffer = ArrayBuffer;
const __Uint8Array = Uint8Array;
const __DataView = DataView;
const __parseInt = parseInt;
const __parseFloat = parseFloat;
const __NumberIsFinite = Number.isFinite;
const __ArrayBufferIsView = ArrayBuffer.isView;
const __StringFromCharCode = String.fromCharCode;
const __MathMin = Math.min;
const __MathMax = Math.max;
const __MathFloor = Math.floor;
const __MathRound = Math.round;
const __MathSqrt = Math.sqrt;
// Prototypes, for __isInstance (instanceof without the constructor's Symbol.hasInstance).
const __ObjectProto = Object.prototype;
const __ArrayProto = Array.prototype;
const __FunctionProto = Function.prototype;
const __MapProto = Map.prototype;
const __SetProto = Set.prototype;
const __DateProto = Date.prototype;
const __MapIteratorProto = __getPrototypeOf(new Map().entries());
const __SetIteratorProto = __getPrototypeOf(new Set().values());
const __ErrorProto = Error.prototype;
const __TypeErrorProto = TypeError.prototype;
const __NumberProto = Number.prototype;
const __StringProto = String.prototype;
const __BooleanProto = Boolean.prototype;
const __BigIntProto = BigInt.prototype;
const __SymbolProto = Symbol.prototype;
const __PromiseProto = Promise.prototype;
const __WeakMapProto = WeakMap.prototype;
const __WeakSetProto = WeakSet.prototype;
const __ArrayBufferProto = ArrayBuffer.prototype;
const __Uint8ArrayProto = Uint8Array.prototype;
const __isInstance = __uncurry(Object.prototype.isPrototypeOf);
// Methods, uncurried: __ArrayPush(arr, x) is arr.push(x) with the push of bootstrap time. The
// loops that run once per element or key append with arr[arr.length] = x instead: in an isolate
// an uncurried push costs about 4 times a push once optimized (an index store costs the same).
const __ArrayPush = __uncurry(Array.prototype.push);
const __ArrayPop = __uncurry(Array.prototype.pop);
const __ArrayUnshift = __uncurry(Array.prototype.unshift);
const __ArrayJoin = __uncurry(Array.prototype.join);
const __ArrayIncludes = __uncurry(Array.prototype.includes);
const __ArrayIndexOf = __uncurry(Array.prototype.indexOf);
const __StringSlice = __uncurry(String.prototype.slice);
const __StringIncludes = __uncurry(String.prototype.includes);
const __StringIndexOf = __uncurry(String.prototype.indexOf);
const __StringLastIndexOf = __uncurry(String.prototype.lastIndexOf);
const __StringStartsWith = __uncurry(String.prototype.startsWith);
const __StringEndsWith = __uncurry(String.prototype.endsWith);
const __StringCharCodeAt = __uncurry(String.prototype.charCodeAt);
const __StringRepeat = __uncurry(String.prototype.repeat);
const __StringReplaceAll = __uncurry(String.prototype.replaceAll);
const __StringPadStart = __uncurry(String.prototype.padStart);
const __StringPadEnd = __uncurry(String.prototype.padEnd);
const __StringToUpperCase = __uncurry(String.prototype.toUpperCase);
const __StringToLowerCase = __uncurry(String.prototype.toLowerCase);
const __StringTrim = __uncurry(String.prototype.trim);
const __StringValueOf = __uncurry(String.prototype.valueOf);
const __StringNormalize = __uncurry(String.prototype.normalize);
const __StringCodePointAt = __uncurry(String.prototype.codePointAt);
const __NumberToString = __uncurry(Number.prototype.toString);
const __NumberValueOf = __uncurry(Number.prototype.valueOf);
const __BooleanValueOf = __uncurry(Boolean.prototype.valueOf);
const __BigIntValueOf = __uncurry(BigInt.prototype.valueOf);
const __SymbolValueOf = __uncurry(Symbol.prototype.valueOf);
const __symToString = __uncurry(Symbol.prototype.toString);
const __fnToString = __uncurry(Function.prototype.toString);
const __objToString = __uncurry(Object.prototype.toString);
const __dateToISO = __uncurry(Date.prototype.toISOString);
const __dateGetTime = __uncurry(Date.prototype.getTime);
const __regexpToString = __uncurry(RegExp.prototype.toString);
const __RegExpExec = __uncurry(RegExp.prototype.exec);
const __errorToString = __uncurry(Error.prototype.toString);
const __MapGet = __uncurry(Map.prototype.get);
const __MapSet = __uncurry(Map.prototype.set);
const __MapDelete = __uncurry(Map.prototype.delete);
const __SetHas = __uncurry(Set.prototype.has);
const __SetAdd = __uncurry(Set.prototype.add);
const __SetDelete = __uncurry(Set.prototype.delete);
const __mapSize = __uncurry(__getOwnPropertyDescriptor(Map.prototype, 'size').get);
const __setSize = __uncurry(__getOwnPropertyDescriptor(Set.prototype, 'size').get);
const __mapEntries = __uncurry(Map.prototype.entries);
const __setValues = __uncurry(Set.prototype.values);
const __mapIterNext = __uncurry(__MapIteratorProto.next);
const __setIterNext = __uncurry(__SetIteratorProto.next);
const __TypedArrayProto = __getPrototypeOf(Uint8Array.prototype);
const __taGetter = (name) => __uncurry(__getOwnPropertyDescriptor(__TypedArrayProto, name).get);
const __taLength = __taGetter('length');
const __taBuffer = __taGetter('buffer');
const __taByteOffset = __taGetter('byteOffset');
const __taByteLength = __taGetter('byteLength');
const __taTag = __taGetter(__symToStringTag);
const __taSet = __uncurry(__TypedArrayProto.set);
const __abByteLength = __uncurry(__getOwnPropertyDescriptor(ArrayBuffer.prototype, 'byteLength').get);
const __dvGetter = (name) => __uncurry(__getOwnPropertyDescriptor(DataView.prototype, name).get);
const __dvBuffer = __dvGetter('buffer');
const __dvByteOffset = __dvGetter('byteOffset');
const __dvByteLength = __dvGetter('byteLength');
const __digitsRe = /^\d+$/;
const __circularRe = /circular/i;

function __reTest(re, s) { return __RegExpExec(re, s) !== null; }

/**
 * str.replace(re, fn) for a global re: fn(match, arg) gives each replacement. Only the captured
 * exec runs (String.prototype.replace would call the tenant-reachable RegExp.prototype.exec).
 */
function __reReplace(re, str, fn, arg) {
  re.lastIndex = 0;
  let m = __RegExpExec(re, str);
  if (m === null) return str;
  let out = '';
  let last = 0;
  do {
    const c = m[0];
    out += __StringSlice(str, last, m.index) + fn(c, arg);
    last = m.index + c.length;
    m = __RegExpExec(re, str);
  } while (m !== null);
  return out + __StringSlice(str, last);
}

/** s.split(sep) for a non-empty string sep (split would look up String.prototype[Symbol.split]). */
function __split(s, sep) {
  const out = [];
  let start = 0;
  for (let i = __StringIndexOf(s, sep); i !== -1; i = __StringIndexOf(s, sep, start)) {
    __ArrayPush(out, __StringSlice(s, start, i));
    start = i + sep.length;
  }
  __ArrayPush(out, __StringSlice(s, start));
  return out;
}

/** Every line after the first indented by ind. */
function __indentLines(s, ind) {
  return __StringIncludes(s, '\n') ? __ArrayJoin(__split(s, '\n'), '\n' + ind) : s;
}

function __callSafe(fn, thisArg) {
  try { fn(thisArg); return true; } catch (e) { return false; }
}
function __isMap(v) { return __callSafe(__mapSize, v); }
function __isSet(v) { return __callSafe(__setSize, v); }
function __isDate(v) { return __callSafe(__dateGetTime, v); }
function __isTypedArray(v) { try { return __taTag(v) !== undefined; } catch (e) { return false; } }
function __isArrayBuffer(v) { return __callSafe(__abByteLength, v); }
function __isRegExp(v) { return __objToString(v) === '[object RegExp]'; }
function __isError(v) {
  if (__isInstance(__ErrorProto, v)) return true;
  return __objToString(v) === '[object Error]';
}

const __meta = [
  '\\x00', '\\x01', '\\x02', '\\x03', '\\x04', '\\x05', '\\x06', '\\x07',
  '\\b', '\\t', '\\n', '\\x0B', '\\f', '\\r', '\\x0E', '\\x0F',
  '\\x10', '\\x11', '\\x12', '\\x13', '\\x14', '\\x15', '\\x16', '\\x17',
  '\\x18', '\\x19', '\\x1A', '\\x1B', '\\x1C', '\\x1D', '\\x1E', '\\x1F',
];
const __escSingle = /[\x00-\x1f\x27\x5c\x7f-\x9f]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
const __escDouble = /[\x00-\x1f\x22\x5c\x7f-\x9f]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
const __escBack = /[\x00-\x1f\x60\x5c\x7f-\x9f]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

function __escapeChar(c, quote) {
  const code = __StringCharCodeAt(c, 0);
  if (c.length === 1 && code < 32) return __meta[code];
  if (code === quote || c === '\\') return '\\' + c;
  // As Node: C1 controls and DEL as \x7F..\x9F, a lone surrogate as \ud800 (lower case).
  if (code >= 0x7f && code <= 0x9f) return '\\x' + __StringToUpperCase(__NumberToString(code, 16));
  return '\\u' + __StringPadStart(__NumberToString(code, 16), 4, '0');
}

function __strEscape(str) {
  let re = __escSingle;
  let quote = 39;
  let q = "'";
  if (__StringIncludes(str, "'")) {
    if (!__StringIncludes(str, '"')) { quote = 34; q = '"'; re = __escDouble; }
    else if (!__StringIncludes(str, '$' + '{') && !__StringIncludes(str, '\x60')) { quote = 96; q = '\x60'; re = __escBack; }
  }
  return q + __reReplace(re, str, __escapeChar, quote) + q;
}

function __formatNumber(n) { return n === 0 && 1 / n < 0 ? '-0' : '' + n; }

/** Node's v.split(/(?<=\n)/): the lines of v, each keeping its newline. */
function __linesKeepingNewline(v) {
  const out = [];
  let start = 0;
  for (let i = __StringIndexOf(v, '\n'); i !== -1 && i + 1 < v.length; i = __StringIndexOf(v, '\n', start)) {
    __ArrayPush(out, __StringSlice(v, start, i + 1));
    start = i + 1;
  }
  __ArrayPush(out, __StringSlice(v, start));
  return out;
}

function __formatPrimitive(ctx, v) {
  switch (typeof v) {
    case 'string': {
      let trailer = '';
      if (v.length > ctx.maxStringLength) {
        const remaining = v.length - ctx.maxStringLength;
        v = __StringSlice(v, 0, ctx.maxStringLength);
        trailer = '... ' + remaining + ' more character' + (remaining > 1 ? 's' : '');
      }
      if (v.length > 16 && v.length > ctx.breakLength - ctx.indentationLvl - 4) {
        const lines = __linesKeepingNewline(v);
        let s = __strEscape(lines[0]);
        const sep = ' +\n' + __StringRepeat(' ', ctx.indentationLvl + 2);
        for (let i = 1; i < lines.length; i++) s += sep + __strEscape(lines[i]);
        return s + trailer;
      }
      return __strEscape(v) + trailer;
    }
    case 'number': return __formatNumber(v);
    case 'bigint': return v + 'n';
    case 'boolean': return '' + v;
    case 'undefined': return 'undefined';
    case 'symbol': return __symToString(v);
  }
  return __String(v);
}

// Where __getCtorName found the name (for __protoProps): the constructor's holder, and the
// first prototype of the object.
let __ctorHolder = null;
let __ctorFirstProto;

/** Node's wellKnownPrototypes: named whatever their constructor property says. */
function __wellKnownName(o) {
  if (o === __ObjectProto) return 'Object';
  if (o === __ArrayProto) return 'Array';
  if (o === __FunctionProto) return 'Function';
  if (o === __MapProto) return 'Map';
  if (o === __SetProto) return 'Set';
  return null;
}

/** Node's getConstructorName: the first constructor up the chain that obj is an instance of. */
function __getCtorName(obj) {
  let o = obj;
  __ctorHolder = null;
  __ctorFirstProto = undefined;
  for (let i = 0; o !== null && i < 1000; i++) {
    if (i > 0) {
      const known = __wellKnownName(o);
      if (known !== null) { __ctorHolder = o; return known; }
    }
    const d = __getOwnPropertyDescriptor(o, 'constructor');
    if (d !== undefined && __hasOwn(d, 'value') && typeof d.value === 'function' && typeof d.value.name === 'string' && d.value.name !== '') {
      const p = d.value.prototype;
      if ((typeof p === 'object' || typeof p === 'function') && p !== null && __isInstance(p, obj)) {
        __ctorHolder = o;
        return d.value.name;
      }
    }
    o = __getPrototypeOf(o);
    if (i === 0) __ctorFirstProto = o;
  }
  __ctorHolder = null;
  return null;
}

/** Node: a global of the realm. Here: native code (not the non-global intrinsics) or ours. */
function __isBuiltinCtor(fn) {
  let name = '';
  try { name = fn.name; } catch (e) { return false; }
  if (name === 'URL' || name === 'URLSearchParams' || name === 'TextEncoder' || name === 'TextDecoder') return true;
  if (name === 'GeneratorFunction' || name === 'AsyncFunction' || name === 'AsyncGeneratorFunction') return false;
  let src = '';
  try { src = __fnToString(fn); } catch (e) { return false; }
  return __StringEndsWith(src, '{ [native code] }');
}

/** Node's addPrototypeProperties (showHidden): non-function properties of 3 prototype layers. */
function __protoProps(ctx, value, recurseTimes) {
  const holder = __ctorHolder;
  const first = __ctorFirstProto;
  let obj;
  if (holder === null) return undefined;
  if (first === undefined) obj = value; // the constructor is value's own property
  else if (first !== holder) obj = first;
  else {
    if (__wellKnownName(holder) !== null) return undefined;
    const d = __getOwnPropertyDescriptor(holder, 'constructor');
    if (d === undefined || !__hasOwn(d, 'value') || __isBuiltinCtor(d.value)) return undefined;
    obj = holder;
  }
  const out = [];
  const seenKeys = new __Set();
  let keys = [];
  for (let depth = 0; depth < 3; depth++) {
    if (depth !== 0 || value === obj) {
      obj = __getPrototypeOf(obj);
      if (obj === null || __wellKnownName(obj) !== null) break;
      const d = __getOwnPropertyDescriptor(obj, 'constructor');
      if (d !== undefined && __hasOwn(d, 'value') && typeof d.value === 'function' && __isBuiltinCtor(d.value)) break;
    }
    for (let i = 0; i < keys.length; i++) __SetAdd(seenKeys, keys[i]);
    keys = __reflectOwnKeys(obj);
    __ArrayPush(ctx.seen, value);
    try {
      for (let i = 0; i < keys.length; i++) {
        const key = keys[i];
        if (key === 'constructor' || __hasOwn(value, key) || (depth !== 0 && __SetHas(seenKeys, key))) continue;
        const desc = __getOwnPropertyDescriptor(obj, key);
        if (desc === undefined || (__hasOwn(desc, 'value') && typeof desc.value === 'function')) continue;
        out[out.length] = __formatProperty(ctx, obj, key, recurseTimes, false, desc);
      }
    } finally {
      __ArrayPop(ctx.seen);
    }
  }
  return out.length === 0 ? undefined : out;
}

function __prefix(ctor, tag, fallback, size) {
  const sz = size === undefined ? '' : '(' + size + ')';
  if (ctor === null) {
    if (tag !== '' && fallback !== tag) return '[' + fallback + sz + ': null prototype] [' + tag + '] ';
    return '[' + fallback + sz + ': null prototype] ';
  }
  if (tag !== '' && ctor !== tag) return ctor + sz + ' [' + tag + '] ';
  return ctor + sz + ' ';
}

// Once per key, so without a match object: exec (the one regexp entry point captured)
// allocates one for every match, so the identifier test matches what is NOT an identifier.
const __notIdentifierRe = /^$|^[0-9]|[^a-zA-Z_0-9]/;
function __isIdentifier(k) { return __RegExpExec(__notIdentifierRe, k) === null; }

/** /^(0|[1-9][0-9]*)$/.test(k): the key of a String object's character. */
function __isCanonicalIndex(k) {
  if (k.length === 0) return false;
  if (__StringCharCodeAt(k, 0) === 48) return k.length === 1;
  for (let i = 0; i < k.length; i++) {
    const c = __StringCharCodeAt(k, i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

/** Node 24's property name: a non-enumerable one in brackets ([length], ['a-b'], [Symbol(s)]). */
function __formatKey(key, enumerable) {
  let name;
  if (typeof key === 'symbol') name = __reReplace(__escSingle, __symToString(key), __escapeChar, 39);
  else if (key === '__proto__') name = "['__proto__']";
  else if (__isIdentifier(key)) name = key;
  else name = __strEscape(key);
  return enumerable === false ? '[' + name + ']' : name;
}

/** /^(0|[1-9][0-9]*)$/.test(k) && +k < 4294967295, without a call: the canonical form of a uint32 below 2^32 - 1. */
function __isArrayIndexKey(k) {
  const n = +k;
  return (n >>> 0) === n && n !== 4294967295 && '' + n === k;
}

/** The keys shown: own enumerable ones (all own ones under showHidden), symbols last. */
function __ownKeys(ctx, obj, skipIndices) {
  let keys = ctx.showHidden ? __getOwnPropertyNames(obj) : __ObjectKeys(obj);
  if (skipIndices) {
    const all = keys;
    keys = [];
    for (let i = 0; i < all.length; i++) if (!__isArrayIndexKey(all[i])) keys[keys.length] = all[i];
  }
  const syms = __getOwnPropertySymbols(obj);
  for (let i = 0; i < syms.length; i++) {
    if (ctx.showHidden) { keys[keys.length] = syms[i]; continue; }
    const d = __getOwnPropertyDescriptor(obj, syms[i]);
    if (d !== undefined && d.enumerable) keys[keys.length] = syms[i];
  }
  return keys;
}

function __formatProperty(ctx, obj, key, recurseTimes, isArrayExtra, desc) {
  const d = desc !== undefined ? desc : __getOwnPropertyDescriptor(obj, key);
  let str;
  // A data property (read from its own descriptor fields: Object.prototype.value/get/set may be set).
  if (d === undefined || __hasOwn(d, 'value')) {
    ctx.indentationLvl += 2;
    str = __formatValue(ctx, d === undefined ? obj[key] : d.value, recurseTimes);
    ctx.indentationLvl -= 2;
  } else if (d.get !== undefined) {
    str = d.set !== undefined ? '[Getter/Setter]' : '[Getter]';
  } else {
    str = d.set !== undefined ? '[Setter]' : 'undefined';
  }
  if (isArrayExtra) return str;
  return __formatKey(key, d === undefined || d.enumerable) + ': ' + str;
}

function __formatValue(ctx, v, recurseTimes, typedArray) {
  // The budget bounds the work and the size of what console/preview can produce.
  if (ctx.budget <= 0) return '\u2026';
  if (typeof v !== 'object' && typeof v !== 'function') {
    const s = __formatPrimitive(ctx, v);
    ctx.budget -= s.length;
    return s;
  }
  if (v === null) return 'null';
  if (__ArrayIncludes(ctx.seen, v)) {
    let index = 1;
    if (ctx.circular === undefined) { ctx.circular = new __Map(); __MapSet(ctx.circular, v, index); }
    else {
      index = __MapGet(ctx.circular, v);
      if (index === undefined) { index = __mapSize(ctx.circular) + 1; __MapSet(ctx.circular, v, index); }
    }
    return '[Circular *' + index + ']';
  }
  // Every operation on a revoked proxy throws; Array.isArray only for one (it runs no trap).
  try {
    __isArray(v);
  } catch {
    return '<Revoked Proxy>';
  }
  // Node's hook for user-defined inspection (util.inspect.custom), not on a class's prototype.
  const custom = v[__inspectCustom];
  if (typeof custom === 'function' && custom !== __publicInspect && !__isOwnPrototype(v)) {
    const depth = ctx.depth - recurseTimes;
    const ret = __reflectApply(custom, v, [depth, __userOptions(ctx, depth), __publicInspect]);
    if (ret !== v) {
      if (typeof ret !== 'string') return __formatValue(ctx, ret, recurseTimes);
      ctx.budget -= ret.length;
      return __StringReplaceAll(ret, '\n', '\n' + __StringRepeat(' ', ctx.indentationLvl));
    }
  }
  return __formatRaw(ctx, v, recurseTimes, typedArray);
}

const __inspectCustom = Symbol.for('nodejs.util.inspect.custom');

/** True for a prototype object (its constructor's prototype is itself), as Node checks. */
function __isOwnPrototype(v) {
  const c = v.constructor;
  return !!c && c.prototype === v;
}

/** The options a custom inspect function receives (Node's, without colours). */
function __userOptions(ctx, depth) {
  return {
    depth, colors: false, customInspect: true, showHidden: ctx.showHidden === true, showProxy: false,
    maxArrayLength: ctx.maxArrayLength, maxStringLength: ctx.maxStringLength, breakLength: ctx.breakLength,
    compact: ctx.compact, sorted: false, getters: false, numericSeparator: false,
    stylize(text) { return __String(text); },
  };
}

/** The inspect a custom inspect function receives as its third argument: util.inspect(value, options). */
function __publicInspect(value, options) {
  let depth = 2;
  let showHidden = false;
  if (options !== null && typeof options === 'object') {
    const d = options.depth;
    if (d === null) depth = Infinity;
    else if (typeof d === 'number') depth = d;
    showHidden = options.showHidden === true;
  }
  return __inspect(value, depth, __MAX_INSPECT_CHARS, showHidden);
}
/** Most characters one call of that inspect produces. */
const __MAX_INSPECT_CHARS = 16 * 1024;

function __getFunctionBase(v, ctor, tag) {
  let src = '';
  try { src = __fnToString(v); } catch (e) { src = ''; }
  let name = '';
  try { name = typeof v.name === 'string' ? v.name : ''; } catch (e) { name = ''; }
  if (__StringStartsWith(src, 'class') && __StringEndsWith(src, '}')) {
    let base = '[class ' + (name || '(anonymous)');
    if (ctor !== 'Function' && ctor !== null) base += ' [' + ctor + ']';
    const sup = __getPrototypeOf(v);
    if (sup !== null && typeof sup === 'function' && sup.name) base += ' extends ' + sup.name;
    return base + ']';
  }
  let type = 'Function';
  const t = __objToString(v);
  if (t === '[object AsyncFunction]') type = 'AsyncFunction';
  else if (t === '[object GeneratorFunction]') type = 'GeneratorFunction';
  else if (t === '[object AsyncGeneratorFunction]') type = 'AsyncGeneratorFunction';
  let base = '[' + type;
  if (ctor === null) base += ' (null prototype)';
  base += name === '' ? ' (anonymous)' : ': ' + name;
  base += ']';
  if (ctor !== type && ctor !== null) base += ' ' + ctor;
  if (tag !== '' && ctor !== tag) base += ' [' + tag + ']';
  return base;
}

const __vmdFrameRe = /^\s+at .*vmd:/;
const __evalFrameRe = /^\s+at eval \(<anonymous>\)$/;
const __tenantEvalFrameRe = /^(\s+at )eval \((file:\/\/\/tenant\/[^)]*)\)$/;

function __cleanStack(stack) {
  // Hide the sandbox's own frames (vmd:*) from tenant-visible stacks.
  // Top-level tenant frames run through indirect eval: show them as Node shows module frames.
  const lines = __split(stack, '\n');
  const out = [];
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i];
    if (__reTest(__vmdFrameRe, l) || __reTest(__evalFrameRe, l)) continue;
    const m = __RegExpExec(__tenantEvalFrameRe, l);
    __ArrayPush(out, m === null ? l : m[1] + m[2]);
  }
  return __ArrayJoin(out, '\n');
}

/** Node's getStackString, with the sandbox's frames removed. */
function __getStackString(ctx, err) {
  let stack;
  try { stack = err.stack; } catch (e) { stack = undefined; }
  if (stack) return typeof stack === 'string' ? __cleanStack(stack) : __formatValue(ctx, stack, 0);
  try { return __errorToString(err); } catch (e) { return 'Error'; }
}

/** Node's identicalSequenceRange: the first run of more than 3 lines of a found in b. */
function __identicalSequenceRange(a, b) {
  for (let i = 0; i < a.length - 3; i++) {
    const pos = __ArrayIndexOf(b, a[i]);
    if (pos !== -1) {
      const rest = b.length - pos;
      if (rest > 3) {
        let len = 1;
        const maxLen = __MathMin(a.length - i, rest);
        while (maxLen > len && a[i + len] === b[pos + len]) len++;
        if (len > 3) return { len, offset: i };
      }
    }
  }
  return { len: 0, offset: 0 };
}

/** Node's getStackFrames: frames also in the cause's stack are folded into one line. */
function __getStackFrames(ctx, err, framesText) {
  let frames = __split(framesText, '\n');
  let cause;
  try { cause = err.cause; } catch (e) { cause = undefined; }
  if (cause !== null && typeof cause === 'object' && __isError(cause)) {
    const causeStack = __getStackString(ctx, cause);
    const causeStackStart = __StringIndexOf(causeStack, '\n    at');
    if (causeStackStart !== -1) {
      const causeFrames = __split(__StringSlice(causeStack, causeStackStart + 1), '\n');
      const r = __identicalSequenceRange(frames, causeFrames);
      if (r.len > 0) {
        const skipped = r.len - 2;
        const out = [];
        for (let i = 0; i <= r.offset; i++) out[out.length] = frames[i];
        out[out.length] = '    ... ' + skipped + ' lines matching cause stack trace ...';
        for (let i = r.offset + 1 + skipped; i < frames.length; i++) out[out.length] = frames[i];
        frames = out;
      }
    }
  }
  return frames;
}

const __errorNameRe = /^([A-Z][a-z_ A-Z0-9[\]()-]+)(?::|\n {4}at)/;
const __errorOnlyNameRe = /^([a-z_A-Z0-9-]*Error)$/;

/** Node's improveStack: the constructor's name where the stack names another class. */
function __improveStack(stack, ctor, name, tag) {
  let len = name.length;
  if (typeof name !== 'string') {
    const n = __String(name);
    const i = __StringIndexOf(stack, n);
    if (i !== -1) stack = __StringSlice(stack, 0, i) + n + ' [' + __StringSlice(__prefix(ctor, tag, 'Error'), 0, -1) + ']' + __StringSlice(stack, i + n.length);
  }
  if (ctor === null || (__StringEndsWith(name, 'Error') && __StringStartsWith(stack, name) &&
      (stack.length === len || stack[len] === ':' || stack[len] === '\n'))) {
    let fallback = 'Error';
    if (ctor === null) {
      const start = __RegExpExec(__errorNameRe, stack) || __RegExpExec(__errorOnlyNameRe, stack);
      fallback = (start !== null && start[1]) || '';
      len = fallback.length;
      fallback = fallback || 'Error';
    }
    const prefix = __StringSlice(__prefix(ctor, tag, fallback), 0, -1);
    if (name !== prefix) {
      if (__StringIncludes(prefix, name)) stack = len === 0 ? prefix + ': ' + stack : prefix + __StringSlice(stack, len);
      else stack = prefix + ' [' + name + ']' + __StringSlice(stack, len);
    }
  }
  return stack;
}

/** Node's formatError: the stack, then the keys (an own cause and errors added). */
function __formatError(ctx, err, ctor, tag, keys) {
  let name = 'Error';
  try { const n = err.name; if (n !== null && n !== undefined) name = n; } catch (e) {}
  let stack = __getStackString(ctx, err);
  if (!ctx.showHidden && keys.length !== 0) {
    const all = keys;
    keys = [];
    for (let i = 0; i < all.length; i++) {
      const k = all[i];
      if (k === 'name' || k === 'message' || k === 'stack') {
        let v;
        try { v = err[k]; } catch (e) { v = undefined; }
        if (typeof v !== 'string' || __StringIncludes(stack, v)) continue;
      }
      keys[keys.length] = k;
    }
  }
  if (__hasOwn(err, 'cause') && !__ArrayIncludes(keys, 'cause')) __ArrayPush(keys, 'cause');
  const errors = __getOwnPropertyDescriptor(err, 'errors');
  if (errors !== undefined && __hasOwn(errors, 'value') && __isArray(errors.value) && !__ArrayIncludes(keys, 'errors')) {
    __ArrayPush(keys, 'errors');
  }
  try { stack = __improveStack(stack, ctor, name, tag); } catch (e) {}
  let message;
  try { message = err.message; } catch (e) { message = undefined; }
  let pos = (typeof message === 'string' && message !== '' && __StringIndexOf(stack, message)) || -1;
  if (pos !== -1) pos += message.length;
  const stackStart = __StringIndexOf(stack, '\n    at', pos);
  if (stackStart === -1) {
    stack = '[' + stack + ']';
  } else {
    const frames = __getStackFrames(ctx, err, __StringSlice(stack, stackStart + 1));
    stack = __StringSlice(stack, 0, stackStart) + '\n' + __ArrayJoin(frames, '\n');
  }
  if (ctx.indentationLvl !== 0) stack = __indentLines(stack, __StringRepeat(' ', ctx.indentationLvl));
  return { base: stack, keys };
}

/**
 * A string from a nested util.inspect (a custom inspect's result in Node) placed at the current
 * indentation, and counted against the budget.
 */
function __placed(ctx, s) {
  ctx.budget -= s.length;
  return ctx.indentationLvl === 0 ? s : __indentLines(s, __StringRepeat(' ', ctx.indentationLvl));
}

/** Node's URL [util.inspect.custom]: the name, then its fields as a plain object at full depth. */
function __formatURL(ctx, value, ctor) {
  const fields = __uInspectFields(value);
  const obj = {};
  for (let i = 0; i < fields.length; i++) {
    __defineOwn(obj, fields[i][0], { __proto__: null, value: fields[i][1], writable: true, enumerable: true, configurable: true });
  }
  return __placed(ctx, (ctor || 'URL') + ' ' + __inspect(obj, ctx.depth, ctx.budget));
}

/** Node's URLSearchParams [util.inspect.custom]: 'name' => 'value' pairs, broken past 80 columns. */
function __formatSearchParams(ctx, value, ctor) {
  const list = __uParamsList(value);
  const out = [];
  let length = -2;
  for (let i = 0; i < list.length; i++) {
    const entry = __formatPrimitive(ctx, list[i].n) + ' => ' + __formatPrimitive(ctx, list[i].v);
    out[i] = entry;
    length += entry.length + 2;
  }
  const name = ctor || 'URLSearchParams';
  if (out.length === 0) return name + ' {}';
  if (length > ctx.breakLength) return __placed(ctx, name + ' {\n  ' + __ArrayJoin(out, ',\n  ') + ' }');
  return name + ' { ' + __ArrayJoin(out, ', ') + ' }';
}

/** Node's URLSearchParams Iterator [util.inspect.custom]: what is left to iterate. */
function __formatParamsIterator(ctx, value, recurseTimes) {
  if (recurseTimes > ctx.depth) return '[Object]';
  const items = __uParamsIteratorRest(value);
  const innerDepth = ctx.depth - recurseTimes - 1;
  const breakLine = __StringIncludes(__inspect(items, innerDepth, ctx.budget), '\n');
  const strs = [];
  for (let i = 0; i < items.length; i++) strs[i] = __inspect(items[i], innerDepth, ctx.budget);
  const body = breakLine ? '\n  ' + __ArrayJoin(strs, ',\n  ') : ' ' + __ArrayJoin(strs, ', ');
  return __placed(ctx, 'URLSearchParams Iterator {' + body + ' }');
}

function __formatRaw(ctx, value, recurseTimes, typedArray) {
  let keys;
  let ctor = null;
  try { ctor = __getCtorName(value); } catch (e) { ctor = 'Object'; __ctorHolder = null; }
  // Past the depth limit Node formats a URL as the object it is (\`URL {}\`), and
  // URLSearchParams as [Object].
  if (__uIsURL(value) && recurseTimes <= ctx.depth) return __formatURL(ctx, value, ctor);
  if (__uIsParams(value)) return recurseTimes > ctx.depth ? '[Object]' : __formatSearchParams(ctx, value, ctor);
  if (__uIsParamsIterator(value)) return __formatParamsIterator(ctx, value, recurseTimes);
  let protoProps;
  if (ctx.showHidden && recurseTimes <= ctx.depth) protoProps = __protoProps(ctx, value, recurseTimes);
  // stringTag: Object.prototype.toString shows the tag, not the built-in class.
  let tag = '';
  let stringTag = false;
  try {
    const t = value[__symToStringTag];
    if (typeof t === 'string') {
      stringTag = true;
      if (t !== '') {
        const d = __getOwnPropertyDescriptor(value, __symToStringTag);
        if (d === undefined || !(ctx.showHidden || d.enumerable)) tag = t;
      }
    }
  } catch (e) {}
  let base = '';
  let braces;
  let formatter = __formatObjectEntries;
  let extrasType = 0; // 0 object, 1 array
  let noIterator = true;
  let fallback = 'Object';
  let size;

  // As Node, only iterables are checked for Set/Map (checks that throw); null prototypes neither.
  let iterable = false;
  if (__isArray(value)) {
    keys = __ownKeys(ctx, value, true);
    fallback = 'Array';
    const pre = (ctor !== 'Array' || tag !== '') ? __prefix(ctor, tag, 'Array', value.length) : '';
    braces = [pre + '[', ']'];
    if (value.length === 0 && keys.length === 0 && protoProps === undefined) return braces[0] + ']';
    extrasType = 1;
    formatter = __formatArray;
    noIterator = false;
  } else {
    if (ctor !== null) { try { iterable = __symIterator in value; } catch (e) {} }
    if (iterable && __isSet(value)) {
      size = __setSize(value);
      fallback = 'Set';
      keys = __ownKeys(ctx, value, false);
      const pre = __prefix(ctor, tag, 'Set', size);
      formatter = __formatSet;
      if (size === 0 && keys.length === 0 && protoProps === undefined) return pre + '{}';
      braces = [pre + '{', '}'];
      noIterator = false;
    } else if (iterable && __isMap(value)) {
      size = __mapSize(value);
      fallback = 'Map';
      keys = __ownKeys(ctx, value, false);
      const pre = __prefix(ctor, tag, 'Map', size);
      formatter = __formatMap;
      if (size === 0 && keys.length === 0 && protoProps === undefined) return pre + '{}';
      braces = [pre + '{', '}'];
      noIterator = false;
    } else if ((iterable || ctor === null) && __isTypedArray(value)) {
      keys = __ownKeys(ctx, value, true);
      const len = __taLength(value);
      fallback = __taTag(value);
      braces = [__prefix(ctor, tag === fallback ? '' : tag, fallback, len) + '[', ']'];
      if (len === 0 && keys.length === 0 && !ctx.showHidden) return braces[0] + ']';
      formatter = __formatTypedArray;
      extrasType = 1;
      noIterator = false;
    } else if (iterable && (__isInstance(__MapIteratorProto, value) || __isInstance(__SetIteratorProto, value))) {
      keys = __ownKeys(ctx, value, false);
      const type = __isInstance(__MapIteratorProto, value) ? 'Map' : 'Set';
      let t = tag;
      if (t !== type + ' Iterator') t = (t !== '' ? t + '] [' : '') + type + ' Iterator';
      braces = ['[' + t + '] {', '}'];
      formatter = __formatIterator;
      noIterator = false;
    }
  }
  if (noIterator) {
    keys = __ownKeys(ctx, value, false);
    braces = ['{', '}'];
    if (typeof value === 'function') {
      base = __getFunctionBase(value, ctor, tag);
      if (keys.length === 0 && protoProps === undefined) return base;
    } else if (ctor === 'Object') {
      if (iterable && __objToString(value) === '[object Arguments]') braces[0] = '[Arguments] {';
      else if (tag !== '') braces[0] = __prefix(ctor, tag, 'Object') + '{';
      if (keys.length === 0 && protoProps === undefined) return braces[0] + '}';
    } else {
      const builtinTag = __objToString(value);
      if (builtinTag === '[object RegExp]') {
        fallback = 'RegExp';
        try { base = __regexpToString(value); } catch (e) { base = '/(invalid)/'; }
        const pre = __prefix(ctor, tag, 'RegExp');
        if (pre !== 'RegExp ') base = pre + base;
        if ((keys.length === 0 && protoProps === undefined) || recurseTimes > ctx.depth) return base;
      } else if (stringTag ? __isInstance(__DateProto, value) && __isDate(value) : builtinTag === '[object Date]' && __isDate(value)) {
        fallback = 'Date';
        const t = __dateGetTime(value);
        base = t !== t ? 'Invalid Date' : __dateToISO(value);
        const pre = __prefix(ctor, tag, 'Date');
        if (pre !== 'Date ') base = pre + base;
        if (keys.length === 0 && protoProps === undefined) return base;
      } else if (__isInstance(__ErrorProto, value) || builtinTag === '[object Error]') {
        fallback = 'Error';
        const r = __formatError(ctx, value, ctor, tag, keys);
        base = r.base; keys = r.keys;
        if (keys.length === 0 && protoProps === undefined) return base;
      } else if (ctor !== null && __isInstance(__ArrayBufferProto, value) && __isArrayBuffer(value)) {
        fallback = 'ArrayBuffer';
        braces[0] = __prefix(ctor, tag, 'ArrayBuffer') + '{';
        formatter = typedArray === true ? __formatBufferLength : __formatArrayBuffer;
      } else if (__ArrayBufferIsView(value) && !__isTypedArray(value)) {
        fallback = 'DataView';
        braces[0] = __prefix(ctor, tag, 'DataView') + '{';
        formatter = __formatDataView;
      } else if (tag === 'Promise' || __isInstance(__PromiseProto, value)) {
        fallback = 'Promise';
        braces = [__prefix(ctor, '', 'Promise') + '{', '}'];
        formatter = function () { return ['<unknown>']; };
      } else if (__isInstance(__WeakMapProto, value) || __isInstance(__WeakSetProto, value)) {
        return __prefix(ctor, '', __isInstance(__WeakMapProto, value) ? 'WeakMap' : 'WeakSet') + '{ <items unknown> }';
      } else if (typeof value.valueOf === 'function' && (__isInstance(__NumberProto, value) || __isInstance(__StringProto, value) || __isInstance(__BooleanProto, value) || __isInstance(__BigIntProto, value) || __isInstance(__SymbolProto, value))) {
        let type = 'Object', prim;
        if (__isInstance(__NumberProto, value)) { type = 'Number'; prim = __formatNumber(__NumberValueOf(value)); }
        else if (__isInstance(__StringProto, value)) {
          type = 'String'; prim = __strEscape(__StringValueOf(value));
          const all = keys;
          keys = [];
          for (let i = 0; i < all.length; i++) if (typeof all[i] !== 'string' || !__isCanonicalIndex(all[i])) __ArrayPush(keys, all[i]);
        }
        else if (__isInstance(__BooleanProto, value)) { type = 'Boolean'; prim = '' + __BooleanValueOf(value); }
        else if (__isInstance(__BigIntProto, value)) { type = 'BigInt'; prim = __BigIntValueOf(value) + 'n'; }
        else { type = 'Symbol'; prim = __symToString(__SymbolValueOf(value)); }
        base = '[' + type + (ctor !== type ? (ctor === null ? ' (null prototype)' : ' (' + ctor + ')') : '') + ': ' + prim + ']';
        if (keys.length === 0 && protoProps === undefined) return base;
      } else {
        braces[0] = __prefix(ctor, tag, 'Object') + '{';
        if (keys.length === 0 && protoProps === undefined) return braces[0] + '}';
      }
    }
  }

  if (recurseTimes > ctx.depth) {
    const name = __StringSlice(__prefix(ctor, tag, fallback), 0, -1);
    return ctor === null ? name : '[' + name + ']';
  }
  recurseTimes += 1;
  __ArrayPush(ctx.seen, value);
  ctx.currentDepth = recurseTimes;
  let output;
  try {
    output = formatter(ctx, value, recurseTimes);
    for (let i = 0; i < keys.length; i++) {
      output[output.length] = __formatProperty(ctx, value, keys[i], recurseTimes, false);
    }
    if (protoProps !== undefined) for (let i = 0; i < protoProps.length; i++) output[output.length] = protoProps[i];
  } finally {
    __ArrayPop(ctx.seen);
  }
  if (ctx.circular !== undefined) {
    const index = __MapGet(ctx.circular, value);
    if (index !== undefined) {
      const ref = '<ref *' + index + '>';
      if (base === '') braces[0] = ref + ' ' + braces[0];
      else base = ref + ' ' + base;
    }
  }
  return __reduceToSingleString(ctx, output, base, braces, extrasType, recurseTimes, value);
}

function __formatObjectEntries() { return []; }

/** A Map/Set iterator: its items cannot be read without advancing it. */
function __formatIterator() { return ['<items unknown>']; }

function __hexBytes(bytes, n) {
  let hex = '';
  for (let i = 0; i < n; i++) hex += (i ? ' ' : '') + __StringPadStart(__NumberToString(bytes[i], 16), 2, '0');
  return hex;
}

/** Node's formatArrayBuffer, then the [byteLength] Node lists before the own keys. */
function __formatArrayBuffer(ctx, value) {
  const len = __abByteLength(value);
  const n = __MathMin(__MathMax(0, ctx.maxArrayLength), len);
  let bytes;
  try {
    bytes = new __Uint8Array(value, 0, n);
  } catch {
    return ['(detached)', '[byteLength]: ' + len]; // transferred: no contents to show
  }
  let hex = __hexBytes(bytes, n);
  if (len > n) hex += ' ... ' + (len - n) + ' more byte' + (len - n > 1 ? 's' : '');
  return ['[Uint8Contents]: <' + hex + '>', '[byteLength]: ' + len];
}

/** A typed array's buffer under showHidden: its length only, as Node. */
function __formatBufferLength(ctx, value) {
  return ['[byteLength]: ' + __abByteLength(value)];
}

/** Node's DataView keys (undefined for a null prototype), through the bootstrap's getters. */
function __formatDataView(ctx, value, recurseTimes) {
  const own = __getPrototypeOf(value) !== null;
  ctx.indentationLvl += 2;
  const buffer = __formatValue(ctx, own ? __dvBuffer(value) : undefined, recurseTimes);
  ctx.indentationLvl -= 2;
  return [
    '[byteLength]: ' + (own ? __dvByteLength(value) : 'undefined'),
    '[byteOffset]: ' + (own ? __dvByteOffset(value) : 'undefined'),
    '[buffer]: ' + buffer,
  ];
}

function __formatArray(ctx, value, recurseTimes) {
  const valLen = value.length;
  const len = __MathMin(__MathMax(0, ctx.maxArrayLength), valLen);
  const remaining = valLen - len;
  const out = [];
  for (let i = 0; i < len; i++) {
    // Sparse arrays walk their keys, never every index (length can be 2^32 - 1).
    if (!__hasOwn(value, i)) return __formatSpecialArray(ctx, value, recurseTimes, len, out, i);
    out[out.length] = __formatProperty(ctx, value, i, recurseTimes, true);
  }
  if (remaining > 0) __ArrayPush(out, '... ' + remaining + ' more item' + (remaining > 1 ? 's' : ''));
  return out;
}

function __formatSpecialArray(ctx, value, recurseTimes, maxLength, out, i) {
  const keys = __ObjectKeys(value);
  let index = i;
  for (; i < keys.length && out.length < maxLength; i++) {
    const key = keys[i];
    const tmp = +key;
    if (tmp > 4294967294) break;
    if ('' + index !== key) {
      if (!__reTest(__digitsRe, key)) break;
      const empty = tmp - index;
      __ArrayPush(out, '<' + empty + ' empty item' + (empty > 1 ? 's' : '') + '>');
      index = tmp;
      if (out.length === maxLength) break;
    }
    out[out.length] = __formatProperty(ctx, value, key, recurseTimes, true);
    index++;
  }
  const remaining = value.length - index;
  if (out.length !== maxLength) {
    if (remaining > 0) __ArrayPush(out, '<' + remaining + ' empty item' + (remaining > 1 ? 's' : '') + '>');
  } else if (remaining > 0) {
    __ArrayPush(out, '... ' + remaining + ' more item' + (remaining > 1 ? 's' : ''));
  }
  return out;
}

function __formatTypedArray(ctx, value, recurseTimes) {
  const len = __taLength(value);
  const max = __MathMin(ctx.maxArrayLength, len);
  const out = [];
  for (let i = 0; i < max; i++) out[i] = typeof value[i] === 'bigint' ? value[i] + 'n' : __formatNumber(value[i]);
  if (len > max) __ArrayPush(out, '... ' + (len - max) + ' more item' + (len - max > 1 ? 's' : ''));
  if (ctx.showHidden) {
    const t = __taTag(value);
    const perElement = __StringIncludes(t, '8') ? 1 : __StringIncludes(t, '16') ? 2 : __StringIncludes(t, '32') ? 4 : 8;
    ctx.indentationLvl += 2;
    const buffer = __formatValue(ctx, __taBuffer(value), recurseTimes, true);
    ctx.indentationLvl -= 2;
    __ArrayPush(out, '[BYTES_PER_ELEMENT]: ' + perElement, '[length]: ' + len, '[byteLength]: ' + __taByteLength(value),
      '[byteOffset]: ' + __taByteOffset(value), '[buffer]: ' + buffer);
  }
  return out;
}

function __formatSet(ctx, value, recurseTimes) {
  const out = [];
  const it = __setValues(value);
  const size = __setSize(value);
  const max = __MathMin(ctx.maxArrayLength, size);
  ctx.indentationLvl += 2;
  for (let i = 0; i < max; i++) {
    const r = __setIterNext(it);
    if (r.done) break;
    out[out.length] = __formatValue(ctx, r.value, recurseTimes);
  }
  ctx.indentationLvl -= 2;
  if (size > max) __ArrayPush(out, '... ' + (size - max) + ' more item' + (size - max > 1 ? 's' : ''));
  return out;
}

function __formatMap(ctx, value, recurseTimes) {
  const out = [];
  const it = __mapEntries(value);
  const size = __mapSize(value);
  const max = __MathMin(ctx.maxArrayLength, size);
  ctx.indentationLvl += 2;
  for (let i = 0; i < max; i++) {
    const r = __mapIterNext(it);
    if (r.done) break;
    out[out.length] = __formatValue(ctx, r.value[0], recurseTimes) + ' => ' + __formatValue(ctx, r.value[1], recurseTimes);
  }
  ctx.indentationLvl -= 2;
  if (size > max) __ArrayPush(out, '... ' + (size - max) + ' more item' + (size - max > 1 ? 's' : ''));
  return out;
}

function __groupArrayElements(ctx, output, value) {
  let totalLength = 0;
  let maxLength = 0;
  let i = 0;
  let outputLength = output.length;
  if (ctx.maxArrayLength < output.length) outputLength--;
  const separatorSpace = 2;
  const dataLen = [];
  for (; i < outputLength; i++) {
    // Display width, as Node's getStringWidth: wide characters take two columns.
    const len = __stringWidth(output[i]);
    dataLen[i] = len;
    totalLength += len + separatorSpace;
    if (maxLength < len) maxLength = len;
  }
  const actualMax = maxLength + separatorSpace;
  if (actualMax * 3 + ctx.indentationLvl < ctx.breakLength &&
      (totalLength / actualMax > 5 || maxLength <= 6)) {
    const averageBias = __MathSqrt(actualMax - totalLength / output.length);
    const biasedMax = __MathMax(actualMax - 3 - averageBias, 1);
    const columns = __MathMin(
      __MathRound(__MathSqrt(2.5 * biasedMax * outputLength) / biasedMax),
      __MathFloor((ctx.breakLength - ctx.indentationLvl) / actualMax),
      ctx.compact * 4,
      15,
    );
    if (columns <= 1) return output;
    const tmp = [];
    const maxLineLength = [];
    for (let c = 0; c < columns; c++) {
      let lineLength = 0;
      for (let j = c; j < output.length; j += columns) {
        if (dataLen[j] > lineLength) lineLength = dataLen[j];
      }
      __ArrayPush(maxLineLength, lineLength + separatorSpace);
    }
    let padStart = true;
    if (value !== undefined) {
      for (let k = 0; k < output.length; k++) {
        if (typeof value[k] !== 'number' && typeof value[k] !== 'bigint') { padStart = false; break; }
      }
    }
    for (let r = 0; r < outputLength; r += columns) {
      const max = __MathMin(r + columns, outputLength);
      let str = '';
      let j = r;
      for (; j < max - 1; j++) {
        const cell = output[j] + ', ';
        const padding = maxLineLength[j - r] + output[j].length - dataLen[j];
        str += padStart ? __StringPadStart(cell, padding, ' ') : __StringPadEnd(cell, padding, ' ');
      }
      if (padStart) str += __StringPadStart(output[j], maxLineLength[j - r] + output[j].length - dataLen[j] - separatorSpace, ' ');
      else str += output[j];
      __ArrayPush(tmp, str);
    }
    if (ctx.maxArrayLength < output.length) __ArrayPush(tmp, output[outputLength]);
    output = tmp;
  }
  return output;
}

function __isBelowBreakLength(ctx, output, start, base) {
  let totalLength = output.length + start;
  if (totalLength + output.length > ctx.breakLength) return false;
  for (let i = 0; i < output.length; i++) {
    totalLength += output[i].length;
    if (totalLength > ctx.breakLength) return false;
  }
  return base === '' || !__StringIncludes(base, '\n');
}

function __reduceToSingleString(ctx, output, base, braces, extrasType, recurseTimes, value) {
  const entries = output.length;
  if (extrasType === 1 && entries > 6) output = __groupArrayElements(ctx, output, value);
  if (ctx.currentDepth - recurseTimes < ctx.compact && entries === output.length) {
    const start = output.length + ctx.indentationLvl + braces[0].length + base.length + 10;
    if (__isBelowBreakLength(ctx, output, start, base)) {
      const joined = __ArrayJoin(output, ', ');
      if (!__StringIncludes(joined, '\n')) {
        return (base ? base + ' ' : '') + braces[0] + ' ' + joined + ' ' + braces[1];
      }
    }
  }
  const indentation = '\n' + __StringRepeat(' ', ctx.indentationLvl);
  return (base ? base + ' ' : '') + braces[0] + indentation + '  ' +
    __ArrayJoin(output, ',' + indentation + '  ') + indentation + braces[1];
}

function __inspectContext(depth, budget) {
  return {
    budget: budget === undefined ? Infinity : budget,
    seen: [], circular: undefined, indentationLvl: 0, currentDepth: 0,
    depth: depth === undefined ? 2 : depth, compact: 3, breakLength: 80,
    maxArrayLength: 100, maxStringLength: 10000, showHidden: false,
  };
}

/** util.inspect(value, { depth, showHidden }); budget caps the characters produced (roughly). */
function __inspect(value, depth, budget, showHidden) {
  const ctx = __inspectContext(depth, budget);
  if (showHidden === true) ctx.showHidden = true;
  return __formatValue(ctx, value, 0);
}

/**
 * The prototypes of the global constructors when the sandbox starts, as Node's builtInObjects
 * (taken before its URL and TextDecoder exist): a method inherited from one of them is a
 * built-in one. Kept by identity, so a tenant that replaces a prototype's constructor property
 * changes nothing.
 */
const __builtinProtos = new __Set();
{
  const names = __getOwnPropertyNames(globalThis);
  for (let i = 0; i < names.length; i++) {
    if (!__reTest(/^[A-Z][a-zA-Z0-9]+$/, names[i])) continue;
    const d = __getOwnPropertyDescriptor(globalThis, names[i]);
    const ctor = d === undefined ? undefined : d.value;
    if (typeof ctor !== 'function') continue;
    const pd = __getOwnPropertyDescriptor(ctor, 'prototype');
    if (pd !== undefined && pd.value !== null && typeof pd.value === 'object') __SetAdd(__builtinProtos, pd.value);
  }
}
const __symToPrimitive = Symbol.toPrimitive;

/** True when the nearest object on v's prototype chain that owns key is a built-in prototype. */
function __builtInOwner(v, key) {
  let p = v;
  while (p !== null && !__hasOwn(p, key)) p = __getPrototypeOf(p);
  return p === null || __SetHas(__builtinProtos, p);
}

function __hasUserToString(v) {
  // Node's %s (its hasBuiltInToString, negated): String() for an object with its own or a
  // user class's Symbol.toPrimitive or toString; inspect() for the rest (arrays, dates, boxed
  // primitives, plain objects, proxies).
  try {
    if (typeof v[__symToPrimitive] === 'function' && (__hasOwn(v, __symToPrimitive) || !__builtInOwner(v, __symToPrimitive))) return true;
    if (typeof v.toString !== 'function') return false;
    if (__hasOwn(v, 'toString')) return true;
    return !__builtInOwner(v, 'toString');
  } catch {
    return false; // a revoked proxy: Node counts proxies as built-in
  }
}

/** util.format(...args); budget caps the characters produced (approximately). */
function __format(args, budget) {
  if (budget === undefined) budget = Infinity;
  const first = args[0];
  let a = 0;
  let str = '';
  let join = '';
  if (typeof first === 'string') {
    if (args.length === 1) return first;
    let tempStr;
    let lastPos = 0;
    for (let i = 0; i < first.length - 1; i++) {
      if (__StringCharCodeAt(first, i) === 37) { // '%'
        const nextChar = __StringCharCodeAt(first, ++i);
        if (a + 1 !== args.length) {
          const arg = args[a + 1];
          switch (nextChar) {
            case 115: // 's'
              if (typeof arg === 'number') tempStr = __formatNumber(arg);
              else if (typeof arg === 'bigint') tempStr = arg + 'n';
              else if (typeof arg !== 'object' || arg === null || __hasUserToString(arg)) tempStr = typeof arg === 'symbol' ? __symToString(arg) : __String(arg);
              else tempStr = __inspect(arg, 0, budget);
              break;
            case 106: // 'j'
              try { tempStr = __JSONstringify(arg); } catch (e) {
                tempStr = (__isInstance(__TypeErrorProto, e) && __reTest(__circularRe, __String(e.message))) ? '[Circular]' : (function () { throw e; })();
              }
              break;
            case 100: { // 'd'
              if (typeof arg === 'bigint') tempStr = arg + 'n';
              else if (typeof arg === 'symbol') tempStr = 'NaN';
              else tempStr = __formatNumber(__Number(arg));
              break;
            }
            case 79: tempStr = __inspect(arg, 2, budget); break; // 'O'
            // 'o': Node's { showHidden: true, showProxy: true, depth: 4 }
            case 111: tempStr = __inspect(arg, 4, budget, true); break;
            case 105: { // 'i'
              if (typeof arg === 'bigint') tempStr = arg + 'n';
              else if (typeof arg === 'symbol') tempStr = 'NaN';
              else tempStr = __formatNumber(__parseInt(arg));
              break;
            }
            case 102: // 'f'
              tempStr = typeof arg === 'symbol' ? 'NaN' : __formatNumber(__parseFloat(arg));
              break;
            case 99: tempStr = ''; break; // 'c'
            case 37: str += __StringSlice(first, lastPos, i); lastPos = i + 1; continue; // '%'
            default: continue;
          }
          a++;
          if (lastPos !== i - 1) str += __StringSlice(first, lastPos, i - 1);
          str += tempStr;
          lastPos = i + 1;
        } else if (nextChar === 37) {
          str += __StringSlice(first, lastPos, i);
          lastPos = i + 1;
        }
      }
    }
    if (lastPos !== 0) {
      a++;
      join = ' ';
      if (lastPos < first.length) str += __StringSlice(first, lastPos);
    }
  }
  while (a < args.length) {
    const value = args[a];
    str += join;
    str += typeof value !== 'string' ? __inspect(value, 2, budget - str.length) : value;
    join = ' ';
    a++;
  }
  return str;
}
`;
