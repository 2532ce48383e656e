/**
 * In-isolate source: installs the sandbox globals and defines the driver, the single function the
 * host calls (through a host-side `Reference` that tenant code can never reach: the driver is
 * never stored on any global, only returned from the bootstrap factory to the host).
 *
 * Driver operations (`driver(op, arg)`), each returning a `DriverStatus`-shaped plain object the
 * host copies out:
 * - `start`  arg = JSON text `{ resultBytes, outputBytes, consoleLinesPerSecond, inputJson }`:
 *            set the limits and `globalThis.input`;
 * - `eval` / `eval-async` (code, url): run a tenant script inside the isolate (see __evalTenant);
 * - `settle` arg = a completion value: await it if it is a thenable, then serialize;
 * - `arm`    creates the one-shot hook the module wrapper calls with the tenant's namespace;
 * - `tick`   fires the earliest due timer (one per call, so microtasks drain between timers);
 * - `status` reports state after the microtask queue has drained.
 * REPL sessions (one isolate, many inputs) also use:
 * - `repl-limits` arg = JSON `{ resultBytes, outputBytes, consoleLinesPerSecond }`: turns on
 *            REPL mode (`_` and `_error` kept) and resets the output budget for the next input;
 * - `repl-eval` / `repl-eval-await` (code, url): like `eval`, but the value is not awaited
 *            unless the input used top-level await (its code then yields a promise of it);
 * - `bg-tick` fires a due timer between inputs; what it throws is printed, like Node's REPL;
 * - `cap-resolve` (id, JSON answer): settles a capability call (see capabilities.ts);
 * - `repl-result` the settled value's { preview, json, hasJson } (timers may still be alive);
 * - `repl-complete` (JSON path, prefix): completion candidates (see __complete).
 * Deployed functions (an instance may serve many invocations) also use:
 * - `fn-load-cjs` (JSON files, entry): evaluates a CommonJS bundle; its export is the handler;
 * - `fn-arm`   like `arm`, for an ES module bundle: the hook keeps the handler;
 * - `fn-invoke` arg = JSON { resultBytes, outputBytes, consoleLinesPerSecond, eventJson, ctx,
 *            deadlineMs }: calls the handler with (event, ctx) and settles its value.
 * The final status (settled, no timer keeps the run alive) carries the result strings.
 */
