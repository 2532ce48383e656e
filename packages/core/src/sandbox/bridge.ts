/**
 * The ONLY place that constructs `ivm.Callback`s or passes values into an isolate's sandbox.
 *
 * isolation: what crosses the boundary, in each direction, is listed at each crossing below.
 * The rule (DESIGN.md): only copies and Callbacks with copied arguments enter an isolate; no
 * `Reference`, `ExternalCopy`, host object or host function is ever reachable from tenant code.
 */
import { randomBytes } from 'node:crypto';
import ivm from 'isolated-vm';
import type { ConsoleLevel } from '../engine/types.js';
import { BOOTSTRAP_FILENAME, BOOTSTRAP_SOURCE } from './bootstrap.js';

/** Where a sandbox's console output goes. Swapped per run by the engine. */
export interface SandboxSink {
  /** A formatted console line, already counted against the limits inside the isolate. */
  onOutput(level: ConsoleLevel, text: string, timeMs: number): void;
  /** One bridge call arrived (a batch or a limit notice). */
  onBridgeCall(): void;
  /** The in-isolate console refused a line: the run must end with OUTPUT_LIMIT. */
  onOutputLimit(reason: 'bytes' | 'rate'): void;
  /**
   * Tenant code called a capability (`kv.get(…)`): answer later through the driver's
   * `cap-resolve` with the same id. `argsJson` was serialized inside the isolate.
   */
  onCapabilityCall?(id: number, capability: string, op: string, argsJson: string): void;
}

/** Longest capability call payload accepted from an isolate, characters. */
const MAX_CAPABILITY_PAYLOAD = 1_200_000;

/** What the driver reports after each call (copied out of the isolate). */
export interface DriverStatus {
  state: 'idle' | 'pending' | 'ok' | 'error' | 'bad-input';
  /** A ref'd timer is pending: the run stays alive. */
  alive: boolean;
  /** Milliseconds until the earliest timer is due, -1 if none. */
  nextTimerMs: number;
  /** Bridge calls made so far (the host waits until it has seen them all). */
  emitted: number;
  /** Console lines not sent through the bridge yet: flat [level, text, timeMs, …]. */
  output: unknown[];
  outputBlocked: boolean;
  failure: { kind: string; name: string; message: string; stack: string } | null;
  /** The last eval threw a SyntaxError: the host compiles the code to confirm and locate it. */
  syntaxCandidate?: boolean;
  /** Set on the final `ok` status only. */
  json?: string;
  hasJson?: boolean;
  preview?: string;
  /** Set with `bad-input`. */
  message?: string;
}

/** A sandbox installed in a context: the host's handle on its driver, and its output sink. */
export interface Sandbox {
  /** Host-side only. Never passed into any isolate. */
  readonly driver: ivm.Reference<(op: string, arg?: unknown, arg2?: unknown, arg3?: unknown) => unknown>;
  sink: SandboxSink | null;
}

const LEVELS: ReadonlySet<string> = new Set(['log', 'info', 'warn', 'error', 'debug']);

let bootstrapCache: ivm.ExternalCopy<ArrayBuffer> | undefined;

function compileOptions(): ivm.ScriptInfo {
  // V8 code cache produced by the first isolate of this process, consumed by the others.
  return bootstrapCache
    ? { filename: BOOTSTRAP_FILENAME, cachedData: bootstrapCache }
    : { filename: BOOTSTRAP_FILENAME, produceCachedData: true };
}

function keepCache(script: ivm.Script): void {
  const produced = (script as ivm.Script & ivm.CachedDataResult).cachedData;
  if (bootstrapCache === undefined && produced !== undefined) bootstrapCache = produced;
}

/**
 * Installs the sandbox in `context`: compiles and runs the bootstrap, hands it the output
 * Callback and a random seed, and keeps a host-side Reference to the driver it returns.
 * Asynchronous: the work runs on isolated-vm's thread, not on the host's event loop, so a pool
 * refill does not stall IPC or other runs.
 */
export async function installSandbox(isolate: ivm.Isolate, context: ivm.Context): Promise<Sandbox> {
  const script = await isolate.compileScript(BOOTSTRAP_SOURCE, compileOptions());
  keepCache(script);
  return callFactory((await script.run(context, { reference: true, release: true })) as BootstrapFactory);
}

