/**
 * Isolation `context` (docs/decisions/0002-isolation-context.md): a run with an `isolateKey` gets a
 * fresh V8 context in a warm isolate kept for that key and memory class. These tests prove the
 * isolate WAS reused (`warm: true`) wherever that matters, and that nothing of one run reaches the
 * next: globals, polluted built-ins, leftover async work. Any abnormal end recycles the isolate.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS, type Limits } from '../limits/limits.js';
import {
  CONTEXT_ISOLATE_MAX_RUNS,
  CONTEXT_PREPARE_TIMEOUT_MS,
  Engine,
  type EngineOptions,
} from './engine.js';
import { NOOP_LOGGER } from '../logging/logger.js';
import { expectSameOutcome } from '../../test/support/same-outcome.js';
import type { ExecutionOutcome, SourceType } from './types.js';

const LIMITS: Limits = { ...DEFAULT_LIMITS, wallTimeMs: 3000, cpuTimeMs: 2000 };
const INPUT = '{"n":21}';

interface RunOptions {
  key?: string;
  sourceType?: SourceType;
  inputJson?: string;
  limits?: Partial<Limits>;
  signal?: AbortSignal;
}

interface Ran {
  outcome: ExecutionOutcome;
  /** `stream:text` of each console line. */
  output: string[];
}

async function run(engine: Engine, code: string, options: RunOptions = {}): Promise<Ran> {
  const output: string[] = [];
  const outcome = await engine.run(
    {
      code,
      sourceType: options.sourceType ?? 'script',
      inputJson: options.inputJson ?? INPUT,
      filename: 'main.js',
      limits: { ...LIMITS, ...options.limits },
      ...(options.key === undefined ? {} : { isolateKey: options.key }),
    },
    {
      onOutput: (e) => output.push(`${e.stream}:${e.text}`),
      ...(options.signal ? { signal: options.signal } : {}),
    },
  );
  return { outcome, output };
}

function json(outcome: ExecutionOutcome): string | undefined {
  if (outcome.status !== 'ok') throw new Error(`expected ok, got ${JSON.stringify(outcome.failure)}`);
  return outcome.json;
}

function kindOf(outcome: ExecutionOutcome): string {
  return outcome.status === 'error' ? outcome.failure.kind : 'ok';
}

let keySeq = 0;
/** A key no other test uses (kept isolates are per key). */
function freshKey(label: string): string {
  keySeq++;
  return `${label}-${keySeq}`;
}

/** Runs `code` twice on a fresh key; the second run must have reused the isolate of the first. */
async function warmKey(engine: Engine, label: string, memoryMib = LIMITS.memoryMib): Promise<string> {
  const key = freshKey(label);
  const limits = { memoryMib };
  expect((await run(engine, '1', { key, limits })).outcome.warm).toBe(false);
  expect((await run(engine, '1', { key, limits })).outcome.warm).toBe(true);
  return key;
}

/** Allocates enough large arrays to force full (mark-compact) garbage collections. */
const FULL_GC =
  '{ let keep = []; for (let i = 0; i < 60; i++) { keep.push(new Array(2e5).fill(i)); if (keep.length > 4) keep.shift(); } }';

/**
 * Looks at everything a previous run could have polluted, and prints and returns it. Its result
 * and output must be exactly those of the same probe in a brand-new isolate. It declares `z`,
 * `K` and `probeFn` at top level: a leftover lexical binding would make it a SyntaxError.
 */
