/**
 * In-isolate source: `setTimeout`/`setInterval`/`clearTimeout`/`clearInterval`/`setImmediate`/
 * `clearImmediate`/`queueMicrotask`.
 *
 * The isolate has no event loop, so timers live in a table here and the host drives them: after
 * every call into the isolate the driver reports the delay until the next due timer, the host
 * waits that long (racing the run's wall limit) and calls `tick`, which fires ONE due timer.
 * One timer per call means the isolate's microtask queue is drained between two timer callbacks,
 * exactly as Node does. Timers return Node-like `Timeout` objects (`ref`/`unref`/`hasRef`/
 * `refresh`, and `+t` gives the numeric id). Unref'd timers do not keep the run alive.
 */
export const TIMERS_SOURCE = String.raw`
// Captured at bootstrap, before tenant code: a tenant that replaces Map.prototype.delete,
// Reflect.apply or Math.trunc must not stop its timers (in Node it does not), nor leave a fired
// timer due for ever, which would make the host call into the isolate in a tight loop.
const __tmGet = __uncurry(Map.prototype.get);
const __tmSet = __uncurry(Map.prototype.set);
const __tmDelete = __uncurry(Map.prototype.delete);
const __tmValues = __uncurry(Map.prototype.values);
const __tmSize = __uncurry(Object.getOwnPropertyDescriptor(Map.prototype, 'size').get);
const __tmNext = __uncurry(Object.getPrototypeOf(new Map().values()).next);
const __tTrunc = Math.trunc;
const __tNumber = Number;
const __timers = new Map();
let __timerSeq = 0;
let __timerNextId = 1;
const __TIMEOUT_MAX = 2147483647;
/** Pending timers per run: a flood of them would exhaust the heap in a way V8 cannot recover from. */
const __MAX_TIMERS = 100000;

/** Each handle's timer (its table entry), kept out of the tenant's reach. */
const __tmHandles = new WeakMap();
const __tmHandleGet = __uncurry(WeakMap.prototype.get);
const __tmHandleSet = __uncurry(WeakMap.prototype.set);

/**
 * What setTimeout and setInterval return, as Node's: the same object is the callback's this,
 * ref/unref/hasRef hold after it fired, and refresh() re-arms a timer that fired (not one that
 * was cleared). +t gives the numeric id.
 */
class Timeout {
  ref() { const t = __tmHandleGet(__tmHandles, this); if (t) t.ref = true; return this; }
  unref() { const t = __tmHandleGet(__tmHandles, this); if (t) t.ref = false; return this; }
  hasRef() { const t = __tmHandleGet(__tmHandles, this); return t ? t.ref : false; }
  refresh() {
    const t = __tmHandleGet(__tmHandles, this);
    if (t && !t.cleared) {
      t.when = __DateNow() + t.delay;
      t.seq = ++__timerSeq;
      if (__tmGet(__timers, t.id) === undefined) {
        if (__tmSize(__timers) >= __MAX_TIMERS) throw new RangeError('Too many pending timers (the limit is ' + __MAX_TIMERS + ')');
        __tmSet(__timers, t.id, t);
      }
    }
    return this;
  }
  close() { __clearTimer(this); return this; }
  [Symbol.toPrimitive]() { const t = __tmHandleGet(__tmHandles, this); return t ? t.id : NaN; }
}

/** Node's Immediate: what setImmediate returns (ref/unref/hasRef; no numeric id). */
class Immediate {
  ref() { const t = __tmHandleGet(__tmHandles, this); if (t) t.ref = true; return this; }
  unref() { const t = __tmHandleGet(__tmHandles, this); if (t) t.ref = false; return this; }
  hasRef() { const t = __tmHandleGet(__tmHandles, this); return t ? t.ref && __tmGet(__timers, t.id) !== undefined : false; }
}

function __addTimer(cb, ms, args, repeat, immediate) {
  if (typeof cb !== 'function') {
    throw new TypeError('The "callback" argument must be of type function. Received ' + __inspect(cb, 0));
  }
  if (__tmSize(__timers) >= __MAX_TIMERS) {
    throw new RangeError('Too many pending timers (the limit is ' + __MAX_TIMERS + ')');
  }
  let delay = 0;
  if (!immediate) {
    delay = __tNumber(ms);
    if (!(delay >= 1 && delay <= __TIMEOUT_MAX)) delay = 1;
    delay = __tTrunc(delay);
  }
  const id = __timerNextId++;
  const handle = immediate ? new Immediate() : new Timeout();
  // An immediate is due at once: it runs before any timer that is not already due.
  const t = { id, cb, args, delay, repeat, immediate, when: __DateNow() + delay, seq: ++__timerSeq, ref: true, cleared: false, handle };
  __tmHandleSet(__tmHandles, handle, t);
  __tmSet(__timers, id, t);
  return handle;
}

function __clearTimer(h) {
  if (h === null || h === undefined) return;
  let t;
  if (typeof h === 'object') t = __tmHandleGet(__tmHandles, h);
  else t = __tmGet(__timers, __tNumber(h));
  if (t === undefined) return;
  t.cleared = true;
  __tmDelete(__timers, t.id);
}

function __nextTimer() {
  let best = null;
  const it = __tmValues(__timers);
  for (let r = __tmNext(it); !r.done; r = __tmNext(it)) {
    const t = r.value;
    if (best === null || t.when < best.when || (t.when === best.when && t.seq < best.seq)) best = t;
  }
  return best;
}

function __timersAlive() {
  const it = __tmValues(__timers);
  for (let r = __tmNext(it); !r.done; r = __tmNext(it)) if (r.value.ref) return true;
  return false;
}

/** Fires the earliest due timer, if any. Throws what the callback throws. */
function __fireOneTimer() {
  const t = __nextTimer();
  if (t === null || t.when > __DateNow()) return;
  if (t.repeat) { t.when = __DateNow() + t.delay; t.seq = ++__timerSeq; }
  else __tmDelete(__timers, t.id);
  __reflectApply(t.cb, t.handle, t.args);
}

const __setTimeout = function setTimeout(cb, ms, ...args) { return __addTimer(cb, ms, args, false, false); };
const __setInterval = function setInterval(cb, ms, ...args) { return __addTimer(cb, ms, args, true, false); };
const __setImmediate = function setImmediate(cb, ...args) { return __addTimer(cb, 0, args, false, true); };
const __clearTimeout = function clearTimeout(t) { __clearTimer(t); };
const __clearInterval = function clearInterval(t) { __clearTimer(t); };
const __clearImmediate = function clearImmediate(t) {
  if (typeof t === 'object' && t !== null && __tmHandleGet(__tmHandles, t) !== undefined && __tmHandleGet(__tmHandles, t).immediate) __clearTimer(t);
};
const __PromiseResolve = Promise.resolve.bind(Promise);
const __queueMicrotask = function queueMicrotask(cb) {
  if (typeof cb !== 'function') {
    throw new TypeError('The "callback" argument must be of type function. Received ' + __inspect(cb, 0));
  }
  // An exception in cb becomes an unhandled rejection, which ends the run like Node's
  // uncaught exception does.
  __reflectApply(__promiseThen, __PromiseResolve(), [() => cb()]);
};
`;
