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

const __console = {
  log(...args) { __write('log', __fmt(args)); },
  info(...args) { __write('info', __fmt(args)); },
  debug(...args) { __write('debug', __fmt(args)); },
  warn(...args) { __write('warn', __fmt(args)); },
  error(...args) { __write('error', __fmt(args)); },
  trace(...args) {
    const e = new __Error();
    let stack = '';
    try {
      const lines = __split(__cleanStack(__String(e.stack)), '\n');
      for (let i = 2; i < lines.length; i++) stack += (i > 2 ? '\n' : '') + lines[i];
    } catch (x) {}
    __write('error', 'Trace' + (args.length ? ': ' + __fmt(args) : '') + (stack ? '\n' + stack : ''));
  },
  dir(value, options) {
    let depth = 2;
    try { if (options && typeof options.depth === 'number') depth = options.depth; } catch (x) {}
    __write('log', __inspect(value, depth, __out.maxBytes - __out.bytes + 1));
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
  countReset(label) { __MapDelete(__counts, __label(label)); },
  group(...args) { if (args.length) __write('log', __fmt(args)); __out.group += '  '; },
  groupCollapsed(...args) { if (args.length) __write('log', __fmt(args)); __out.group += '  '; },
  groupEnd() { __out.group = __StringSlice(__out.group, 0, -2); },
  time(label) { __MapSet(__timersLabels, __label(label), __DateNow()); },
  timeLog(label, ...args) {
    const l = __label(label); const t = __MapGet(__timersLabels, l);
    if (t === undefined) { __write('warn', "Warning: No such label '" + l + "' for console.timeLog()"); return; }
    __write('info', l + ': ' + (__DateNow() - t) + 'ms' + (args.length ? ' ' + __fmt(args) : ''));
  },
  timeEnd(label) {
    const l = __label(label); const t = __MapGet(__timersLabels, l);
    if (t === undefined) { __write('warn', "Warning: No such label '" + l + "' for console.timeEnd()"); return; }
    __MapDelete(__timersLabels, l);
    __write('info', l + ': ' + (__DateNow() - t) + 'ms');
  },
  table(data) { __write('log', __fmt([data])); },
};
`;