const PROBE = String.raw`
const regexpBefore = [RegExp.$1, RegExp.lastMatch];
let z = 'probe-z';
class K {}
function probeFn(a) { return 'fn:' + a; }
console.log('probe', { a: [1, 2], s: 'x' }, [3, 'y'], new Map([[1, 2]]));
console.warn('warned', 42, new Error('shown').message);
(async () => {
  const o = {};
  const arr = [3, 1, 2];
  const captured = {};
  Error.captureStackTrace(captured);
  let typeError = null;
  try { null.x; } catch (e) { typeError = [e instanceof TypeError, e.constructor === TypeError, String(e.stack).split('\n')[0]]; }
  return {
    input,
    globals: [typeof x, typeof y, typeof leakProbe, typeof undeclared, 'leakProbe' in globalThis, Object.getOwnPropertyNames(globalThis).sort().join(), Object.keys(globalThis).sort().join()],
    globalProto: [Object.getPrototypeOf(Object.getPrototypeOf(globalThis)) === Object.prototype, typeof Object.getPrototypeOf(globalThis)],
    objectProto: [o.polluted, o.hidden, 'polluted' in o, typeof o.toJSON, typeof o.then, String(o), Object.prototype.toString.call(arr), Object.isFrozen(Object.prototype), Object.keys(o).length],
    arrayProto: [arr.push(4), arr.map((v) => v * 2), [...arr].join(), arr.slice(1), arr.map((v) => v).constructor === Array, Array.from('ab'), arr.includes(4), Object.isFrozen(Array.prototype), typeof Array[Symbol.species]],
    functionProto: [probeFn.call(null, 1), probeFn.apply(null, [2]), probeFn.bind(null, 3)(), Function.prototype.toString.call(Math.max), Object.isFrozen(Function.prototype)],
    json: [JSON.stringify({ a: [1, 'b'], d: new Date(0) }), JSON.parse('{"c":3}').c],
    promise: [
      await new Promise((resolve) => setTimeout(() => resolve('timer'), 1)),
      await Promise.resolve('p').then((v) => v + '!'),
      await Promise.all([1, Promise.resolve(2)]),
      Promise.name,
      Promise.prototype.then.name,
    ],
    errors: [String(new Error('m').stack).split('\n')[0], typeof Error.prepareStackTrace, Error.stackTraceLimit, typeof captured.stack, typeError],
    builtins: [
      eval('1 + 1'), Math.max(1, 2), Function.prototype.toString.call(Math.random).includes('[native code]'),
      Date.now() > 1.6e12, 'abc'.toUpperCase(), (255).toString(16), typeof setTimeout, typeof console.log,
      typeof queueMicrotask, typeof structuredClone, Reflect.ownKeys({ q: 1 }), Object.keys({ r: 1 }), regexpBefore,
    ],
    lexical: [z, typeof K, probeFn('x')],
  };
})()
`;

/** What a run plants; each ends `ok` (else its isolate would be recycled and prove nothing). */
const POLLUTERS: [string, string][] = [
  [
    'globals (globalThis.x, var, top-level let/class/function)',
    "globalThis.x = 'leak'; var y = 'leak'; let z = 'leak'; class K {} function probeFn() { return 'leak'; } 'polluted'",
  ],
  [
    'Object.prototype properties and getters',
    "Object.prototype.polluted = 'leak'; Object.defineProperty(Object.prototype, 'hidden', { get() { return 'leak'; }, configurable: true }); 'polluted'",
  ],
  ['Object.prototype.toString', "Object.prototype.toString = () => 'leak'; 'polluted'"],
  [
    'Object.prototype.toJSON and then',
    "Object.prototype.toJSON = function () { return 'leak'; }; Object.prototype.then = function (resolve) { resolve('leak'); }; 'polluted'",
  ],
  [
    'Array.prototype methods and iterator',
    "Array.prototype.push = function () { return 'leak'; }; Array.prototype.map = function () { return ['leak']; }; Array.prototype.includes = () => 'leak'; Array.prototype[Symbol.iterator] = function* () { yield 'leak'; }; 'polluted'",
  ],
  [
    'Symbol.species on Array',
    "Object.defineProperty(Array, Symbol.species, { get() { return function Leak() { return { leak: true }; }; }, configurable: true }); 'polluted'",
  ],
  [
    'Function.prototype call/apply/bind/toString',
    "Function.prototype.call = function () { return 'leak'; }; Function.prototype.apply = function () { return 'leak'; }; Function.prototype.bind = function () { return () => 'leak'; }; Function.prototype.toString = () => 'leak'; 'polluted'",
  ],
  [
    'JSON.stringify and JSON.parse',
    "JSON.stringify = () => '\"leak\"'; JSON.parse = () => 'leak'; 'polluted'",
  ],
  ['the global Promise', "globalThis.Promise = function Leak() { throw new Error('leak'); }; 'polluted'"],
  [
    'Promise.prototype.then, Promise.resolve and Promise.all',
    "Promise.prototype.then = function () { throw new Error('leak'); }; Promise.resolve = () => 'leak'; Promise.all = () => 'leak'; 'polluted'",
  ],
  [
    'Error.prepareStackTrace, Error.captureStackTrace and Error.stackTraceLimit',
    "Error.prepareStackTrace = () => 'leak'; Error.captureStackTrace = (o) => { o.stack = 'leak'; }; Error.stackTraceLimit = 0; 'polluted'",
  ],
  [
    'console.log replaced',
    "console.log = () => {}; console.warn = () => {}; globalThis.console = { log() {}, warn() {} }; 'polluted'",
  ],
  ['input mutated and reassigned', "input.n = 'leak'; input.extra = 1; input = { n: 'leak' }; 'polluted'"],
  [
    'a Proxy planted as globalThis.__proto__',
    "const proto = Object.getPrototypeOf(globalThis); globalThis.__proto__ = new Proxy(proto, { has: (t, p) => p === 'leakProbe' || p === 'undeclared' || Reflect.has(t, p), get: (t, p, r) => (p === 'leakProbe' || p === 'undeclared' ? 'leak' : Reflect.get(t, p, r)) }); String(Object.getPrototypeOf(globalThis) !== proto)",
  ],
  [
    'eval, Math, Date, String/Number prototypes, timers, Reflect and Object statics',
    "globalThis.eval = () => 'leak'; Math.max = () => 'leak'; Math.random = () => 0.5; Date.now = () => 0; String.prototype.toUpperCase = () => 'leak'; Number.prototype.toString = () => 'leak'; globalThis.setTimeout = () => 0; globalThis.queueMicrotask = undefined; globalThis.structuredClone = undefined; Reflect.ownKeys = () => ['leak']; Object.keys = () => ['leak']; 'polluted'",
  ],
  [
    'frozen intrinsics',
    "Object.freeze(Object.prototype); Object.freeze(Array.prototype); Object.freeze(Function.prototype); 'polluted'",
  ],
  ['RegExp legacy statics (RegExp.$1)', "/(leak-secret)/.exec('leak-secret'); RegExp.$1"],
];

