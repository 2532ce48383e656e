/**
 * In-isolate source: `console`, with output limits enforced INSIDE the isolate.
 *
 * Every line is formatted here (`__format`, see inspect.ts), then counted against the run's
 * byte budget (`limits.outputBytes`, UTF-8) and line rate (`limits.consoleLinesPerSecond`, a
 * token bucket whose burst is one second's worth) BEFORE it is handed to `__emit`, the bridge's
 * fire-and-forget callback. A line over either limit is never copied out: the console emits a
 * single `limit` notice, goes silent, and the host ends the run with OUTPUT_LIMIT (a thrown
 * exception would be catchable by tenant code, so the decision is the host's).
 *
 * Like inspect.ts, it calls only the built-ins captured at the top of inspect.ts: a tenant that
 * replaces `Map.prototype.get` or `String.prototype.split` still gets its console.count and groups.
 *
 * As Node: `trace` prints the caller's frames (only the tenant's `file:///tenant/` ones, rewritten
 * as errors/trim-stack.ts does), `table` draws Node's box table (left-aligned cells, `(index)`,
 * `Values`, an optional column list), and an unknown label for `countReset`/`timeEnd`/`timeLog`
 * (or a repeated `time`) prints Node's warning text, without its `(node:PID)` prefix. Widths of
 * non-ASCII cells follow Node's non-ICU rule (East Asian wide characters count 2), which can
 * differ from Node's ICU widths for rare characters.
 */