export const DRIVER_SOURCE = String.raw`
let __state = 'idle';          // idle | pending | ok | error
let __result = null;           // { json, preview } once ok
let __failure = null;          // { kind, name, message, stack } once error
let __input = undefined;
let __resultBytes = 0;
let __perfOrigin = __DateNow();
let __syntaxCandidate = false;
let __repl = false;            // a REPL session: keeps _ and _error
let __replAwait = true;        // settle (await) the completion value
const __indirectEval = eval;
const __Promise = Promise;
const __SyntaxError = SyntaxError;
/** Prefix of the top-level-await form; the host corrects line-1 columns by its length. */
const __ASYNC_PREFIX = '(async () => {';

/**
 * Runs tenant script code inside the isolate (indirect eval: global scope, completion value)
 * so every exception is caught here, under the time limit, and never converted by isolated-vm
 * on the host side (a thrown object with looping getters would hang that conversion).
 * A SyntaxError is flagged as a candidate: the host compiles the code to confirm it and to get
 * the exact line/column (an eval SyntaxError carries no position).
 */
function __evalTenant(code, url, asAsync) {
  __state = 'idle'; __failure = null; __syntaxCandidate = false;
  const source = (asAsync ? __ASYNC_PREFIX + code + '\n})()' : code) + '\n//# sourceURL=' + url;
  let v;
  try {
    v = __indirectEval(source);
  } catch (e) {
    __syntaxCandidate = e instanceof __SyntaxError;
    __fail(e);
    return;
  }
  __settle(v);
}

function __str(v, max) {
  let s;
  try { s = typeof v === 'string' ? v : __String(v); } catch (e) { s = '[unprintable]'; }
  return s.length > max ? __StringSlice(s, 0, max) + '\u2026' : s;
}

/** Describes a thrown value as strings, under the time limit, without trusting it. */
function __describe(e) {
  if (e !== null && typeof e === 'object' && __isError(e)) {
    let name = 'Error', message = '', stack = '';
    try { name = __str(e.name, 200); } catch (x) {}
    try { message = __str(e.message, 8192); } catch (x) {}
    try { if (typeof e.stack === 'string') stack = __str(e.stack, 16384); } catch (x) {}
    return { kind: 'RUNTIME', name, message, stack };
  }
  let text;
  try { text = __inspect(e, 2, 8192); } catch (x) { text = '[uninspectable value]'; }
  return { kind: 'RUNTIME', name: 'Error', message: 'Uncaught ' + __str(text, 8192), stack: '' };
}

function __fail(e) {
  if (__state === 'error') return;
  __state = 'error';
  __failure = __describe(e);
  if (__repl) __replDefine('_error', e);
}

function __finishValue(v) {
  if (__state === 'error' || __state === 'ok') return;
  try {
    __result = __serializeResult(v, __resultBytes);
    __state = 'ok';
    if (__repl) __replDefine('_', v);
  } catch (e) {
    if (e === __TOO_LARGE) {
      __state = 'error';
      __failure = { kind: 'RESULT_TOO_LARGE', name: 'RangeError', message: 'The result is larger than the result limit of ' + __resultBytes + ' bytes', stack: '' };
    } else if (e === __TOO_DEEP) {
      __state = 'error';
      __failure = { kind: 'RESULT_TOO_LARGE', name: 'RangeError', message: 'The result is nested more than ' + __MAX_JSON_DEPTH + ' levels deep and cannot be serialized', stack: '' };
    } else {
      __fail(e);
    }
  }
}

function __settle(v) {
  if (__repl && !__replAwait) { __finishValue(v); return; }
  let thenable = false;
  try {
    thenable = v !== null && (typeof v === 'object' || typeof v === 'function') && typeof v.then === 'function';
  } catch (e) { __fail(e); return; }
  if (!thenable) { __finishValue(v); return; }
  __state = 'pending';
  // A native promise adopts the thenable; its then() runs in this isolate's microtask queue,
  // under the time limit of whichever host call drains it.
  // The intrinsics from bootstrap: tenant code may replace the global Promise or its then().
  __reflectApply(__promiseThen, new __Promise((resolve) => resolve(v)), [__finishValue, __fail]);
}

function __status() {
  // Pending capability calls keep a run alive like timers: the host answers them.
  const alive = __timersAlive() || __capCount > 0;
  const next = __nextTimer();
  const st = {
    state: __state,
    alive,
    nextTimerMs: next === null ? -1 : __MathMax(0, next.when - __DateNow()),
    emitted: __out.emitted,
    output: __takeOutput(),
    outputBlocked: __out.blocked,
    failure: __failure,
    syntaxCandidate: __syntaxCandidate,
    json: undefined,
    preview: undefined,
    hasJson: false,
  };
  if (__state === 'ok' && !alive) {
    st.json = __result.json === undefined ? '' : __result.json;
    st.hasJson = __result.json !== undefined;
    st.preview = __result.preview;
  }
  return st;
}

/** Prints what a timer threw between REPL inputs (nobody awaits it), as Node's REPL does. */
/** Defines a one-shot global hook (for a module wrapper to call); it removes itself. */
function __defineHook(name, fn) {
  __replDefineProperty(__G, name, {
    configurable: true, enumerable: false, writable: false,
    value: function (ns) { delete __G[name]; fn(ns); },
  });
}

function __printUncaught(e) {
  const d = __describe(e);
  __write('error', 'Uncaught ' + (d.stack !== '' ? d.stack : d.name + ': ' + d.message));
}

// Completion looks names up with the intrinsics as they were at bootstrap (tenant code may
// replace the globals later), reads data properties only (a getter is never called), and is
// bounded by the host's short timeout. A Proxy's traps are property lookups too: they run, under
// that timeout.
const __replGetOwnNames = Object.getOwnPropertyNames;
const __replGetOwnDescriptor = Object.getOwnPropertyDescriptor;
const __replGetProto = Object.getPrototypeOf;
const __replHasOwn = Object.hasOwn;
const __replCreateObject = Object.create;
const __replDefineProperty = Object.defineProperty;
const __replJSONparse = JSON.parse;
const __ObjectFreeze = Object.freeze;
const __MAX_CANDIDATES = 500;

function __replDefine(name, value) {
  __replDefineProperty(__G, name, { __proto__: null, value, writable: true, configurable: true, enumerable: false });
}

// A REPL input's top-level let/const/class become properties of the global object, so the next
// input sees them (see prepare-input.ts). The rewritten input calls __replDeclare (a global in
// REPL sessions only) with the kind and an object of the names and their values: a const is a
// getter whose setter throws as V8 does for a const binding, a let or class a data property;
// both stay configurable, so a later input may declare the name again.
const __ReplTypeError = TypeError;
const __replConstAccessors = {
  set(v) { throw new __ReplTypeError('Assignment to constant variable.'); },
};
// getter -> the const's value, for completion (which never calls a getter).
const __replConstValues = new WeakMap();
const __replWeakGet = __uncurry(WeakMap.prototype.get);
const __replWeakSet = __uncurry(WeakMap.prototype.set);
const __replWeakHas = __uncurry(WeakMap.prototype.has);
function __replDeclare(kind, bindings) {
  const names = __replGetOwnNames(bindings);
  for (let i = 0; i < names.length; i++) {
    const name = names[i];
    const value = bindings[name];
    let d;
    if (kind === 'const') {
      const get = { get() { return value; } }.get;
      __replWeakSet(__replConstValues, get, value);
      d = { __proto__: null, get, set: __replConstAccessors.set, enumerable: true, configurable: true };
    } else {
      d = { __proto__: null, value, writable: true, enumerable: true, configurable: true };
    }
    try {
      __replDefineProperty(__G, name, d);
    } catch (e) {
      // A var or function declaration of an earlier input made the name non-configurable.
      throw new __SyntaxError("Identifier '" + name + "' has already been declared");
    }
  }
}

function __hasPrefix(s, p) {
  if (s.length < p.length) return false;
  for (let i = 0; i < p.length; i++) if (s[i] !== p[i]) return false;
  return true;
}

/** Candidate property names of globalThis.path[0].path[1]... that start with prefix. */
function __complete(path, prefix) {
  let target = __G;
  for (let i = 0; i < path.length; i++) {
    const key = '' + path[i];
    let found = false;
    for (let o = target, depth = 0; o !== null && o !== undefined && depth < 64; o = __replGetProto(o), depth++) {
      const d = __replGetOwnDescriptor(o, key);
      if (d === undefined) continue;
      if (__replHasOwn(d, 'value')) target = d.value;
      else if (o === __G && typeof d.get === 'function' && __replWeakHas(__replConstValues, d.get)) target = __replWeakGet(__replConstValues, d.get);
      else return [];
      found = true;
      break;
    }
    if (!found || target === null || target === undefined) return [];
    if (typeof target !== 'object' && typeof target !== 'function') target = __replGetProto(target);
  }
  const seen = __replCreateObject(null);
  const out = [];
  for (let o = target, depth = 0; o !== null && o !== undefined && depth < 64; o = __replGetProto(o), depth++) {
    const names = __replGetOwnNames(o);
    for (let i = 0; i < names.length && out.length < __MAX_CANDIDATES; i++) {
      const n = names[i];
      if (seen[n] === true || !__hasPrefix(n, prefix)) continue;
      if (o === __G && __hasPrefix(n, '__')) continue;
      seen[n] = true;
      out[out.length] = n;
    }
  }
  return out;
}

// ---- deployed functions ------------------------------------------------------------------
let __fnHandler = null;

/** True for a class constructor (its source begins with the class keyword). */
function __isClassConstructor(f) {
  try {
    return __reTest(/^class\b/, __fnToString(f));
  } catch {
    return false;
  }
}

/** The handler a bundle exports: the export itself, or its handler/default property. */
function __fnPick(exported) {
  if (typeof exported === 'function') return exported;
  if (exported !== null && typeof exported === 'object') {
    const d = __replGetOwnDescriptor(exported, 'handler') || __replGetOwnDescriptor(exported, 'default');
    if (d !== undefined && typeof d.value === 'function') return d.value;
  }
  throw new TypeError('the entry point exports no handler function: use module.exports = async (event, ctx) => ..., exports.handler = ..., or export default async function (event, ctx) { ... }');
}

function __fnResolve(files, spec, from) {
  if (__StringSlice(spec, 0, 2) !== './' && __StringSlice(spec, 0, 3) !== '../') return undefined;
  const parts = __split(from, '/');
  __ArrayPop(parts);
  const segs = __split(spec, '/');
  for (let i = 0; i < segs.length; i++) {
    const s = segs[i];
    if (s === '.' || s === '') continue;
    if (s === '..') { if (parts.length === 0) return undefined; __ArrayPop(parts); }
    else parts[parts.length] = s;
  }
  const base = __ArrayJoin(parts, '/');
  const candidates = [base, base + '.js', base + '.cjs', base + '.json', base + '/index.js'];
  for (let i = 0; i < candidates.length; i++) if (__replHasOwn(files, candidates[i])) return candidates[i];
  return undefined;
}

/** Evaluates a CommonJS bundle inside the isolate; require() reaches only the bundle's files. */
/** The wrapper a CommonJS file is evaluated in, on its first line (columns there are shifted). */
const __CJS_PREFIX = '(function (exports, require, module, __filename, __dirname) {';
/** The URLs of the files evaluated in that wrapper: their line-1 columns are reported without it. */
const __cjsFiles = new __Set();

function __fnLoadCjs(filesJson, entry) {
  __state = 'idle'; __failure = null;
  const files = __replJSONparse(filesJson);
  const cache = __replCreateObject(null);
  function load(path) {
    if (cache[path] !== undefined) return cache[path].exports;
    const module = { exports: {} };
    cache[path] = module;
    const source = files[path];
    if (__StringSlice(path, -5) === '.json') { module.exports = __replJSONparse(source); return module.exports; }
    const segments = __split(path, '/');
    __ArrayPop(segments);
    const dir = __ArrayJoin(segments, '/');
    __SetAdd(__cjsFiles, 'file:///tenant/' + path);
    const wrapper = __indirectEval(__CJS_PREFIX + source + '\n})\n//# sourceURL=file:///tenant/' + path);
    const require = function require(spec) {
      const resolved = __fnResolve(files, '' + spec, path);
      if (resolved === undefined) throw new Error("Cannot find module '" + spec + "': only files deployed in the function's bundle can be required");
      return load(resolved);
    };
    wrapper.call(module.exports, module.exports, require, module, '/' + path, '/' + dir);
    return module.exports;
  }
  try {
    __fnHandler = __fnPick(load(entry));
  } catch (e) {
    __fail(e);
  }
  return __status();
}

function __fnInvoke(cfg) {
  __state = 'idle'; __failure = null; __result = null; __syntaxCandidate = false;
  __repl = false; __replAwait = true;
  __resultBytes = cfg.resultBytes;
  __out.bytes = 0;
  __out.blocked = false;
  // The host counts bridge calls per invocation: a warm instance starts counting again.
  __out.emitted = 0;
  __setOutputLimits(cfg.outputBytes, cfg.consoleLinesPerSecond);
  let event = null;
  if (cfg.eventJson !== '') {
    try { event = __replJSONparse(cfg.eventJson); } catch (e) { return { state: 'bad-input', message: __str(e && e.message, 500) }; }
  }
  if (typeof __fnHandler !== 'function') { __fail(new TypeError('the function has no handler')); return __status(); }
  const deadline = cfg.deadlineMs;
  const c = cfg.ctx;
  const ctx = {
    tenant: c.tenant,
    functionName: c.functionName,
    version: c.version,
    requestId: c.requestId,
    env: __ObjectFreeze(c.env),
    getRemainingTimeInMillis() { return __MathMax(0, deadline - __DateNow()); },
  };
  __ObjectFreeze(ctx);
  let v;
  try { v = __fnHandler(event, ctx); } catch (e) { __fail(e); return __status(); }
  __settle(v);
  return __status();
}

// ---- globals -------------------------------------------------------------------------------
const __G = globalThis;
function __define(name, value) {
  __defineOwn(__G, name, { __proto__: null, value, writable: true, configurable: true, enumerable: false });
}
// Off by default: WebAssembly memory is not bounded by memoryLimit; SharedArrayBuffer/Atomics
// are timing primitives with no use in a single-threaded sandbox.
delete __G.WebAssembly;
delete __G.SharedArrayBuffer;
delete __G.Atomics;
// Stacks tenant code reads itself (e.stack, Error.captureStackTrace) show its own frames, as
// failures and console output do: V8's text without the sandbox's frames (vmd:*) and with
// top-level frames as Node shows them. A function here as in Node; a tenant may replace it.
__defineOwn(__Error, 'prepareStackTrace', {
  __proto__: null, writable: true, enumerable: false, configurable: true,
  value: function prepareStackTrace(error, frames) {
    let header;
    try {
      const n = error.name, m = error.message;
      const name = n === undefined ? 'Error' : __String(n);
      const message = m === undefined ? '' : __String(m);
      header = name === '' ? message : message === '' ? name : name + ': ' + message;
    } catch {
      header = '<error>';
    }
    let text = header;
    for (let i = 0; i < frames.length; i++) {
      let frame;
      try {
        frame = __String(frames[i]);
        // Line 1 of a CommonJS file starts with the wrapper: report its columns without it.
        // Code evaluated with a sourceURL has no file name, only that URL.
        const file = frames[i].getScriptNameOrSourceURL();
        if (typeof file === 'string' && __SetHas(__cjsFiles, file) && frames[i].getLineNumber() === 1) {
          const column = frames[i].getColumnNumber();
          const at = file + ':1:' + column;
          const k = __StringLastIndexOf(frame, at);
          if (k >= 0) frame = __StringSlice(frame, 0, k) + file + ':1:' + (column - __CJS_PREFIX.length) + __StringSlice(frame, k + at.length);
        }
      } catch {
        frame = '<error>';
      }
      text += '\n    at ' + frame;
    }
    return __cleanStack(text);
  },
});
__define('global', __G);
__define('console', __console);
__define('setTimeout', __setTimeout);
__define('setInterval', __setInterval);
__define('clearTimeout', __clearTimeout);
__define('clearInterval', __clearInterval);
__define('setImmediate', __setImmediate);
__define('clearImmediate', __clearImmediate);
__define('queueMicrotask', __queueMicrotask);
__define('structuredClone', structuredClone);
__define('TextEncoder', TextEncoder);
__define('TextDecoder', TextDecoder);
__define('atob', atob);
__define('btoa', btoa);
__define('crypto', __crypto);
__define('kv', __kv);
__define('fetch', fetch);
__define('URL', URL);
__define('URLSearchParams', URLSearchParams);
__define('performance', {
  // Coarsened to whole milliseconds (the isolate's Date clock): no high-resolution timer.
  now() { return __DateNow() - __perfOrigin; },
  get timeOrigin() { return __perfOrigin; },
});

// A run's limits and input (JSON text from the host); a \`bad-input\` status if the input is not JSON.
function __start(arg) {
  const cfg = __replJSONparse(arg);
  __resultBytes = cfg.resultBytes;
  __setOutputLimits(cfg.outputBytes, cfg.consoleLinesPerSecond);
  __perfOrigin = __DateNow();
  if (cfg.inputJson !== '') {
    try { __input = __replJSONparse(cfg.inputJson); } catch (e) { return { state: 'bad-input', message: __str(e && e.message, 500) }; }
  }
  __define('input', __input);
  return undefined;
}

function __driver(op, arg, arg2, arg3) {
  switch (op) {
    case 'eval':
      __evalTenant(arg, arg2, false);
      return __status();
    case 'eval-async':
      __evalTenant(arg, arg2, true);
      return __status();
    case 'start':
      return __start(arg) ?? __status();
    // \`start\` then \`eval\` in one call: one trip to the isolate's thread instead of two.
    case 'start-eval':
      return __start(arg) ?? (__evalTenant(arg2, arg3, false), __status());
    case 'settle':
      __settle(arg);
      return __status();
    case 'arm': {
      const bytes = new Uint8Array(12);
      __randomBytesInto(bytes);
      let name = '__vmd_module_done_';
      for (let i = 0; i < bytes.length; i++) name += __StringPadStart(__NumberToString(bytes[i], 16), 2, '0');
      // The hook is plain in-isolate code (no host object). Tenant code that finds it can only
      // settle its own result early, which it could do anyway.
      __defineOwn(__G, name, {
        __proto__: null, configurable: true, enumerable: false, writable: false,
        value: function (ns) {
          delete __G[name];
          if (__state !== 'idle') return;
          let v;
          try {
            v = ns.default;
            // A class is the result as it is: calling one without new only throws.
            if (typeof v === 'function' && !__isClassConstructor(v)) v = v(__input);
          } catch (e) { __fail(e); return; }
          __settle(v);
        },
      });
      return name;
    }
    case 'tick':
      if (__state !== 'error') {
        try { __fireOneTimer(); } catch (e) { __fail(e); }
      }
      return __status();
    case 'status':
      return __status();
    case 'repl-limits': {
      const cfg = __replJSONparse(arg);
      if (!__repl) {
        __replDefineProperty(__G, '__replDeclare', { __proto__: null, value: __replDeclare, writable: false, enumerable: false, configurable: false });
      }
      __repl = true;
      __resultBytes = cfg.resultBytes;
      __out.bytes = 0;
      __out.blocked = false;
      __setOutputLimits(cfg.outputBytes, cfg.consoleLinesPerSecond);
      return __status();
    }
    case 'repl-eval':
    case 'repl-eval-await':
      __replAwait = op === 'repl-eval-await';
      __evalTenant(arg, arg2, false);
      return __status();
    case 'bg-tick':
      try { __fireOneTimer(); } catch (e) { __printUncaught(e); }
      return __status();
    case 'cap-resolve':
      __capResolve(arg, arg2);
      return __status();
    case 'repl-result':
      if (__state !== 'ok') return null;
      return { preview: __result.preview, json: __result.json === undefined ? '' : __result.json, hasJson: __result.json !== undefined };
    case 'fn-load-cjs':
      return __fnLoadCjs(arg, arg2);
    case 'fn-arm': {
      const bytes = new Uint8Array(12);
      __randomBytesInto(bytes);
      let name = '__vmd_fn_loaded_';
      for (let i = 0; i < bytes.length; i++) name += __StringPadStart(__NumberToString(bytes[i], 16), 2, '0');
      __defineHook(name, function (ns) {
        try { __fnHandler = __fnPick(ns); } catch (e) { __fail(e); }
      });
      return name;
    }
    case 'fn-invoke':
      return __fnInvoke(__replJSONparse(arg));
    case 'repl-complete':
      return __complete(__replJSONparse(arg), '' + arg2);
  }
  throw new Error('unknown driver op');
}
`;
