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
 * Known differences: promise state is not observable from JavaScript (`Promise { <unknown> }`),
 * Proxies are formatted through their traps (bounded by the run's time limit), no colours.
 */
export const INSPECT_SOURCE = String.raw`
const __ObjectKeys = Object.keys;
const __getOwnPropertySymbols = Object.getOwnPropertySymbols;
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
const __fnToString = Function.prototype.toString;
const __objToString = Object.prototype.toString;
const __hasOwn = Object.hasOwn;
const __JSONstringify = JSON.stringify;
const __dateToISO = Date.prototype.toISOString;
const __dateGetTime = Date.prototype.getTime;
const __regexpToString = RegExp.prototype.toString;
const __errorToString = Error.prototype.toString;
const __mapSize = __getOwnPropertyDescriptor(Map.prototype, 'size').get;
const __setSize = __getOwnPropertyDescriptor(Set.prototype, 'size').get;
const __mapEntries = Map.prototype.entries;
const __setValues = Set.prototype.values;
const __TypedArrayProto = __getPrototypeOf(Uint8Array.prototype);
const __taLength = __getOwnPropertyDescriptor(__TypedArrayProto, 'length').get;
const __taTag = __getOwnPropertyDescriptor(__TypedArrayProto, Symbol.toStringTag).get;
const __abByteLength = __getOwnPropertyDescriptor(ArrayBuffer.prototype, 'byteLength').get;
const __symToString = Symbol.prototype.toString;
const __identRe = /^[a-zA-Z_][a-zA-Z_0-9]*$/;

function __callSafe(fn, thisArg) {
  try { fn.call(thisArg); return true; } catch (e) { return false; }
}
function __isMap(v) { return __callSafe(__mapSize, v); }
function __isSet(v) { return __callSafe(__setSize, v); }
function __isDate(v) { return __callSafe(__dateGetTime, v); }
function __isTypedArray(v) { try { return __taTag.call(v) !== undefined; } catch (e) { return false; } }
function __isArrayBuffer(v) { return __callSafe(__abByteLength, v); }
function __isRegExp(v) { return __objToString.call(v) === '[object RegExp]'; }
function __isError(v) {
  if (v instanceof Error) return true;
  return __objToString.call(v) === '[object Error]';
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

function __strEscape(str) {
  let re = __escSingle;
  let quote = 39;
  if (str.includes("'")) {
    if (!str.includes('"')) { quote = 34; re = __escDouble; }
    else if (!str.includes('$' + '{') && !str.includes('\x60')) { quote = 96; re = __escBack; }
  }
  const q = String.fromCharCode(quote);
  const body = str.replace(re, (c) => {
    const code = c.charCodeAt(0);
    if (c.length === 1 && code < 32) return __meta[code];
    if (code === quote || c === '\\') return '\\' + c;
    return '\\u' + code.toString(16).toUpperCase().padStart(4, '0');
  });
  return q + body + q;
}

function __formatNumber(n) { return Object.is(n, -0) ? '-0' : '' + n; }

function __formatPrimitive(ctx, v) {
  switch (typeof v) {
    case 'string': {
      let trailer = '';
      if (v.length > ctx.maxStringLength) {
        const remaining = v.length - ctx.maxStringLength;
        v = v.slice(0, ctx.maxStringLength);
        trailer = '... ' + remaining + ' more character' + (remaining > 1 ? 's' : '');
      }
      if (v.length > 16 && v.length > ctx.breakLength - ctx.indentationLvl - 4) {
        return v.split(/(?<=\n)/).map((line) => __strEscape(line))
          .join(' +\n' + ' '.repeat(ctx.indentationLvl + 2)) + trailer;
      }
      return __strEscape(v) + trailer;
    }
    case 'number': return __formatNumber(v);
    case 'bigint': return v + 'n';
    case 'boolean': return '' + v;
    case 'undefined': return 'undefined';
    case 'symbol': return __symToString.call(v);
  }
  return String(v);
}

function __getCtorName(obj) {
  let o = obj;
  for (let i = 0; o !== null && i < 1000; i++) {
    const d = __getOwnPropertyDescriptor(o, 'constructor');
    if (d !== undefined && typeof d.value === 'function' && typeof d.value.name === 'string' && d.value.name !== '') {
      return d.value.name;
    }
    o = __getPrototypeOf(o);
  }
  return null;
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

function __formatKey(key) {
  if (typeof key === 'symbol') return __symToString.call(key);
  if (__identRe.test(key)) return key;
  return __strEscape(key);
}

function __ownKeys(obj, skipIndices) {
  let keys = __ObjectKeys(obj);
  if (skipIndices) keys = keys.filter((k) => !(/^(0|[1-9][0-9]*)$/.test(k) && +k < 4294967295));
  const syms = __getOwnPropertySymbols(obj);
  for (let i = 0; i < syms.length; i++) {
    const d = __getOwnPropertyDescriptor(obj, syms[i]);
    if (d !== undefined && d.enumerable) keys.push(syms[i]);
  }
  return keys;
}

function __formatProperty(ctx, obj, key, recurseTimes, isArrayExtra) {
  const d = __getOwnPropertyDescriptor(obj, key) || { value: obj[key], enumerable: true };
  let str;
  if (d.value !== undefined || !('get' in d || 'set' in d)) {
    ctx.indentationLvl += 2;
    str = __formatValue(ctx, d.value, recurseTimes);
    ctx.indentationLvl -= 2;
  } else if (d.get !== undefined) {
    str = d.set !== undefined ? '[Getter/Setter]' : '[Getter]';
  } else {
    str = d.set !== undefined ? '[Setter]' : 'undefined';
  }
  if (isArrayExtra) return str;
  return __formatKey(key) + ': ' + str;
}

function __formatValue(ctx, v, recurseTimes) {
  // The budget bounds the work and the size of what console/preview can produce.
  if (ctx.budget <= 0) return '\u2026';
  if (typeof v !== 'object' && typeof v !== 'function') {
    const s = __formatPrimitive(ctx, v);
    ctx.budget -= s.length;
    return s;
  }
  if (v === null) return 'null';
  if (ctx.seen.includes(v)) {
    let index = 1;
    if (ctx.circular === undefined) { ctx.circular = new Map(); ctx.circular.set(v, index); }
    else {
      index = ctx.circular.get(v);
      if (index === undefined) { index = ctx.circular.size + 1; ctx.circular.set(v, index); }
    }
    return '[Circular *' + index + ']';
  }
  return __formatRaw(ctx, v, recurseTimes);
}

function __getFunctionBase(v, ctor, tag) {
  let src = '';
  try { src = __fnToString.call(v); } catch (e) { src = ''; }
  let name = '';
  try { name = typeof v.name === 'string' ? v.name : ''; } catch (e) { name = ''; }
  if (src.startsWith('class') && src.endsWith('}')) {
    let base = '[class ' + (name || '(anonymous)');
    if (ctor !== 'Function' && ctor !== null) base += ' [' + ctor + ']';
    const sup = __getPrototypeOf(v);
    if (sup !== null && typeof sup === 'function' && sup.name) base += ' extends ' + sup.name;
    return base + ']';
  }
  let type = 'Function';
  const t = __objToString.call(v);
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

function __cleanStack(stack) {
  // Hide the sandbox's own frames (vmd:*) from tenant-visible stacks.
  // Top-level tenant frames run through indirect eval: show them as Node shows module frames.
  return stack.split('\n')
    .filter((l) => !/^\s+at .*vmd:/.test(l) && !/^\s+at eval \(<anonymous>\)$/.test(l))
    .map((l) => l.replace(/^(\s+at )eval \((file:\/\/\/tenant\/[^)]*)\)$/, '$1$2'))
    .join('\n');
}

function __formatError(ctx, err, keys) {
  let name = 'Error', message = '', stack = '';
  try { name = String(err.name); } catch (e) {}
  try { message = String(err.message); } catch (e) {}
  try { stack = typeof err.stack === 'string' ? err.stack : ''; } catch (e) {}
  if (stack === '') {
    try { stack = '[' + __errorToString.call(err) + ']'; } catch (e) { stack = '[' + name + ']'; }
  } else {
    stack = __cleanStack(stack);
    if (!stack.includes('\n    at ')) stack = '[' + stack + ']';
  }
  const k = keys.filter((x) => x !== 'stack' && x !== 'message');
  if (ctx.indentationLvl !== 0) {
    const ind = ' '.repeat(ctx.indentationLvl);
    stack = stack.split('\n').join('\n' + ind);
  }
  return { base: stack, keys: k };
}

/**
 * A string from a nested util.inspect (a custom inspect's result in Node) placed at the current
 * indentation, and counted against the budget.
 */
function __placed(ctx, s) {
  ctx.budget -= s.length;
  return ctx.indentationLvl === 0 ? s : s.split('\n').join('\n' + ' '.repeat(ctx.indentationLvl));
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
  if (length > ctx.breakLength) return __placed(ctx, name + ' {\n  ' + out.join(',\n  ') + ' }');
  return name + ' { ' + out.join(', ') + ' }';
}

/** Node's URLSearchParams Iterator [util.inspect.custom]: what is left to iterate. */
function __formatParamsIterator(ctx, value, recurseTimes) {
  if (recurseTimes > ctx.depth) return '[Object]';
  const items = __uParamsIteratorRest(value);
  const innerDepth = ctx.depth - recurseTimes - 1;
  const breakLine = __inspect(items, innerDepth, ctx.budget).includes('\n');
  const strs = [];
  for (let i = 0; i < items.length; i++) strs[i] = __inspect(items[i], innerDepth, ctx.budget);
  const body = breakLine ? '\n  ' + strs.join(',\n  ') : ' ' + strs.join(', ');
  return __placed(ctx, 'URLSearchParams Iterator {' + body + ' }');
}

function __formatRaw(ctx, value, recurseTimes) {
  let keys;
  let ctor = null;
  try { ctor = __getCtorName(value); } catch (e) { ctor = 'Object'; }
  // Past the depth limit Node formats a URL as the object it is (\`URL {}\`), and
  // URLSearchParams as [Object].
  if (__uIsURL(value) && recurseTimes <= ctx.depth) return __formatURL(ctx, value, ctor);
  if (__uIsParams(value)) return recurseTimes > ctx.depth ? '[Object]' : __formatSearchParams(ctx, value, ctor);
  if (__uIsParamsIterator(value)) return __formatParamsIterator(ctx, value, recurseTimes);
  let tag = '';
  try {
    const t = value[Symbol.toStringTag];
    if (typeof t === 'string') tag = t;
  } catch (e) {}
  let base = '';
  let braces;
  let formatter = __formatObjectEntries;
  let extrasType = 0; // 0 object, 1 array
  let noIterator = true;
  let size;

  if (__isArray(value)) {
    keys = __ownKeys(value, true);
    const pre = (ctor !== 'Array' || tag !== '') ? __prefix(ctor, tag, 'Array', value.length) : '';
    braces = [pre + '[', ']'];
    if (value.length === 0 && keys.length === 0) return braces[0] + ']';
    extrasType = 1;
    formatter = __formatArray;
    noIterator = false;
  } else if (__isSet(value)) {
    size = __setSize.call(value);
    keys = __ownKeys(value, false);
    const pre = __prefix(ctor, tag, 'Set', size);
    formatter = __formatSet;
    if (size === 0 && keys.length === 0) return pre + '{}';
    braces = [pre + '{', '}'];
    noIterator = false;
  } else if (__isMap(value)) {
    size = __mapSize.call(value);
    keys = __ownKeys(value, false);
    const pre = __prefix(ctor, tag, 'Map', size);
    formatter = __formatMap;
    if (size === 0 && keys.length === 0) return pre + '{}';
    braces = [pre + '{', '}'];
    noIterator = false;
  } else if (__isTypedArray(value)) {
    keys = __ownKeys(value, true);
    const len = __taLength.call(value);
    const fallback = __taTag.call(value);
    braces = [__prefix(ctor, tag === fallback ? '' : tag, fallback, len) + '[', ']'];
    if (len === 0 && keys.length === 0) return braces[0] + ']';
    formatter = __formatTypedArray;
    extrasType = 1;
    noIterator = false;
  }
  if (noIterator) {
    keys = __ownKeys(value, false);
    braces = ['{', '}'];
    if (typeof value === 'function') {
      base = __getFunctionBase(value, ctor, tag);
      if (keys.length === 0) return base;
    } else if (ctor === 'Object' && tag === '') {
      if (__isError(value)) { /* fallthrough below */ }
      else if (keys.length === 0) return '{}';
    }
    if (typeof value === 'function') {
      // handled
    } else if (__isRegExp(value)) {
      try { base = __regexpToString.call(value); } catch (e) { base = '/(invalid)/'; }
      const pre = __prefix(ctor, tag, 'RegExp');
      if (pre !== 'RegExp ') base = pre + base;
      if (keys.length === 0) return base;
    } else if (__isDate(value)) {
      const t = __dateGetTime.call(value);
      base = t !== t ? 'Invalid Date' : __dateToISO.call(value);
      const pre = __prefix(ctor, tag, 'Date');
      if (pre !== 'Date ') base = pre + base;
      if (keys.length === 0) return base;
    } else if (__isError(value)) {
      const r = __formatError(ctx, value, keys);
      base = r.base; keys = r.keys;
      if (keys.length === 0) return base;
    } else if (__isArrayBuffer(value)) {
      const len = __abByteLength.call(value);
      const bytes = new Uint8Array(value, 0, Math.min(len, 50));
      let hex = '';
      for (let i = 0; i < bytes.length; i++) hex += (i ? ' ' : '') + bytes[i].toString(16).padStart(2, '0');
      if (len > 50) hex += ' ... ' + (len - 50) + ' more byte' + (len - 50 > 1 ? 's' : '');
      return __prefix(ctor, tag, 'ArrayBuffer') + '{ [Uint8Contents]: <' + hex + '>, [byteLength]: ' + len + ' }';
    } else if (tag === 'Promise' || value instanceof Promise) {
      braces = [__prefix(ctor, '', 'Promise') + '{', '}'];
      formatter = function () { return ['<unknown>']; };
    } else if (value instanceof WeakMap || value instanceof WeakSet) {
      return __prefix(ctor, '', value instanceof WeakMap ? 'WeakMap' : 'WeakSet') + '{ <items unknown> }';
    } else if (typeof value.valueOf === 'function' && (value instanceof Number || value instanceof String || value instanceof Boolean || value instanceof BigInt || value instanceof Symbol)) {
      let type = 'Object', prim;
      if (value instanceof Number) { type = 'Number'; prim = __formatNumber(Number.prototype.valueOf.call(value)); }
      else if (value instanceof String) { type = 'String'; prim = __strEscape(String.prototype.valueOf.call(value)); keys = keys.filter((k) => !/^(0|[1-9][0-9]*)$/.test(k)); }
      else if (value instanceof Boolean) { type = 'Boolean'; prim = '' + Boolean.prototype.valueOf.call(value); }
      else if (value instanceof BigInt) { type = 'BigInt'; prim = BigInt.prototype.valueOf.call(value) + 'n'; }
      else { type = 'Symbol'; prim = __symToString.call(Symbol.prototype.valueOf.call(value)); }
      base = '[' + type + (ctor !== type ? (ctor === null ? ' (null prototype)' : ' (' + ctor + ')') : '') + ': ' + prim + ']';
      if (keys.length === 0) return base;
    } else {
      braces[0] = (ctor === 'Object' && tag === '') ? '{' : __prefix(ctor, tag, 'Object') + '{';
      if (keys.length === 0) return braces[0] + '}';
    }
  }

  if (recurseTimes > ctx.depth) {
    let name = ctor || tag || 'Object';
    if (__isArray(value)) name = 'Array';
    return '[' + name + ']';
  }
  recurseTimes += 1;
  ctx.seen.push(value);
  ctx.currentDepth = recurseTimes;
  let output;
  try {
    output = formatter(ctx, value, recurseTimes);
    for (let i = 0; i < keys.length; i++) {
      output.push(__formatProperty(ctx, value, keys[i], recurseTimes, false));
    }
  } finally {
    ctx.seen.pop();
  }
  if (ctx.circular !== undefined) {
    const index = ctx.circular.get(value);
    if (index !== undefined) {
      const ref = '<ref *' + index + '>';
      if (base === '') braces[0] = ref + ' ' + braces[0];
      else base = ref + ' ' + base;
    }
  }
  return __reduceToSingleString(ctx, output, base, braces, extrasType, recurseTimes, value);
}

function __formatObjectEntries() { return []; }

function __formatArray(ctx, value, recurseTimes) {
  const valLen = value.length;
  const len = Math.min(Math.max(0, ctx.maxArrayLength), valLen);
  const remaining = valLen - len;
  const out = [];
  for (let i = 0; i < len; i++) {
    // Sparse arrays walk their keys, never every index (length can be 2^32 - 1).
    if (!__hasOwn(value, i)) return __formatSpecialArray(ctx, value, recurseTimes, len, out, i);
    out.push(__formatProperty(ctx, value, i, recurseTimes, true));
  }
  if (remaining > 0) out.push('... ' + remaining + ' more item' + (remaining > 1 ? 's' : ''));
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
      if (!/^\d+$/.test(key)) break;
      const empty = tmp - index;
      out.push('<' + empty + ' empty item' + (empty > 1 ? 's' : '') + '>');
      index = tmp;
      if (out.length === maxLength) break;
    }
    out.push(__formatProperty(ctx, value, key, recurseTimes, true));
    index++;
  }
  const remaining = value.length - index;
  if (out.length !== maxLength) {
    if (remaining > 0) out.push('<' + remaining + ' empty item' + (remaining > 1 ? 's' : '') + '>');
  } else if (remaining > 0) {
    out.push('... ' + remaining + ' more item' + (remaining > 1 ? 's' : ''));
  }
  return out;
}

function __formatTypedArray(ctx, value) {
  const len = __taLength.call(value);
  const max = Math.min(ctx.maxArrayLength, len);
  const out = [];
  for (let i = 0; i < max; i++) out.push(typeof value[i] === 'bigint' ? value[i] + 'n' : __formatNumber(value[i]));
  if (len > max) out.push('... ' + (len - max) + ' more item' + (len - max > 1 ? 's' : ''));
  return out;
}

function __formatSet(ctx, value, recurseTimes) {
  const out = [];
  const it = __setValues.call(value);
  const size = __setSize.call(value);
  const max = Math.min(ctx.maxArrayLength, size);
  ctx.indentationLvl += 2;
  for (let i = 0; i < max; i++) {
    const r = it.next();
    if (r.done) break;
    out.push(__formatValue(ctx, r.value, recurseTimes));
  }
  ctx.indentationLvl -= 2;
  if (size > max) out.push('... ' + (size - max) + ' more item' + (size - max > 1 ? 's' : ''));
  return out;
}

function __formatMap(ctx, value, recurseTimes) {
  const out = [];
  const it = __mapEntries.call(value);
  const size = __mapSize.call(value);
  const max = Math.min(ctx.maxArrayLength, size);
  ctx.indentationLvl += 2;
  for (let i = 0; i < max; i++) {
    const r = it.next();
    if (r.done) break;
    out.push(__formatValue(ctx, r.value[0], recurseTimes) + ' => ' + __formatValue(ctx, r.value[1], recurseTimes));
  }
  ctx.indentationLvl -= 2;
  if (size > max) out.push('... ' + (size - max) + ' more item' + (size - max > 1 ? 's' : ''));
  return out;
}

function __groupArrayElements(ctx, output, value) {
  let totalLength = 0;
  let maxLength = 0;
  let i = 0;
  let outputLength = output.length;
  if (ctx.maxArrayLength < output.length) outputLength--;
  const separatorSpace = 2;
  const dataLen = new Array(outputLength);
  for (; i < outputLength; i++) {
    const len = output[i].length;
    dataLen[i] = len;
    totalLength += len + separatorSpace;
    if (maxLength < len) maxLength = len;
  }
  const actualMax = maxLength + separatorSpace;
  if (actualMax * 3 + ctx.indentationLvl < ctx.breakLength &&
      (totalLength / actualMax > 5 || maxLength <= 6)) {
    const averageBias = Math.sqrt(actualMax - totalLength / output.length);
    const biasedMax = Math.max(actualMax - 3 - averageBias, 1);
    const columns = Math.min(
      Math.round(Math.sqrt(2.5 * biasedMax * outputLength) / biasedMax),
      Math.floor((ctx.breakLength - ctx.indentationLvl) / actualMax),
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
      maxLineLength.push(lineLength + separatorSpace);
    }
    let padStart = true;
    if (value !== undefined) {
      for (let k = 0; k < output.length; k++) {
        if (typeof value[k] !== 'number' && typeof value[k] !== 'bigint') { padStart = false; break; }
      }
    }
    for (let r = 0; r < outputLength; r += columns) {
      const max = Math.min(r + columns, outputLength);
      let str = '';
      let j = r;
      for (; j < max - 1; j++) {
        const cell = output[j] + ', ';
        str += padStart ? cell.padStart(maxLineLength[j - r], ' ') : cell.padEnd(maxLineLength[j - r], ' ');
      }
      if (padStart) str += output[j].padStart(maxLineLength[j - r] - separatorSpace, ' ');
      else str += output[j];
      tmp.push(str);
    }
    if (ctx.maxArrayLength < output.length) tmp.push(output[outputLength]);
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
  return base === '' || !base.includes('\n');
}

function __reduceToSingleString(ctx, output, base, braces, extrasType, recurseTimes, value) {
  const entries = output.length;
  if (extrasType === 1 && entries > 6) output = __groupArrayElements(ctx, output, value);
  if (ctx.currentDepth - recurseTimes < ctx.compact && entries === output.length) {
    const start = output.length + ctx.indentationLvl + braces[0].length + base.length + 10;
    if (__isBelowBreakLength(ctx, output, start, base)) {
      const joined = output.join(', ');
      if (!joined.includes('\n')) {
        return (base ? base + ' ' : '') + braces[0] + ' ' + joined + ' ' + braces[1];
      }
    }
  }
  const indentation = '\n' + ' '.repeat(ctx.indentationLvl);
  return (base ? base + ' ' : '') + braces[0] + indentation + '  ' +
    output.join(',' + indentation + '  ') + indentation + braces[1];
}

/** util.inspect(value, { depth }); budget caps the characters produced (approximately). */
function __inspect(value, depth, budget) {
  const ctx = {
    budget: budget === undefined ? Infinity : budget,
    seen: [], circular: undefined, indentationLvl: 0, currentDepth: 0,
    depth: depth === undefined ? 2 : depth, compact: 3, breakLength: 80,
    maxArrayLength: 100, maxStringLength: 10000,
  };
  return __formatValue(ctx, value, 0);
}

function __hasUserToString(v) {
  // Node's %s: objects with a user-defined toString are converted with String().
  let o = v;
  while (o !== null && o !== Object.prototype && o !== Error.prototype) {
    const d = __getOwnPropertyDescriptor(o, 'toString');
    if (d !== undefined && typeof d.value === 'function') return true;
    o = __getPrototypeOf(o);
  }
  return false;
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
      if (first.charCodeAt(i) === 37) { // '%'
        const nextChar = first.charCodeAt(++i);
        if (a + 1 !== args.length) {
          const arg = args[a + 1];
          switch (nextChar) {
            case 115: // 's'
              if (typeof arg === 'number') tempStr = __formatNumber(arg);
              else if (typeof arg === 'bigint') tempStr = arg + 'n';
              else if (typeof arg !== 'object' || arg === null || __hasUserToString(arg)) tempStr = typeof arg === 'symbol' ? __symToString.call(arg) : String(arg);
              else tempStr = __inspect(arg, 0, budget);
              break;
            case 106: // 'j'
              try { tempStr = __JSONstringify(arg); } catch (e) {
                tempStr = (e instanceof TypeError && /circular/i.test(String(e.message))) ? '[Circular]' : (function () { throw e; })();
              }
              break;
            case 100: { // 'd'
              if (typeof arg === 'bigint') tempStr = arg + 'n';
              else if (typeof arg === 'symbol') tempStr = 'NaN';
              else tempStr = __formatNumber(Number(arg));
              break;
            }
            case 79: tempStr = __inspect(arg, 2, budget); break; // 'O'
            case 111: tempStr = __inspect(arg, 4, budget); break; // 'o'
            case 105: { // 'i'
              if (typeof arg === 'bigint') tempStr = arg + 'n';
              else if (typeof arg === 'symbol') tempStr = 'NaN';
              else tempStr = __formatNumber(parseInt(arg));
              break;
            }
            case 102: // 'f'
              tempStr = typeof arg === 'symbol' ? 'NaN' : __formatNumber(parseFloat(arg));
              break;
            case 99: tempStr = ''; break; // 'c'
            case 37: str += first.slice(lastPos, i); lastPos = i + 1; continue; // '%'
            default: continue;
          }
          a++;
          if (lastPos !== i - 1) str += first.slice(lastPos, i - 1);
          str += tempStr;
          lastPos = i + 1;
        } else if (nextChar === 37) {
          str += first.slice(lastPos, i);
          lastPos = i + 1;
        }
      }
    }
    if (lastPos !== 0) {
      a++;
      join = ' ';
      if (lastPos < first.length) str += first.slice(lastPos);
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