/** Calls the bootstrap factory on isolated-vm's thread and keeps a host-side Reference to the driver. */
async function callFactory(factory: BootstrapFactory): Promise<Sandbox> {
  const sandbox: { driver: Sandbox['driver'] | null; sink: SandboxSink | null } = {
    driver: null,
    sink: null,
  };
  // isolation: in — the output Callback (see createEmitCallback) and a hex string; out — a
  // Reference to the in-isolate driver, which stays on the host and is never passed back in.
  const driver = (await factory.apply(undefined, [createEmitCallback(sandbox), seedHex()], {
    result: { reference: true },
  })) as Sandbox['driver'];
  factory.release();
  sandbox.driver = driver;
  return sandbox as Sandbox;
}

/** The synchronous twin of {@link installSandbox}, for a take from an empty pool. */
export function installSandboxSync(isolate: ivm.Isolate, context: ivm.Context): Sandbox {
  const script = isolate.compileScriptSync(BOOTSTRAP_SOURCE, compileOptions());
  keepCache(script);
  return callFactorySync(script.runSync(context, { reference: true, release: true }) as BootstrapFactory);
}

/** The bootstrap's completion value: the factory that installs the sandbox and returns the driver. */
type BootstrapFactory = ivm.Reference<(emit: unknown, seedHex: string) => unknown>;

/** Calls the bootstrap factory synchronously and keeps a host-side Reference to the driver. */
function callFactorySync(factory: BootstrapFactory): Sandbox {
  const sandbox: { driver: Sandbox['driver'] | null; sink: SandboxSink | null } = {
    driver: null,
    sink: null,
  };
  // isolation: as in installSandbox.
  const driver = factory.applySync(undefined, [createEmitCallback(sandbox), seedHex()], {
    result: { reference: true },
  }) as Sandbox['driver'];
  factory.release();
  sandbox.driver = driver;
  return sandbox as Sandbox;
}

/** The global that holds the bootstrap factory inside a snapshot, deleted before any tenant code. */
const SNAPSHOT_GLOBAL = '__vmdBootstrap';

/**
 * Warm-up for {@link createSandboxSnapshot}: V8 runs it in a throwaway context and keeps the
 * machine code it compiled (not its heap effects), so the hot path of every isolate created from
 * the snapshot is compiled already.
 */
const SNAPSHOT_WARMUP = `{
  const d = globalThis.${SNAPSHOT_GLOBAL}(function () {}, '00'.repeat(32));
  d('start', JSON.stringify({ resultBytes: 1 << 20, outputBytes: 1 << 20, consoleLinesPerSecond: 1000, inputJson: '{"a":1}' }));
  d('eval', 'console.log("x", { a: [1, 2] }); ({ n: 1, s: "x", l: [true, null] })', 'file:///main.js');
  d('status');
}`;

/**
 * A V8 startup snapshot holding the compiled bootstrap (`EngineOptions.isolateSnapshot`, on by default).
 * Only vmd's own bootstrap source goes in — never tenant code (a snapshot contains machine code).
 * Returns null when V8 refuses to build it (isolated-vm marks snapshots as fragile); the caller
 * then installs the sandbox the ordinary way.
 */
export function createSandboxSnapshot(): ivm.ExternalCopy<ArrayBuffer> | null {
  try {
    return ivm.Isolate.createSnapshot(
      [{ code: `globalThis.${SNAPSHOT_GLOBAL} = ${BOOTSTRAP_SOURCE};`, filename: BOOTSTRAP_FILENAME }],
      SNAPSHOT_WARMUP,
    );
  } catch {
    return null;
  }
}

/**
 * Installs the sandbox in a fresh context of an isolate created from
 * {@link createSandboxSnapshot}, in one synchronous call: a closure, run before any tenant code,
 * takes the factory off the global object (so tenant code never sees it) and calls it.
 */
export function installSandboxFromSnapshot(context: ivm.Context): Sandbox {
  const sandbox: { driver: Sandbox['driver'] | null; sink: SandboxSink | null } = {
    driver: null,
    sink: null,
  };
  // isolation: in — the output Callback (see createEmitCallback) and a hex string, as the
  // closure's copied arguments; out — a Reference to the in-isolate driver, host-side only.
  sandbox.driver = context.evalClosureSync(TAKE_AND_CALL_FACTORY, [createEmitCallback(sandbox), seedHex()], {
    result: { reference: true },
  }) as Sandbox['driver'];
  return sandbox as Sandbox;
}