/** Abnormal ends: each must recycle the isolate it ran in. */
interface Abnormal {
  name: string;
  code: string;
  kind: string;
  sourceType?: SourceType;
  limits?: Partial<Limits>;
  /** Abort the run's signal after this many ms. */
  abortAfterMs?: number;
}

const ABNORMAL: Abnormal[] = [
  { name: 'a thrown error', code: 'throw new Error("boom")', kind: 'RUNTIME' },
  { name: 'a thrown non-Error', code: 'throw { custom: 1 }', kind: 'RUNTIME' },
  { name: 'an unhandled rejection', code: 'Promise.reject(new Error("r")); 1', kind: 'RUNTIME' },
  { name: 'a syntax error', code: 'let = ;', kind: 'SYNTAX' },
  { name: 'a module syntax error', code: 'export default = ;', kind: 'SYNTAX', sourceType: 'module' },
  {
    name: 'a module import',
    code: 'import x from "y"; export default x;',
    kind: 'RUNTIME',
    sourceType: 'module',
  },
  {
    name: 'a cpu timeout (while (true) {})',
    code: 'while (true) {}',
    kind: 'CPU_LIMIT',
    limits: { cpuTimeMs: 100, wallTimeMs: 1000 },
  },
  {
    name: 'a wall timeout with a pending interval',
    code: 'setInterval(() => {}, 5); "x"',
    kind: 'TIMEOUT',
    limits: { wallTimeMs: 150 },
  },
  {
    name: 'a memory bomb (16 MiB)',
    code: 'const a = []; for (;;) a.push(new Array(1e5).fill(1));',
    kind: 'MEMORY_LIMIT',
    limits: { memoryMib: 16 },
  },
  {
    name: 'the output limit',
    code: 'for (let i = 0; i < 100; i++) console.log("x".repeat(50)); 1',
    kind: 'OUTPUT_LIMIT',
    limits: { outputBytes: 200 },
  },
  {
    name: 'the result limit',
    code: '"x".repeat(1000)',
    kind: 'RESULT_TOO_LARGE',
    limits: { resultBytes: 100 },
  },
  { name: 'a result that never settles', code: 'new Promise(() => {})', kind: 'RUNTIME' },
  {
    name: 'a cancel mid-run',
    code: 'setTimeout(() => {}, 2000); "x"',
    kind: 'CANCELLED',
    abortAfterMs: 50,
  },
];

const ENGINE_VARIANTS: [string, EngineOptions][] = [
  ['snapshot', { isolateSnapshot: true }],
  ['no snapshot', { isolateSnapshot: false }],
];

/** A private engine for a test that reads engine-wide stats; disposed at the end. */
async function withEngine(options: EngineOptions, body: (engine: Engine) => Promise<void>): Promise<void> {
  const engine = new Engine({ warmIsolatesPerClass: 1, maxConcurrentRuns: 8, ...options });
  try {
    await body(engine);
  } finally {
    engine.dispose();
  }
}