export const CONSOLE_SOURCE = String.raw`
const __out = { bytes: 0, maxBytes: 0, rate: 1, tokens: 1, last: 0, blocked: false, emitted: 0, group: '', batch: [], batchBytes: 0, lastFlush: 0 };
/** Lines are sent in batches: at most one bridge call per 10 ms (or 64 KiB) of output, so a
 * console flood cannot flood the host's event loop; the rest leaves with the driver's status. */
const __FLUSH_MS = 10;
const __FLUSH_BYTES = 65536;
const __DateNow = Date.now;

const __nonAsciiRe = /[^\x00-\x7f]/;

function __utf8Length(s) {
  let n = s.length;
  // ASCII (most text): one native scan, no match object, no call per character.
  const m = __RegExpExec(__nonAsciiRe, s);
  if (m === null) return n;
  for (let i = m.index; i < s.length; i++) {
    const c = __StringCharCodeAt(s, i);
    if (c >= 0x80) {
      if (c < 0x800) n += 1;
      else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length && (__StringCharCodeAt(s, i + 1) & 0xfc00) === 0xdc00) { n += 2; i++; }
      else n += 2;
    }
  }
  return n;
}

function __setOutputLimits(maxBytes, linesPerSecond) {
  __out.maxBytes = maxBytes;
  __out.rate = linesPerSecond;
  __out.tokens = linesPerSecond;
  __out.last = __DateNow();
}

function __write(level, text) {
  if (__out.blocked) return;
  const now = __DateNow();
  const elapsed = now - __out.last;
  if (elapsed > 0) {
    __out.tokens = __MathMin(__out.rate, __out.tokens + (elapsed * __out.rate) / 1000);
    __out.last = now;
  }
  if (__out.tokens < 1) {
    __out.blocked = true;
    __flushOutput();
    __out.emitted++;
    // isolation: only two primitive strings cross (copied by the Callback); no object is passed.
    __emit('limit', 'rate', 0);
    return;
  }
  __out.tokens -= 1;
  if (__out.group !== '') text = __out.group + __indentLines(text, __out.group);
  const remaining = __out.maxBytes - __out.bytes;
  const len = text.length >= remaining ? remaining + 1 : __utf8Length(text) + 1;
  if (len > remaining) {
    __out.blocked = true;
    __flushOutput();
    __out.emitted++;
    // isolation: primitive strings only; the oversized text itself is never copied out.
    __emit('limit', 'bytes', 0);
    return;
  }
  __out.bytes += len;
  __ArrayPush(__out.batch, level, text, now);
  __out.batchBytes += len;
  if (now - __out.lastFlush >= __FLUSH_MS || __out.batchBytes >= __FLUSH_BYTES) __flushOutput();
}

function __flushOutput() {
  if (__out.batch.length === 0) return;
  const batch = __out.batch;
  __out.batch = [];
  __out.batchBytes = 0;
  __out.lastFlush = __DateNow();
  __out.emitted++;
  // isolation: a flat array of primitives [level, text, timeMs, ...] is deep-copied into the
  // host by the Callback; nothing of the host is returned (fire-and-forget).
  __emit('batch', batch, 0);
}

/** Lines not yet flushed, handed to the host with the driver's status. */
function __takeOutput() {
  const batch = __out.batch;
  __out.batch = [];
  __out.batchBytes = 0;
  return batch;
}

function __fmt(args) {
  return __format(args, __out.maxBytes - __out.bytes + 1);
}

const __counts = new Map();
const __timersLabels = new Map();
function __label(l) { return l === undefined ? 'default' : __String(l); }

// Node's process warnings, without its "(node:PID) " prefix.
function __warn(text) { __write('warn', 'Warning: ' + text); }

const __frameRe = /^\s*at /;
const __tenantEvalRe = /^(\s*at (?:async )?)eval \((file:\/\/\/tenant\/[^)]*)\)$/;
const __tenantReceiverEvalRe = /^(\s*at (?:async )?(?:new )?[\w$.]+)\.eval (\(file:\/\/\/tenant\/.*)$/;

/** Each tenant frame after a newline: errors/trim-stack.ts's rule (no vmd: frames). */
function __tenantFrames(stack) {
  if (typeof stack !== 'string') return '';
  const lines = __split(stack, '\n');
  let out = '';
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i];
    if (!__reTest(__frameRe, line) || !__StringIncludes(line, 'file:///tenant/')) continue;
    let m = __RegExpExec(__tenantEvalRe, line);
    if (m !== null) line = m[1] + m[2];
    else {
      m = __RegExpExec(__tenantReceiverEvalRe, line);
      if (m !== null) line = m[1] + '.<anonymous> ' + m[2];
    }
    out += '\n' + line;
  }
  return out;
}

function __trace(...args) {
  const message = __fmt(args);
  // Null prototype: V8 reads no tenant-reachable name or message from it.
  const holder = { __proto__: null };
  let frames = '';
  try {
    __captureStackTrace(holder, __trace);
    frames = __tenantFrames(holder.stack);
  } catch (e) {}
  __write('error', (message === '' ? 'Trace' : 'Trace: ' + message) + frames);
}

/** Node's getStringWidth without ICU: wide (East Asian) characters 2, combining ones 0. */
function __stringWidth(s) {
  const m = __RegExpExec(__nonAsciiRe, s);
  let width = 0;
  const start = m === null ? s.length : m.index;
  for (let i = 0; i < start; i++) if (__StringCharCodeAt(s, i) >= 32) width++;
  if (m === null) return width;
  const rest = __StringNormalize(__StringSlice(s, start), 'NFC');
  for (let i = 0; i < rest.length; i++) {
    const c = __StringCodePointAt(rest, i);
    if (c > 0xffff) i++;
    if (c < 32 || (c >= 0x7f && c <= 0x9f) || (c >= 0x300 && c <= 0x36f) || (c >= 0x200b && c <= 0x200f) ||
        (c >= 0x20d0 && c <= 0x20ff) || (c >= 0xfe00 && c <= 0xfe0f) || (c >= 0xfe20 && c <= 0xfe2f) ||
        (c >= 0xe0100 && c <= 0xe01ef)) continue;
    width += c >= 0x1100 && (c <= 0x115f || c === 0x2329 || c === 0x232a ||
      (c >= 0x2e80 && c <= 0x3247 && c !== 0x303f) || (c >= 0x3250 && c <= 0x4dbf) ||
      (c >= 0x4e00 && c <= 0xa4c6) || (c >= 0xa960 && c <= 0xa97c) || (c >= 0xac00 && c <= 0xd7a3) ||
      (c >= 0xf900 && c <= 0xfaff) || (c >= 0xfe10 && c <= 0xfe19) || (c >= 0xfe30 && c <= 0xfe6b) ||
      (c >= 0xff01 && c <= 0xff60) || (c >= 0xffe0 && c <= 0xffe6) || (c >= 0x1b000 && c <= 0x1b001) ||
      (c >= 0x1f200 && c <= 0x1f251) || (c >= 0x1f300 && c <= 0x1f64f) || (c >= 0x20000 && c <= 0x3fffd)) ? 2 : 1;
  }
  return width;
}

/** Node's cli_table; box-drawing characters from code points, the source stays ASCII. */
function __renderTable(head, columns) {
  const c = __StringFromCharCode;
  const line = c(0x2500);
  const bar = c(0x2502);
  const widths = [];
  let longest = 0;
  for (let i = 0; i < head.length; i++) {
    widths[i] = __stringWidth(head[i]);
    if (columns[i].length > longest) longest = columns[i].length;
  }
  const rows = [];
  for (let j = 0; j < longest; j++) rows[j] = [];
  for (let i = 0; i < head.length; i++) {
    for (let j = 0; j < longest; j++) {
      const cell = __hasOwn(columns[i], j) ? columns[i][j] : '';
      rows[j][i] = cell;
      const w = __stringWidth(cell);
      if (w > widths[i]) widths[i] = w;
    }
  }
  const renderRow = (row) => {
    let out = bar + ' ';
    for (let i = 0; i < row.length; i++) {
      out += row[i] + __StringRepeat(' ', widths[i] - __stringWidth(row[i]));
      if (i !== row.length - 1) out += ' ' + bar + ' ';
    }
    return out + ' ' + bar;
  };
  const divider = (left, middle, right) => {
    let out = left;
    for (let i = 0; i < widths.length; i++) out += (i ? middle : '') + __StringRepeat(line, widths[i] + 2);
    return out + right;
  };
  let result = divider(c(0x250c), c(0x252c), c(0x2510)) + '\n' + renderRow(head) + '\n' +
    divider(c(0x251c), c(0x253c), c(0x2524)) + '\n';
  for (let j = 0; j < rows.length; j++) result += renderRow(rows[j]) + '\n';
  return result + divider(c(0x2514), c(0x2534), c(0x2518));
}

/** Node's ERR_INVALID_ARG_TYPE "Received ..." part (determineSpecificType). */
function __describeReceived(v) {
  if (v === null) return 'null';
  switch (typeof v) {
    case 'undefined': return 'undefined';
    case 'function': {
      let name = '';
      try { name = v.name; } catch (e) {}
      return 'function ' + name;
    }
    case 'object': {
      let name = null;
      try { name = __getCtorName(v); } catch (e) {}
      return name !== null ? 'an instance of ' + name : __inspect(v, -1);
    }
    case 'string': {
      if (v.length > 28) v = __StringSlice(v, 0, 25) + '...';
      return 'type string (' + (__StringIndexOf(v, "'") === -1 ? "'" + v + "'" : __JSONstringify(v)) + ')';
    }
    case 'symbol': return 'type symbol (' + __symToString(v) + ')';
    case 'bigint': return 'type bigint (' + v + 'n)';
  }
  return 'type ' + typeof v + ' (' + __formatNumber(v) + ')';
}

/** Node's table cell: maxArrayLength 3, no line breaks, objects of 3+ keys as [Object]. */
function __tableCell(v) {
  let depth = 0;
  if (v !== null && typeof v === 'object' && !__isArray(v) && !__isTypedArray(v) && __ObjectKeys(v).length > 2) depth = -1;
  const ctx = __inspectContext(depth, __out.maxBytes - __out.bytes + 1);
  ctx.maxArrayLength = 3;
  ctx.breakLength = Infinity;
  return __formatValue(ctx, v, 0);
}

/** console.table, as Node's lib/internal/console/constructor.js builds it. */
function __table(data, properties) {
  if (properties !== undefined && !__isArray(properties)) {
    const e = new __TypeError('The "properties" argument must be an instance of Array. Received ' + __describeReceived(properties));
    __defineOwn(e, 'code', { __proto__: null, value: 'ERR_INVALID_ARG_TYPE', writable: true, enumerable: true, configurable: true });
    throw e;
  }
  if (data === null || typeof data !== 'object') { __write('log', __fmt([data])); return; }
  // Iterators cannot be read without advancing them: logged instead.
  if (__isInstance(__MapIteratorProto, data) || __isInstance(__SetIteratorProto, data)) { __write('log', __fmt([data])); return; }
  const indexes = (n) => {
    const out = [];
    for (let i = 0; i < n; i++) out[i] = '' + i;
    return out;
  };
  if (__isMap(data)) {
    const keys = [];
    const values = [];
    const it = __mapEntries(data);
    for (let r = __mapIterNext(it); !r.done; r = __mapIterNext(it)) {
      keys[keys.length] = __tableCell(r.value[0]);
      values[values.length] = __tableCell(r.value[1]);
    }
    __write('log', __renderTable(['(iteration index)', 'Key', 'Values'], [indexes(keys.length), keys, values]));
    return;
  }
  if (__isSet(data)) {
    const values = [];
    const it = __setValues(data);
    for (let r = __setIterNext(it); !r.done; r = __setIterNext(it)) values[values.length] = __tableCell(r.value);
    __write('log', __renderTable(['(iteration index)', 'Values'], [indexes(values.length), values]));
    return;
  }
  const map = { __proto__: null };
  let hasPrimitives = false;
  const valuesColumn = [];
  const indexKeys = __ObjectKeys(data);
  for (let i = 0; i < indexKeys.length; i++) {
    const item = data[indexKeys[i]];
    const primitive = item === null || (typeof item !== 'function' && typeof item !== 'object');
    if (properties === undefined && primitive) {
      hasPrimitives = true;
      valuesColumn[i] = __tableCell(item);
    } else {
      const keys = properties !== undefined ? properties : __ObjectKeys(item);
      const n = keys.length;
      for (let k = 0; k < n; k++) {
        const key = keys[k];
        if (map[key] === undefined || map[key] === null) map[key] = [];
        map[key][i] = (primitive && properties !== undefined) || !__hasOwn(item, key) ? '' : __tableCell(item[key]);
      }
    }
  }
  const head = __ObjectKeys(map);
  const columns = [];
  for (let i = 0; i < head.length; i++) columns[i] = map[head[i]];
  if (hasPrimitives) { __ArrayPush(head, 'Values'); __ArrayPush(columns, valuesColumn); }
  __ArrayUnshift(head, '(index)');
  __ArrayUnshift(columns, indexKeys);
  __write('log', __renderTable(head, columns));
}

const __console = {
  log(...args) { __write('log', __fmt(args)); },
  info(...args) { __write('info', __fmt(args)); },
  debug(...args) { __write('debug', __fmt(args)); },
  warn(...args) { __write('warn', __fmt(args)); },
  error(...args) { __write('error', __fmt(args)); },
  trace: __trace,
  dir(value, options) {
    // Node's options: depth (a number; null or Infinity for all levels) and showHidden. The
    // output limit still bounds what an unlimited depth prints.
    let depth = 2;
    let showHidden = false;
    try {
      if (options) {
        const d = options.depth;
        if (d === null) depth = Infinity;
        else if (typeof d === 'number') depth = d;
        showHidden = options.showHidden === true;
      }
    } catch (x) {}
    __write('log', __inspect(value, depth, __out.maxBytes - __out.bytes + 1, showHidden));
  },
  assert(cond, ...args) {
    if (!cond) {
      if (args.length > 0 && typeof args[0] === 'string') { args[0] = 'Assertion failed: ' + args[0]; }
      else __ArrayUnshift(args, 'Assertion failed');
      __write('error', __fmt(args));
    }
  },
  count(label) {
    const l = __label(label);
    const n = (__MapGet(__counts, l) || 0) + 1;
    __MapSet(__counts, l, n);
    __write('info', l + ': ' + n);
  },
  countReset(label) {
    const l = __label(label);
    if (__MapGet(__counts, l) === undefined) __warn("Count for '" + l + "' does not exist");
    else __MapDelete(__counts, l);
  },
  group(...args) { if (args.length) __write('log', __fmt(args)); __out.group += '  '; },
  groupCollapsed(...args) { if (args.length) __write('log', __fmt(args)); __out.group += '  '; },
  groupEnd() { __out.group = __StringSlice(__out.group, 0, -2); },
  time(label) {
    const l = __label(label);
    if (__MapGet(__timersLabels, l) !== undefined) __warn("Label '" + l + "' already exists for console.time()");
    else __MapSet(__timersLabels, l, __DateNow());
  },
  timeLog(label, ...args) {
    const l = __label(label); const t = __MapGet(__timersLabels, l);
    if (t === undefined) { __warn("No such label '" + l + "' for console.timeLog()"); return; }
    __write('info', l + ': ' + (__DateNow() - t) + 'ms' + (args.length ? ' ' + __fmt(args) : ''));
  },
  timeEnd(label) {
    const l = __label(label); const t = __MapGet(__timersLabels, l);
    if (t === undefined) { __warn("No such label '" + l + "' for console.timeEnd()"); return; }
    __MapDelete(__timersLabels, l);
    __write('info', l + ': ' + (__DateNow() - t) + 'ms');
  },
  table(data, properties) { __table(data, properties); },
  dirxml(...args) { __write('log', __fmt(args)); },
};
`;
