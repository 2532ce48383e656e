/**
 * In-isolate source: the capability clients tenant code sees (`kv`). A call serializes its
 * arguments to JSON inside the isolate (getters, Proxies, toJSON and cycles all resolve or fail
 * here, under the run's time limit), hands one string to the host through the fire-and-forget
 * bridge, and returns a promise the host settles later through the driver (`cap-resolve`) with
 * a JSON string. Nothing of the host is ever returned: results are parsed inside the isolate.
 *
 * Without a grant (Execute runs, functions that did not request the capability, tenants an admin
 * did not grant it to) every call rejects with a clear error from the host.
 */
export const CAPABILITIES_SOURCE = String.raw`
const __capPending = Object.create(null);   // id -> { resolve, reject }
let __capCount = 0;
let __capSeq = 0;
const __capStringify = JSON.stringify;
const __capParse = JSON.parse;
const __CapPromise = Promise;
const __capPromiseReject = Promise.reject.bind(Promise);
const __CapError = Error;
const __CapTypeError = TypeError;
const __CapRangeError = RangeError;
const __CAP_MAX_ARGS = 1100000;
const __CAP_MAX_KEY = 512;

function __capRequest(capability, op, args) {
  let json;
  try {
    json = __capStringify(args);
  } catch (e) {
    return __capPromiseReject(new __CapTypeError(capability + '.' + op + ': the arguments must be JSON-serializable (' + __str(e && e.message, 200) + ')'));
  }
  if (typeof json !== 'string') return __capPromiseReject(new __CapTypeError(capability + '.' + op + ': the arguments must be JSON-serializable'));
  if (json.length > __CAP_MAX_ARGS) return __capPromiseReject(new __CapRangeError(capability + '.' + op + ': the arguments are larger than 1 MiB'));
  const id = ++__capSeq;
  return new __CapPromise(function (resolve, reject) {
    __capPending[id] = { resolve, reject };
    __capCount++;
    // isolation: one primitive string crosses (copied); the Callback returns nothing.
    __emit('cap', capability + '\n' + op + '\n' + id + '\n' + json, 0);
  });
}

/** Settles call 'id' with the host's JSON answer { ok, value } or { ok: false, error }. */
function __capResolve(id, resultJson) {
  const entry = __capPending[id];
  if (entry === undefined) return;
  delete __capPending[id];
  __capCount--;
  let result;
  try { result = __capParse(resultJson); } catch (e) { result = { ok: false, error: { name: 'Error', message: 'malformed capability answer' } }; }
  if (result !== null && result.ok === true) {
    entry.resolve(result.value);
  } else {
    const err = new __CapError(result && result.error ? '' + result.error.message : 'capability call failed');
    err.name = result && result.error && typeof result.error.name === 'string' ? result.error.name : 'Error';
    entry.reject(err);
  }
}

function __capKey(op, key) {
  if (typeof key !== 'string' || key.length === 0 || key.length > __CAP_MAX_KEY) {
    throw new __CapTypeError('kv.' + op + ': the key must be a string of 1 to ' + __CAP_MAX_KEY + ' characters');
  }
  return key;
}

const __kv = Object.freeze({
  /** The value stored under key, or undefined. */
  get(key) {
    try { return __capRequest('kv', 'get', { key: __capKey('get', key) }); } catch (e) { return __capPromiseReject(e); }
  },
  /** Stores a JSON-serializable value under key. */
  put(key, value) {
    try {
      __capKey('put', key);
      if (value === undefined) throw new __CapTypeError('kv.put: the value must not be undefined (use kv.delete)');
      return __capRequest('kv', 'put', { key, value });
    } catch (e) { return __capPromiseReject(e); }
  },
  /** Deletes key; resolves true if it existed. */
  delete(key) {
    try { return __capRequest('kv', 'delete', { key: __capKey('delete', key) }); } catch (e) { return __capPromiseReject(e); }
  },
  /** Keys in order: { keys, cursor }; pass cursor back for the next page (null: no more). */
  list(options) {
    try {
      const o = options === undefined || options === null ? {} : options;
      const prefix = o.prefix === undefined ? '' : o.prefix;
      const cursor = o.cursor === undefined || o.cursor === null ? '' : o.cursor;
      const limit = o.limit === undefined ? 100 : o.limit;
      if (typeof prefix !== 'string' || prefix.length > __CAP_MAX_KEY) throw new __CapTypeError('kv.list: prefix must be a string');
      if (typeof cursor !== 'string' || cursor.length > __CAP_MAX_KEY) throw new __CapTypeError('kv.list: cursor must be a string');
      if (typeof limit !== 'number' || !(limit >= 1 && limit <= 1000) || limit !== (limit | 0)) throw new __CapRangeError('kv.list: limit must be an integer from 1 to 1000');
      return __capRequest('kv', 'list', { prefix, cursor, limit });
    } catch (e) { return __capPromiseReject(e); }
  },
});

/**
 * fetch(url, init): only to origins an admin allow-listed for the tenant, performed by the daemon.
 * init: { method, headers (plain object of strings), body (a string) }. The response is copied
 * in whole: { status, statusText, ok, url, redirected, headers.get/has/entries, text(), json() }.
 */
const __CAP_MAX_BODY = 1048576;
function __fetchResponse(r) {
  const names = [];
  const values = [];
  const list = r.headers;
  for (let i = 0; i < list.length; i++) { names[names.length] = ('' + list[i][0]).toLowerCase(); values[values.length] = '' + list[i][1]; }
  const find = function (name) {
    const n = ('' + name).toLowerCase();
    for (let i = 0; i < names.length; i++) if (names[i] === n) return values[i];
    return null;
  };
  const body = '' + r.body;
  const headers = Object.freeze({
    get: find,
    has(name) { return find(name) !== null; },
    entries() { const out = []; for (let i = 0; i < names.length; i++) out[out.length] = [names[i], values[i]]; return out[Symbol.iterator](); },
  });
  return Object.freeze({
    status: r.status,
    statusText: '' + r.statusText,
    ok: r.status >= 200 && r.status < 300,
    url: '' + r.url,
    redirected: r.redirected === true,
    headers,
    text() { return new __CapPromise(function (resolve) { resolve(body); }); },
    json() { return new __CapPromise(function (resolve) { resolve(__capParse(body)); }); },
  });
}

function fetch(input, init) {
  try {
    const url = typeof input === 'string' ? input : (input !== null && typeof input === 'object' && typeof input.href === 'string' ? input.href : '' + input);
    const o = init === undefined || init === null ? {} : init;
    const method = o.method === undefined ? 'GET' : ('' + o.method).toUpperCase();
    const headers = {};
    if (o.headers !== undefined && o.headers !== null) {
      const keys = Object.keys(o.headers);
      for (let i = 0; i < keys.length; i++) headers[keys[i]] = '' + o.headers[keys[i]];
    }
    let body;
    if (o.body !== undefined && o.body !== null) {
      if (typeof o.body !== 'string') throw new __CapTypeError('fetch: body must be a string (use JSON.stringify)');
      if (o.body.length > __CAP_MAX_BODY) throw new __CapRangeError('fetch: body is larger than 1 MiB');
      body = o.body;
    }
    return __reflectApply(__promiseThen, __capRequest('fetch', 'request', { url, method, headers, body }), [__fetchResponse]);
  } catch (e) {
    return __capPromiseReject(e);
  }
}
`;