describe.each(ENGINE_VARIANTS)('isolation context (%s)', (_name, variant) => {
  let engine: Engine;
  /** The probe in a brand-new isolate (no isolateKey). */
  let pristine: Ran;
  beforeAll(async () => {
    engine = new Engine({ warmIsolatesPerClass: 1, maxConcurrentRuns: 8, ...variant });
    pristine = await run(engine, PROBE);
  });
  afterAll(() => engine.dispose());

  function expectPristine(probe: Ran): void {
    expect(probe.outcome.status).toBe('ok');
    expect(json(probe.outcome)).toBe(json(pristine.outcome));
    expect(probe.outcome.status === 'ok' && probe.outcome.preview).toBe(
      pristine.outcome.status === 'ok' && pristine.outcome.preview,
    );
    expect(probe.output).toEqual(pristine.output);
  }

  describe('reuse', () => {
    it('the probe in a fresh isolate sees pristine built-ins (the baseline of every comparison)', () => {
      const r = JSON.parse(json(pristine.outcome)!) as Record<string, unknown[]>;
      expect(r['input']).toEqual({ n: 21 });
      expect(r['globals']!.slice(0, 5)).toEqual(['undefined', 'undefined', 'undefined', 'undefined', false]);
      expect(r['objectProto']).toEqual([
        null, // undefined in a JSON array
        null,
        false,
        'undefined',
        'undefined',
        '[object Object]',
        '[object Array]',
        false,
        0,
      ]);
      expect(r['json']).toEqual(['{"a":[1,"b"],"d":"1970-01-01T00:00:00.000Z"}', 3]);
      expect(r['promise']).toEqual(['timer', 'p!', [1, 2], 'Promise', 'then']);
      expect(r['errors']!.slice(0, 4)).toEqual(['Error: m', 'function', 10, 'string']);
      expect(r['lexical']).toEqual(['probe-z', 'function', 'fn:x']);
      expect(pristine.output[0]).toMatch(/^stdout:probe \{ a: \[ 1, 2 \], s: 'x' \}/);
      expect(pristine.output[1]).toBe('stderr:warned 42 shown');
    });

    it('a second run of the same key reuses the isolate; a run without a key has no warm flag', async () => {
      const key = freshKey('reuse');
      const first = await run(engine, '1 + 1', { key });
      expect(first.outcome.warm).toBe(false);
      expect(json(first.outcome)).toBe('2');
      expect(first.outcome.phases?.[0]?.name).toBe('vmd.isolate.acquire');

      const second = await run(engine, 'console.log("hi"); input.n * 2', { key });
      expect(second.outcome.warm).toBe(true);
      expect(json(second.outcome)).toBe('42');
      expect(second.output).toEqual(['stdout:hi']);
      expect(second.outcome.phases?.[0]?.name).toBe('vmd.context.create');
      expect(engine.stats().tenantIsolates).toBeGreaterThanOrEqual(1);

      const third = await run(engine, '3', { key });
      expect(third.outcome.warm).toBe(true);

      const keyless = await run(engine, '4');
      expect(json(keyless.outcome)).toBe('4');
      expect('warm' in keyless.outcome).toBe(false);
      expect(keyless.outcome.phases?.[0]?.name).toBe('vmd.isolate.acquire');
    });

    it('modules and top-level await work in a warm isolate', async () => {
      const key = await warmKey(engine, 'module');
      const mod = await run(engine, 'export default (input) => ({ doubled: input.n * 2 });', {
        key,
        sourceType: 'module',
      });
      expect(mod.outcome.warm).toBe(true);
      expect(json(mod.outcome)).toBe('{"doubled":42}');
      const tla = await run(engine, 'await new Promise((r) => setTimeout(r, 5)); input.n + 1', { key });
      expect(tla.outcome.warm).toBe(true);
      expect(json(tla.outcome)).toBe('22');
    });

    it('every warm context has its own Math.random and crypto streams', async () => {
      const key = await warmKey(engine, 'random');
      const code = '[Math.random(), crypto.randomUUID(), crypto.getRandomValues(new Uint32Array(2)).join()]';
      const seen = new Set<string>();
      for (let i = 0; i < 5; i++) {
        const { outcome } = await run(engine, code, { key });
        expect(outcome.warm).toBe(true);
        for (const v of JSON.parse(json(outcome)!) as unknown[]) seen.add(String(v));
      }
      expect(seen.size).toBe(15);
    });

    it('a warm run reports its own cpu time, not that of earlier runs', async () => {
      const key = await warmKey(engine, 'cpu');
      // A fixed amount of work, not of wall time: on a busy machine a run gets less CPU per
      // millisecond, and its metrics say so.
      const busy = await run(engine, 'let x = 0; for (let i = 0; i < 3e7; i++) x += i % 7; "busy"', {
        key,
      });
      expect(busy.outcome.warm).toBe(true);
      expect(busy.outcome.metrics.cpuTimeMs).toBeGreaterThan(10);
      const quick = await run(engine, '1', { key });
      expect(quick.outcome.warm).toBe(true);
      expect(quick.outcome.metrics.cpuTimeMs).toBeLessThan(busy.outcome.metrics.cpuTimeMs / 4);
    });
  });

  describe('no state carries between runs of one key', () => {
    it.each(POLLUTERS)('%s', async (_what, polluter) => {
      const key = freshKey('pollute');
      const planted = await run(engine, polluter, { key });
      expect(kindOf(planted.outcome)).toBe('ok');
      if (polluter.includes('__proto__')) expect(json(planted.outcome)).toBe('"true"'); // it was planted
      const probe = await run(engine, PROBE, { key });
      expect(probe.outcome.warm).toBe(true);
      expectPristine(probe);
    });

    it('all of them at once, in a warm isolate, then the probe in the same isolate', async () => {
      const key = await warmKey(engine, 'pollute-all');
      const planted = await run(engine, POLLUTERS.map(([, code]) => `{ ${code} }`).join('\n'), { key });
      expect(planted.outcome.warm).toBe(true);
      expect(kindOf(planted.outcome)).toBe('ok');
      const probe = await run(engine, PROBE, { key });
      expect(probe.outcome.warm).toBe(true);
      expectPristine(probe);
    });

    it('a module run leaves nothing for the next module run', async () => {
      const key = await warmKey(engine, 'module-pollute');
      const planted = await run(
        engine,
        'globalThis.x = "leak"; Object.prototype.polluted = "leak"; export const y = 1; export default 1;',
        { key, sourceType: 'module' },
      );
      expect(planted.outcome.warm).toBe(true);
      expect(json(planted.outcome)).toBe('1');
      const probe = await run(engine, 'export default () => [typeof x, ({}).polluted, typeof y];', {
        key,
        sourceType: 'module',
      });
      expect(probe.outcome.warm).toBe(true);
      expect(json(probe.outcome)).toBe('["undefined",null,"undefined"]');
    });
  });

  describe('keys', () => {
    it('never share an isolate, and state planted by one key is invisible to another', async () => {
      const a = await warmKey(engine, 'tenant-a');
      const b = freshKey('tenant-b');
      const planted = await run(
        engine,
        'globalThis.secret = "of-a"; Object.prototype.polluted = "by-a"; var seen = 1; "planted"',
        { key: a },
      );
      expect(planted.outcome.warm).toBe(true);
      const other = await run(engine, '[typeof secret, ({}).polluted, typeof seen]', { key: b });
      expect(other.outcome.warm).toBe(false);
      expect(json(other.outcome)).toBe('["undefined",null,"undefined"]');
      const otherAgain = await run(engine, '[typeof secret, ({}).polluted, typeof seen]', { key: b });
      expect(otherAgain.outcome.warm).toBe(true);
      expect(json(otherAgain.outcome)).toBe('["undefined",null,"undefined"]');
      expect((await run(engine, '1', { key: a })).outcome.warm).toBe(true);
    });

    it('a memory class is part of the key', async () => {
      const key = await warmKey(engine, 'memory-class');
      const other = await run(engine, '1', { key, limits: { memoryMib: 32 } });
      expect(other.outcome.warm).toBe(false);
      expect((await run(engine, '1', { key, limits: { memoryMib: 32 } })).outcome.warm).toBe(true);
      expect((await run(engine, '1', { key })).outcome.warm).toBe(true);
    });
  });

  describe('recycling', () => {
    it.each(ABNORMAL.map((a) => [a.name, a] as const))(
      'after %s the next run gets a fresh isolate',
      async (_name, a) => {
        const memoryMib = a.limits?.memoryMib ?? LIMITS.memoryMib;
        const key = await warmKey(engine, 'recycle', memoryMib);
        const controller = new AbortController();
        const timer =
          a.abortAfterMs === undefined ? undefined : setTimeout(() => controller.abort(), a.abortAfterMs);
        const bad = await run(engine, a.code, {
          key,
          sourceType: a.sourceType ?? 'script',
          limits: a.limits ?? {},
          signal: controller.signal,
        });
        clearTimeout(timer);
        expect(bad.outcome.warm).toBe(true); // the abnormal end happened in a kept isolate
        expect(kindOf(bad.outcome)).toBe(a.kind);
        const next = await run(engine, 'typeof globalThis.x', { key, limits: { memoryMib } });
        expect(next.outcome.warm).toBe(false);
        expect(json(next.outcome)).toBe('"undefined"');
        // The fresh isolate is kept again after its clean run.
        expect((await run(engine, '1', { key, limits: { memoryMib } })).outcome.warm).toBe(true);
      },
    );

    it('a run that ends with its heap at 70% of the limit or more is not kept; below, it is', async () => {
      const limits = { memoryMib: 32 };
      const key = await warmKey(engine, 'heap', 32);
      const big = await run(engine, 'globalThis.keep = new Uint8Array(24 * 1024 * 1024); "big"', {
        key,
        limits,
      });
      expect(big.outcome.warm).toBe(true);
      expect(json(big.outcome)).toBe('"big"');
      expect(big.outcome.metrics.heapUsedBytes).toBeGreaterThan(32 * 1024 * 1024 * 0.7);
      expect((await run(engine, '1', { key, limits })).outcome.warm).toBe(false);

      const small = await run(engine, 'globalThis.keep = new Uint8Array(8 * 1024 * 1024); "small"', {
        key,
        limits,
      });
      expect(small.outcome.warm).toBe(true);
      expect(small.outcome.metrics.heapUsedBytes).toBeLessThan(32 * 1024 * 1024 * 0.7);
      const after = await run(engine, 'typeof keep', { key, limits });
      expect(after.outcome.warm).toBe(true);
      expect(json(after.outcome)).toBe('"undefined"');
    });

    it(`is recycled after ${CONTEXT_ISOLATE_MAX_RUNS} runs`, { timeout: 60_000 }, async () => {
      const key = freshKey('max-runs');
      const cold: number[] = [];
      /** Heap after the run before each cold one (a heap at 70% of the limit is not kept either). */
      const heapBefore: number[] = [];
      let lastHeap = 0;
      // Released contexts stay on the heap until V8 collects them (about 80 KiB a run seen here,
      // 47 MB by run 568 once in CI), and a heap at 70% of the limit is not kept: a roomy memory
      // class keeps this test about the run count alone.
      const limits = { memoryMib: 512 };
      for (let i = 0; i <= CONTEXT_ISOLATE_MAX_RUNS + 1; i++) {
        const { outcome } = await run(engine, '1', { key, limits });
        if (outcome.status !== 'ok') throw new Error(`run ${i} failed: ${JSON.stringify(outcome.failure)}`);
        if (outcome.warm !== true) {
          cold.push(i);
          heapBefore.push(lastHeap);
        }
        lastHeap = outcome.metrics.heapUsedBytes;
      }
      // Run 0 is cold; the isolate then serves runs 0 … MAX-1 (MAX runs in all) and is disposed
      // after the last of them; run MAX takes a fresh isolate, which run MAX+1 reuses.
      expect(cold, `cold runs (heap after the run before each: ${heapBefore.join(', ')} bytes)`).toEqual([
        0,
        CONTEXT_ISOLATE_MAX_RUNS,
      ]);
    });

    it('forgetWarm drops the isolates kept for a key, in every memory class, and only those', async () => {
      const key = await warmKey(engine, 'forget');
      const roomy = { memoryMib: 256 };
      expect((await run(engine, '1', { key, limits: roomy })).outcome.warm).toBe(false);
      expect((await run(engine, '1', { key, limits: roomy })).outcome.warm).toBe(true);
      const other = await warmKey(engine, 'forget-other');
      expect(engine.forgetWarm({ isolateKey: key })).toBe(2);
      expect((await run(engine, '1', { key })).outcome.warm).toBe(false);
      expect((await run(engine, '1', { key, limits: roomy })).outcome.warm).toBe(false);
      expect((await run(engine, '1', { key: other })).outcome.warm).toBe(true);
    });

    it('malformed input JSON throws INVALID_ARGUMENT as without a key, and the key still works', async () => {
      const key = await warmKey(engine, 'bad-input');
      const invalid = { name: 'InvalidArgumentError', details: { field: 'inputJson' } };
      await expect(run(engine, '1', { key, inputJson: '{' })).rejects.toMatchObject(invalid);
      await expect(run(engine, '1', { inputJson: '{' })).rejects.toMatchObject(invalid);
      // A warm run starts and evaluates in one call (\`start-eval\`): bad input must stop it
      // before any tenant code runs.
      const other = await warmKey(engine, 'bad-input-first');
      const seen: string[] = [];
      const outcome = engine.run(
        {
          code: 'console.log("the code ran"); 1',
          sourceType: 'script',
          inputJson: '{',
          filename: 'main.js',
          limits: LIMITS,
          isolateKey: other,
        },
        { onOutput: (e) => seen.push(e.text) },
      );
      await expect(outcome).rejects.toMatchObject(invalid);
      expect(seen).toEqual([]);
      const after = await run(engine, 'input.n', { key });
      expect(json(after.outcome)).toBe('21');
      expect((await run(engine, 'input.n', { key })).outcome.warm).toBe(true);
    });
  });

  describe('leftover async work', () => {
    it('FinalizationRegistry callbacks, promise chains and unref’d timers of a run do not reach the next', async () => {
      const key = await warmKey(engine, 'leftover');
      const first = await run(
        engine,
        [
          'globalThis.leakCount = 0;',
          // At most a few lines: past the console rate limit the first run itself would fail.
          'const fr = new FinalizationRegistry((held) => { if (globalThis.leakCount++ < 5) console.log("LEAK fr " + held); });',
          'for (let i = 0; i < 2000; i++) fr.register({ i }, i);',
          'let p = Promise.resolve();',
          'for (let i = 0; i < 100; i++) p = p.then(() => i);',
          'p.then(() => console.log("chain done"));',
          'setTimeout(() => console.log("LEAK unref timer"), 1).unref();',
          'new Promise(() => {}).then(() => console.log("LEAK never"));',
          'for (let i = 0; i < 1000; i++) fr.register({ i }, i);',
          FULL_GC,
          '"registered"',
        ].join('\n'),
        { key },
      );
      expect(first.outcome.warm).toBe(true);
      expect(json(first.outcome)).toBe('"registered"');
      expect(first.output).toContain('stdout:chain done');

      const second = await run(
        engine,
        [
          FULL_GC,
          'for (let i = 0; i < 3; i++) await new Promise((r) => setTimeout(r, 5));',
          FULL_GC,
          'await new Promise((r) => setTimeout(r, 5));',
          'console.log("second");',
          '({ leak: typeof leakCount, n: input.n })',
        ].join('\n'),
        { key },
      );
      expect(second.outcome.warm).toBe(true);
      expect(json(second.outcome)).toBe('{"leak":"undefined","n":21}');
      expect(second.output).toEqual(['stdout:second']);
    });

    it('a FinalizationRegistry callback that runs after the result is held to the run limits and recycles the isolate', async () => {
      // The callback is queued by the full GC at the end of the script and runs on the isolate's
      // thread after the driver call returned. The engine's later calls are asynchronous (raced
      // against the limits, or bounded by CONTEXT_PREPARE_TIMEOUT_MS), so the host's event loop
      // never waits for the callback and the isolate is recycled.
      const key = await warmKey(engine, 'fr-late');
      let last = performance.now();
      let maxGapMs = 0;
      const beat = setInterval(() => {
        const now = performance.now();
        maxGapMs = Math.max(maxGapMs, now - last);
        last = now;
      }, 10);
      const late = await run(
        engine,
        [
          'const fr = new FinalizationRegistry(() => { const end = Date.now() + 1000; while (Date.now() < end) {} });',
          'fr.register({ i: 1 }, 1);',
          FULL_GC,
          '"done"',
        ].join('\n'),
        { key, limits: { wallTimeMs: 300, cpuTimeMs: 200 } },
      );
      await new Promise((resolve) => setTimeout(resolve, 30));
      clearInterval(beat);
      expect(late.outcome.warm).toBe(true);
      // Ended by the run's limits (TIMEOUT), or answered before the callback started; either
      // way the isolate is not used again (its next context cannot be made in time).
      expect.soft(kindOf(late.outcome)).toMatch(/^(ok|TIMEOUT)$/);
      expect.soft(maxGapMs, 'the host event loop was blocked (ms)').toBeLessThan(600);
      expect.soft((await run(engine, '1', { key })).outcome.warm, 'the isolate was kept').toBe(false);
    });

    it('tenant code still running after its result is stopped by its CPU, not the 1 s backstop', async (t) => {
      const recycled: Record<string, unknown>[] = [];
      const logger = { ...NOOP_LOGGER, debug: (fields: Record<string, unknown>) => recycled.push(fields) };
      await withEngine({ ...variant, logger }, async (own) => {
        // A callback that would loop for 3 s, queued by the GC at the end of the script. When it
        // starts after the result (the usual order; otherwise the run's own limits end it, the
        // test above), the next context waits behind it: the isolate must be recycled once the
        // callback has used CONTEXT_LEFTOVER_CPU_MS, long before CONTEXT_PREPARE_TIMEOUT_MS.
        const code = [
          'const fr = new FinalizationRegistry(() => { const end = Date.now() + 3000; while (Date.now() < end) {} });',
          'fr.register({ i: 1 }, 1);',
          FULL_GC,
          '"done"',
        ].join('\n');
        let answered = false;
        for (let attempt = 0; attempt < 5 && !answered; attempt++) {
          const key = await warmKey(own, 'leftover-cpu');
          const late = await run(own, code, { key, limits: { wallTimeMs: 300, cpuTimeMs: 200 } });
          if (late.outcome.status !== 'ok') continue;
          answered = true;
          for (let i = 0; i < 300 && recycled.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
          expect(recycled[0]).toMatchObject({ reason: 'cpu' });
          expect(recycled[0]?.['cpu_ms']).toBeLessThan(CONTEXT_PREPARE_TIMEOUT_MS);
          expect((await run(own, '1', { key })).outcome.warm).toBe(false);
        }
        // On a heavily loaded machine the callback can start before the result every time; the
        // run's limits then end it (the test above covers that order), and this one has nothing
        // to check.
        if (!answered) t.skip('the callback started before the result in all 5 attempts (a loaded machine)');
      });
    });

    it('a run whose pending interval hits the wall limit is recycled', async () => {
      const key = await warmKey(engine, 'interval');
      const ticking = await run(engine, 'setInterval(() => console.log("tick"), 10); "x"', {
        key,
        limits: { wallTimeMs: 100 },
      });
      expect(ticking.outcome.warm).toBe(true);
      expect(kindOf(ticking.outcome)).toBe('TIMEOUT');
      const next = await run(engine, 'await new Promise((r) => setTimeout(r, 30)); "quiet"', { key });
      expect(next.outcome.warm).toBe(false);
      expect(json(next.outcome)).toBe('"quiet"');
      expect(next.output).toEqual([]);
    });
  });

  describe('concurrency and bounds', () => {
    it('concurrent runs of one key get separate isolates, each with its own globals', async () => {
      await withEngine(variant, async (own) => {
        const key = freshKey('concurrent');
        const code = [
          'const before = typeof globalThis.mine;',
          'globalThis.mine = input.v;',
          'await new Promise((r) => setTimeout(r, 10));',
          '({ before, v: input.v, mine: globalThis.mine })',
        ].join('\n');
        const batch = async (): Promise<boolean[]> => {
          const values = Array.from({ length: 6 }, () => Math.random());
          const runs = await Promise.all(
            values.map((v) => run(own, code, { key, inputJson: JSON.stringify({ v }) })),
          );
          runs.forEach((r, i) => {
            expect(JSON.parse(json(r.outcome)!)).toEqual({
              before: 'undefined',
              v: values[i],
              mine: values[i],
            });
          });
          return runs.map((r) => r.outcome.warm === true);
        };
        expect(await batch()).toEqual([false, false, false, false, false, false]);
        expect(own.stats().tenantIsolates).toBe(4); // at most 4 per key
        expect((await batch()).filter(Boolean)).toHaveLength(4);
        expect(own.stats().tenantIsolates).toBe(4);
      });
    });

    it('keeps at most 32 isolates in all (least recently used dropped)', async () => {
      await withEngine(variant, async (own) => {
        const keys = Array.from({ length: 34 }, () => freshKey('lru'));
        for (const key of keys) expect((await run(own, '1', { key })).outcome.warm).toBe(false);
        expect(own.stats().tenantIsolates).toBe(32);
        expect((await run(own, '1', { key: keys[33]! })).outcome.warm).toBe(true);
        expect((await run(own, '1', { key: keys[0]! })).outcome.warm).toBe(false);
      });
    });

    it('dispose() frees kept isolates, and later runs are refused', async () => {
      const own = new Engine({ warmIsolatesPerClass: 1, ...variant });
      const key = freshKey('dispose');
      await run(own, '1', { key });
      expect(own.stats().tenantIsolates).toBe(1);
      own.dispose();
      expect(own.stats().tenantIsolates).toBe(0);
      await expect(run(own, '1', { key })).rejects.toMatchObject({ code: 'SHUTTING_DOWN' });
    });
  });
});

describe('isolation context: snapshot and non-snapshot engines agree', () => {
  let snap: Engine;
  let plain: Engine;
  beforeAll(() => {
    snap = new Engine({ warmIsolatesPerClass: 1, isolateSnapshot: true });
    plain = new Engine({ warmIsolatesPerClass: 1, isolateSnapshot: false });
  });
  afterAll(() => {
    snap.dispose();
    plain.dispose();
  });

  it.each<[string, string, SourceType]>([
    [
      'a script value with console output',
      'console.log("a", { b: [1, 2] }); console.error("e"); ({ x: input.n * 2 })',
      'script',
    ],
    ['a module default export', 'export default (input) => ({ doubled: input.n * 2 });', 'module'],
    ['an awaited timer', 'await new Promise((r) => setTimeout(r, 5)); "late"', 'script'],
    ['the probe', PROBE, 'script'],
    ['a thrown error', 'function f() { throw new TypeError("nope"); }\nf();', 'script'],
  ])('%s in a warm isolate', async (_name, code, sourceType) => {
    const key = freshKey('agree');
    const results: Ran[] = [];
    for (const engine of [snap, plain]) {
      expect((await run(engine, '1', { key })).outcome.warm).toBe(false);
      const warm = await run(engine, code, { key, sourceType });
      expect(warm.outcome.warm).toBe(true);
      results.push(warm);
    }
    const [a, b] = results as [Ran, Ran];
    expectSameOutcome(a, b);
  });
});
