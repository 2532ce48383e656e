/**
 * In-isolate source: the result serializer. It runs INSIDE the isolate, under the run's time
 * limit, so getters, Proxy traps and `toJSON` that loop forever are stopped by the same limits as
 * any tenant code, and the host never touches a live tenant object (DESIGN, "The one rule").
 *
 * Representation (also in docs/results.md):
 * - `json` is `JSON.stringify(value)` with these deliberate differences:
 *   - a BigInt becomes a JSON string of its decimal digits (`10n` → `"10"`), where
 *     `JSON.stringify` would throw;
 *   - a reference back to an ancestor (a cycle) becomes the string `"[Circular]"`, where
 *     `JSON.stringify` would throw; repeated but acyclic references are written out each time;
 *   - nesting deeper than {@link MAX_JSON_DEPTH} levels is refused with RESULT_TOO_LARGE.
 *   Everything else is JSON's: `toJSON` is honoured, getters are invoked, NaN/±Infinity → null,
 *   undefined/functions/symbols are omitted from objects and become null in arrays, Map/Set →
 *   `{}`. A top-level undefined, function or symbol has no JSON form: `json` is undefined.
 * - `preview` is a Node `util.inspect`-style rendering (depth 2), capped at 16 KiB.
 * - The JSON text is measured in UTF-8 bytes while it is built and the build stops as soon as it
 *   passes `limits.resultBytes` (RESULT_TOO_LARGE): an oversized string is refused by its length
 *   before it is even escaped, so nothing big is copied — in the isolate or to the host.
 * - Both are built with the built-ins captured at the top of inspect.ts: a tenant that replaces
 *   `JSON.stringify`, `Set.prototype.has` or `Array.prototype.join` gets the same text. What
 *   JSON itself reads from the value (`toJSON`, getters, a boxed primitive's `valueOf`) is the
 *   tenant's, as in `JSON.stringify`.
 */
export const MAX_JSON_DEPTH = 1000;
export const MAX_PREVIEW_CHARS = 16 * 1024;

export const SERIALIZE_SOURCE = String.raw`
const __TOO_LARGE = { reason: 'size' };
const __TOO_DEEP = { reason: 'depth' };
const __MAX_JSON_DEPTH = ${MAX_JSON_DEPTH};
const __MAX_PREVIEW = ${MAX_PREVIEW_CHARS};

function __toJSONText(value, maxBytes) {
  const parts = [];
  let size = 0;
  const ancestors = new __Set();
  const push = (s) => {
    size += __utf8Length(s);
    if (size > maxBytes) throw __TOO_LARGE;
    parts[parts.length] = s;
  };
  // Punctuation, numbers and literals: ASCII, one byte per character.
  const pushAscii = (s) => {
    size += s.length;
    if (size > maxBytes) throw __TOO_LARGE;
    parts[parts.length] = s;
  };
  const ser = (key, v, depth) => {
    if (v !== null && (typeof v === 'object' || typeof v === 'bigint')) {
      const toJSON = v.toJSON;
      if (typeof toJSON === 'function') v = __reflectApply(toJSON, v, [key]);
    }
    if (typeof v === 'object' && v !== null) {
      if (__isInstance(__NumberProto, v)) v = __Number(v);
      else if (__isInstance(__StringProto, v)) v = __String(v);
      else if (__isInstance(__BooleanProto, v)) v = __BooleanValueOf(v);
      else if (__isInstance(__BigIntProto, v)) v = __BigIntValueOf(v);
    }
    switch (typeof v) {
      case 'string':
        if (v.length > maxBytes - size) throw __TOO_LARGE;
        push(__JSONstringify(v));
        return true;
      case 'number': pushAscii(__NumberIsFinite(v) ? '' + v : 'null'); return true;
      case 'boolean': pushAscii(v ? 'true' : 'false'); return true;
      case 'bigint': pushAscii('"' + v + '"'); return true;
      case 'undefined': case 'function': case 'symbol': return false;
    }
    if (v === null) { pushAscii('null'); return true; }
    if (__SetHas(ancestors, v)) { pushAscii('"[Circular]"'); return true; }
    if (depth >= __MAX_JSON_DEPTH) throw __TOO_DEEP;
    __SetAdd(ancestors, v);
    if (__isArray(v)) {
      pushAscii('[');
      const len = v.length;
      for (let i = 0; i < len; i++) {
        if (i > 0) pushAscii(',');
        if (!ser('' + i, v[i], depth + 1)) pushAscii('null');
      }
      pushAscii(']');
    } else {
      pushAscii('{');
      const keys = __ObjectKeys(v);
      let first = true;
      for (let i = 0; i < keys.length; i++) {
        const k = keys[i];
        const mark = parts.length;
        const before = size;
        push((first ? '' : ',') + __JSONstringify(k) + ':');
        if (ser(k, v[k], depth + 1)) first = false;
        else { parts.length = mark; size = before; }
      }
      pushAscii('}');
    }
    __SetDelete(ancestors, v);
    return true;
  };
  return ser('', value, 0) ? __ArrayJoin(parts, '') : undefined;
}

/** Returns { json, preview } or throws __TOO_LARGE / __TOO_DEEP. */
function __serializeResult(value, maxBytes) {
  const json = __toJSONText(value, maxBytes);
  let preview = __inspect(value, 2, __MAX_PREVIEW);
  if (preview.length > __MAX_PREVIEW) preview = __StringSlice(preview, 0, __MAX_PREVIEW - 1) + '\u2026';
  return { json, preview };
}
`;