/**
 * {@link installSandboxFromSnapshot} on isolated-vm's thread, for an isolate that served runs
 * before: it may still be running their leftovers (a FinalizationRegistry callback), which a
 * synchronous call would wait for on the host's event loop. One trip to that thread: a closure,
 * run in the new context before any tenant code, takes the factory off the global object and
 * calls it.
 */
export async function installSandboxFromSnapshotAsync(context: ivm.Context): Promise<Sandbox> {
  const sandbox: { driver: Sandbox['driver'] | null; sink: SandboxSink | null } = {
    driver: null,
    sink: null,
  };
  // isolation: in — the output Callback (see createEmitCallback) and a hex string, as the
  // closure's copied arguments; out — a Reference to the in-isolate driver, host-side only.
  sandbox.driver = (await context.evalClosure(
    TAKE_AND_CALL_FACTORY,
    [createEmitCallback(sandbox), seedHex()],
    { result: { reference: true } },
  )) as Sandbox['driver'];
  return sandbox as Sandbox;
}

/** The closure of {@link installSandboxFromSnapshotAsync}: `$0` the output Callback, `$1` the seed. */
const TAKE_AND_CALL_FACTORY = `
  const factory = globalThis.${SNAPSHOT_GLOBAL};
  delete globalThis.${SNAPSHOT_GLOBAL};
  if (typeof factory !== 'function') throw new Error('the isolate snapshot holds no sandbox bootstrap');
  return factory($0, $1);`;

/** Validates a copied batch `[level, text, timeMs, …]` and hands each line to the sink. */
export function deliverOutput(sink: SandboxSink, batch: unknown): void {
  if (!Array.isArray(batch)) return;
  for (let i = 0; i + 2 < batch.length; i += 3) {
    const level: unknown = batch[i];
    const text: unknown = batch[i + 1];
    const timeMs: unknown = batch[i + 2];
    if (typeof level !== 'string' || !LEVELS.has(level) || typeof text !== 'string') continue;
    sink.onOutput(
      level as ConsoleLevel,
      text,
      typeof timeMs === 'number' && Number.isFinite(timeMs) ? timeMs : Date.now(),
    );
  }
}

/** Random bytes drawn ahead, 32 per isolate: one getrandom call per 64 isolates, not per isolate. */
const SEED_BYTES = 32;
let seedPool = Buffer.alloc(0);
let seedOffset = 0;

/** isolation: 32 random bytes cross as a hex string (a copy), keying the in-isolate CSPRNG. */
function seedHex(): string {
  if (seedOffset + SEED_BYTES > seedPool.length) {
    seedPool = randomBytes(SEED_BYTES * 64);
    seedOffset = 0;
  }
  const hex = seedPool.toString('hex', seedOffset, seedOffset + SEED_BYTES);
  seedPool.fill(0, seedOffset, seedOffset + SEED_BYTES); // a seed is never held after its use
  seedOffset += SEED_BYTES;
  return hex;
}

function createEmitCallback(sandbox: { sink: SandboxSink | null }): ivm.Callback {
  // isolation: this Callback is the only host function an isolate ever sees, and only the
  // bootstrap closure holds it (never a global). isolated-vm copies its arguments into the
  // host (primitives: strings and a number, validated below) and, being `ignored`, it returns
  // nothing and never blocks the isolate (DESIGN: a sync bridge defeats the timeout).
  return new ivm.Callback(
    (kind: unknown, payload: unknown): void => {
      const sink = sandbox.sink;
      if (sink === null || typeof kind !== 'string') return;
      if (kind === 'cap') {
        // isolation: one copied string, "capability\nop\nid\njson", checked field by field.
        if (typeof payload !== 'string' || payload.length > MAX_CAPABILITY_PAYLOAD) return;
        const [capability = '', op = '', id = ''] = payload.split('\n', 3);
        const json = payload.slice(capability.length + op.length + id.length + 3);
        const n = Number(id);
        if (
          !/^[a-z]{1,16}$/.test(capability) ||
          !/^[a-z]{1,16}$/.test(op) ||
          !Number.isSafeInteger(n) ||
          n < 1
        )
          return;
        sink.onCapabilityCall?.(n, capability, op, json);
        return;
      }
      sink.onBridgeCall();
      if (kind === 'limit') {
        sink.onOutputLimit(payload === 'rate' ? 'rate' : 'bytes');
      } else if (kind === 'batch') {
        deliverOutput(sink, payload);
      }
    },
    { ignored: true },
  );
}
