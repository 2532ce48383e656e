/**
 * The engine: runs one {@link ExecutionRequest} in a fresh, pre-warmed isolate and returns its
 * {@link ExecutionOutcome}. Tenant-code failures (syntax, exceptions, every limit, cancel) are
 * outcomes, never exceptions; `run()` throws only for platform conditions (shutting down, too
 * many concurrent runs, code over its size limit, malformed input JSON) as {@link VmdError}s.
 *
 * Run semantics (docs/results.md): the result is the settled completion value (script) or the
 * default export, called with the input if it is a function (module). Like Node, the run then
 * keeps going while ref'd timers are pending, streaming their output, and ends when none is left
 * (or at the wall limit). An uncaught exception or unhandled rejection at any point ends the run
 * with RUNTIME. A result promise that can no longer settle (nothing is pending) ends the run at
 * once with RUNTIME ("never settled") instead of idling until the wall limit.
 */
import os from 'node:os';
import type ivm from 'isolated-vm';
import { classifyIsolateError, mayBeTopLevelAwaitMessage } from '../errors/classify-isolate-error.js';
import { ErrorCode } from '../errors/codes.js';
import { FailureKind, type ExecutionFailure } from '../errors/execution-failure.js';
import { tenantLocation, trimStack } from '../errors/trim-stack.js';
import { InvalidArgumentError, ResourceExhaustedError, UnavailableError } from '../errors/vmd-error.js';
import { DEFAULT_LIMITS } from '../limits/limits.js';
import { NOOP_LOGGER, type Logger } from '../logging/logger.js';
import {
  createSandboxSnapshot,
  deliverOutput,
  type DriverStatus,
  type Sandbox,
  type SandboxSink,
} from '../sandbox/bridge.js';
import { compileModule, compileScript, explainDynamicImport, tenantUrl } from './compile.js';
import { RETURN_PREFIX, returnLastExpression, topLevelAwaitRewrite } from './completion-value.js';
import { analyzeFile, normalizeBundlePath, type BundleFile } from '../functions/bundle.js';
import { linkBundle } from '../functions/link.js';
import { WarmInstances } from '../functions/warm-instances.js';
import { CapabilityCalls, type CapabilityHandler } from '../sandbox/capability-calls.js';
import { ReplSession } from '../repl/session.js';
import type { Limits } from '../limits/limits.js';
import { collectExecutionMetrics, noRunMetrics } from './execution-metrics.js';
import { hostCpuLedger } from './host-cpu-ledger.js';
import { IsolatePool, type PooledIsolate } from './isolate-pool.js';
import { RunLimits, RunStoppedSignal, type StopReason } from './run-limits.js';
import type { ExecutionMetrics, ExecutionOutcome, ExecutionRequest, OutputEvent, RunPhase } from './types.js';

/** What callers pass to `new Engine()`. Every field is optional. */
export interface EngineOptions {
  /** Ready isolates kept per memory class. @default 2 */
  warmIsolatesPerClass?: number;
  /** Memory classes (MiB) warmed when the engine starts. @default [DEFAULT_LIMITS.memoryMib] (64) */
  prewarmMemoryMib?: number[];
  /** Distinct memory classes kept warm at once (least recently used dropped). @default 4 */
  maxMemoryClasses?: number;
  /**
   * Runs in flight at once; `run()` beyond this throws CONCURRENCY_LIMITED. DESIGN: about
   * cores + 1 per worker, because many in-flight isolate calls starve the event loop.
   * @default os.availableParallelism() + 1
   */
  maxConcurrentRuns?: number;
  /** How often cpu time (and heap, for the peak) is sampled while a run is live, ms. @default 10 */
  cpuPollIntervalMs?: number;
  /** Longest wait for console output still in flight when a run ends, ms. @default 1000 */
  outputDrainMs?: number;
  /** Where the engine logs (pino-compatible subset). @default NOOP_LOGGER */
  logger?: Logger;
  /**
   * Called when an isolate call is still running `stuckGraceMs` after its isolate was disposed
   * (V8 stuck in last-resort GC, or isolated-vm converting a hostile thrown object): a thread of
   * this process keeps spinning and only exiting the process ends it. The worker drains and
   * exits so the supervisor replaces it. @default logs at error level
   */
  onStuckIsolate?: () => void;
  /** Grace after a stop before an unfinished isolate call counts as stuck, ms. @default 1000 */
  stuckGraceMs?: number;
  /**
   * Called when isolated-vm reports a catastrophic error (V8 lost control of an isolate). The
   * process should stop taking work and exit. @default logs at error level
   */
  onCatastrophicError?: (message: string) => void;
  /**
   * Create isolates from a V8 startup snapshot that holds the compiled sandbox bootstrap, which
   * cuts the cost of each fresh isolate (figures in docs/performance.md). The snapshot holds
   * only vmd's bootstrap (function definitions, the kind of code isolated-vm says snapshots
   * suit); the engine falls back to the ordinary bootstrap when V8 refuses to build it.
   * @default true
   */
  isolateSnapshot?: boolean;
}

/** {@link EngineOptions} with every default filled in. */
export type ResolvedEngineOptions = Required<EngineOptions>;

/** Fills in the defaults of {@link EngineOptions} (the only place they live). */
export function resolveEngineOptions(options: EngineOptions = {}): ResolvedEngineOptions {
  const logger = options.logger ?? NOOP_LOGGER;
  return {
    warmIsolatesPerClass: options.warmIsolatesPerClass ?? 2,
    prewarmMemoryMib: options.prewarmMemoryMib ?? [DEFAULT_LIMITS.memoryMib],
    maxMemoryClasses: options.maxMemoryClasses ?? 4,
    maxConcurrentRuns: options.maxConcurrentRuns ?? os.availableParallelism() + 1,
    isolateSnapshot: options.isolateSnapshot ?? true,
    cpuPollIntervalMs: options.cpuPollIntervalMs ?? 10,
    outputDrainMs: options.outputDrainMs ?? 1000,
    logger,
    stuckGraceMs: options.stuckGraceMs ?? 1000,
    onStuckIsolate:
      options.onStuckIsolate ??
      (() =>
        logger.error({ component: 'engine' }, 'isolate still running after dispose; recycle this process')),
    onCatastrophicError:
      options.onCatastrophicError ??
      ((message: string) =>
        logger.error({ component: 'engine', err: message }, 'isolated-vm catastrophic error')),
  };
}

/** Live numbers of an engine. */
export interface EngineStats {
  /** Runs in flight. */
  running: number;
  /** Ready isolates in the pool. */
  isolatesWarm: number;
  /** Runs finished (any outcome) since the engine started. */
  runsCompleted: number;
  /** Isolate calls that never ended after their isolate was disposed (threads still spinning). */
  stuckIsolates: number;
  /** Open REPL sessions (each holds one isolate). */
  replSessions: number;
  /** Warm instances of deployed functions kept. */
  warmInstances: number;
  /** Warm isolates kept for tenants in isolation `context`. */
  tenantIsolates: number;
}

/** One invocation of a deployed function version. */
export interface InvokeRequest {
  /** Warm-instance key: tenant, function, version and bundle hash (never shared across them). */
  key: string;
  files: BundleFile[];
  entry: string;
  /** JSON text of the event ('' → null). */
  eventJson: string;
  /** What the handler's `ctx` carries (plus `getRemainingTimeInMillis()`). */
  ctx: {
    tenant: string;
    functionName: string;
    version: number;
    requestId: string;
    env: Record<string, string>;
  };
  limits: Limits;
  /** A fresh isolate for this invocation, disposed after it (no warm instance). */
  fresh: boolean;
}

/** How an invocation ended, and whether it ran in a warm instance. */
export type InvokeOutcome = ExecutionOutcome & { warm: boolean };

/** Options of {@link Engine.openReplSession}. */
export interface OpenReplSessionOptions {
  /** Per-input limits; `memoryMib` is the session's heap. */
  limits: Limits;
  /** Output of timers that fire between inputs. */
  onBackgroundOutput?: (event: OutputEvent) => void;
}

/** Per-run callbacks. */
export interface RunHooks {
  /** Each console line, in order, while the run is live. Must not throw (errors are logged). */
  onOutput(event: OutputEvent): void;
  /** Aborting it cancels the run: the isolate is disposed and the outcome is CANCELLED. */
  signal?: AbortSignal;
  /**
   * Performs a capability call of the tenant's code (`kv.get(…)`) and answers JSON text
   * `{ ok, value }` or `{ ok: false, error: { name, message } }`. Without it every call fails
   * inside the sandbox with a PermissionError.
   */
  capability?: CapabilityHandler;
}

/**
 * Isolation `context`: runs one warm isolate serves before it is recycled, which bounds what
 * slow leaks (heap fragmentation, compiled code, FinalizationRegistry work) can accumulate.
 */
export const CONTEXT_ISOLATE_MAX_RUNS = 1000;

/**
 * Isolation `context`: longest time to make a kept isolate's next context (normally under a
 * millisecond; tens of ms on a loaded machine without the snapshot) before the isolate is
 * recycled instead: leftovers of the tenant's own earlier runs still running on its thread.
 * Only that tenant's next run waits for it.
 */
export const CONTEXT_PREPARE_TIMEOUT_MS = 1000;

/**
 * Isolation `context`: most time a kept isolate may spend running while its next context is made
 * before it is recycled instead (that work is a fraction of a millisecond; more is tenant code
 * still running after its result, such as a looping FinalizationRegistry callback). Read from
 * isolated-vm's `cpuTime`, which advances with the wall clock while the isolate runs (see
 * RunLimits.cpuChargeNs): the margin is for a context creation the OS deschedules on a loaded
 * machine, which must not recycle the isolate.
 */
export const CONTEXT_LEFTOVER_CPU_MS = 250;

/** How often the CPU of a kept isolate is read while its next context is made, ms. */
const LEFTOVER_POLL_MS = 10;

const STREAM_OF: Record<OutputEvent['level'], OutputEvent['stream']> = {
  log: 'stdout',
  info: 'stdout',
  debug: 'stdout',
  warn: 'stderr',
  error: 'stderr',
};

export class Engine {
  readonly options: ResolvedEngineOptions;
  private readonly pool: IsolatePool;
  private readonly live = new Set<RunLimits>();
  private running = 0;
  private runsCompleted = 0;
  private stuckIsolates = 0;
  private disposed = false;
  private readonly sessions = new Set<ReplSession>();
  private readonly warm = new WarmInstances();
  /** Isolation `context`: warm isolates by tenant and memory class (never shared across keys). */
  private readonly tenantIsolates = new WarmInstances({ maxPerKey: 4, maxTotal: 32 });
  /** Runs served by each isolate kept in {@link tenantIsolates}. */
  private readonly contextRuns = new WeakMap<ivm.Isolate, number>();
  /** The next context of each kept isolate, being made (undefined if that failed). */
  private readonly nextContexts = new WeakMap<PooledIsolate, Promise<PooledIsolate | undefined>>();

  constructor(options: EngineOptions = {}) {
    this.options = resolveEngineOptions(options);
    this.pool = new IsolatePool({
      warmPerClass: this.options.warmIsolatesPerClass,
      maxClasses: this.options.maxMemoryClasses,
      onCatastrophicError: this.options.onCatastrophicError,
      snapshot: this.options.isolateSnapshot ? createSandboxSnapshot() : null,
    });
    this.pool.prewarm(this.options.prewarmMemoryMib);
  }

  /**
   * Runs one execution. Resolves with an outcome for everything tenant code can cause.
   * @throws {UnavailableError} SHUTTING_DOWN after {@link Engine.dispose}.
   * @throws {ResourceExhaustedError} CONCURRENCY_LIMITED when `maxConcurrentRuns` are in flight.
   * @throws {InvalidArgumentError} CODE_TOO_LARGE (field `code`) when the code is larger than
   *   `limits.codeBytes` (the daemon should have refused it already), or INVALID_ARGUMENT (field
   *   `inputJson`) when the input is not valid JSON.
   */
  async run(request: ExecutionRequest, hooks: RunHooks): Promise<ExecutionOutcome> {
    if (this.disposed) throw new UnavailableError(ErrorCode.SHUTTING_DOWN, 'the engine is shutting down');
    const codeBytes = Buffer.byteLength(request.code, 'utf8');
    if (codeBytes > request.limits.codeBytes) {
      throw new InvalidArgumentError(
        'code',
        `the code is ${codeBytes} bytes, more than the limit of ${request.limits.codeBytes} bytes`,
        ErrorCode.CODE_TOO_LARGE,
      );
    }
    if (this.running >= this.options.maxConcurrentRuns) {
      throw new ResourceExhaustedError(
        ErrorCode.CONCURRENCY_LIMITED,
        `this worker already runs ${this.running} executions (its maximum)`,
        50,
      );
    }
    this.running++;
    try {
      return await this.execute(request, hooks);
    } finally {
      this.running--;
      this.runsCompleted++;
    }
  }

  /**
   * Disposes what a tenant's earlier runs left warm, so nothing of them serves a later run:
   * isolates kept for `isolateKey` (isolation `context`, every memory class) and warm function
   * instances whose key starts with `functionKeyPrefix`. The daemon sends this when a tenant is
   * deleted (a tenant created later under the same name is someone else) or its isolation
   * changes. Runs in flight keep their isolate until they end. Returns how many were dropped.
   */
  forgetWarm(what: { isolateKey?: string; functionKeyPrefix?: string }): number {
    let dropped = 0;
    const { isolateKey, functionKeyPrefix } = what;
    if (isolateKey !== undefined) {
      dropped += this.tenantIsolates.dropWhere((k) => k.startsWith(`${isolateKey}\u0000`));
    }
    if (functionKeyPrefix !== undefined && functionKeyPrefix !== '') {
      dropped += this.warm.dropWhere((k) => k.startsWith(functionKeyPrefix));
    }
    return dropped;
  }

  /** Live numbers (for `pong` and metrics). */
  stats(): EngineStats {
    return {
      running: this.running,
      isolatesWarm: this.pool.warmCount(),
      runsCompleted: this.runsCompleted,
      stuckIsolates: this.stuckIsolates,
      replSessions: this.sessions.size,
      warmInstances: this.warm.size,
      tenantIsolates: this.tenantIsolates.size,
    };
  }

  /**
   * Invokes a deployed function: in a warm instance of the same version when one is kept (its
   * bundle already evaluated), else in a fresh isolate that loads the bundle first (a cold
   * start). The invocation ends when the handler's value settles; an instance that ended
   * cleanly (no timer pending, no limit hit, heap below 70% of its limit) is kept warm unless
   * `fresh` was asked. Failures of the tenant's code are outcomes, as with {@link run}.
   */
  async invoke(request: InvokeRequest, hooks: RunHooks): Promise<InvokeOutcome> {
    if (this.disposed) throw new UnavailableError(ErrorCode.SHUTTING_DOWN, 'the engine is shutting down');
    if (this.running >= this.options.maxConcurrentRuns) {
      throw new ResourceExhaustedError(
        ErrorCode.CONCURRENCY_LIMITED,
        `this worker already runs ${this.running} executions (its maximum)`,
        50,
      );
    }
    this.running++;
    try {
      return await this.invokeNow(request, hooks);
    } finally {
      this.running--;
      this.runsCompleted++;
    }
  }

  private async invokeNow(request: InvokeRequest, hooks: RunHooks): Promise<InvokeOutcome> {
    const startedAtMs = performance.now();
    const asRequest: ExecutionRequest = {
      code: '',
      sourceType: 'module',
      inputJson: request.eventJson,
      filename: request.entry,
      limits: request.limits,
    };
    const acquireStart = epochNow();
    const warmEntry = request.fresh ? undefined : this.warm.take(request.key);
    const entry = warmEntry ?? this.pool.take(request.limits.memoryMib);
    const acquireEnd = epochNow();
    const { isolate, sandbox } = entry;
    const { limits, output, caps } = this.startRun(entry, request.limits, hooks);

    let result:
      | { ok: true; json: string | undefined; preview: string; timersIdle: boolean }
      | { ok: false; failure: ExecutionFailure };
    try {
      result = await this.driveInvoke(entry, request, limits, output, warmEntry === undefined, caps);
    } catch (err) {
      if (err instanceof InvalidArgumentError) {
        this.finish(entry, limits);
        throw err;
      }
      result = { ok: false, failure: this.failureFromError(err, limits, asRequest) };
    }
    caps.close();
    const metrics = await this.endOfRun(
      isolate,
      limits,
      startedAtMs,
      output.bytes,
      asRequest,
      (f) => {
        result = { ok: false, failure: f };
      },
      result.ok,
    );
    const heapCeiling = request.limits.memoryMib * 1024 * 1024;
    const reusable =
      !request.fresh &&
      result.ok &&
      result.timersIdle &&
      limits.reason === null &&
      !isolate.isDisposed &&
      metrics.heapUsedBytes < heapCeiling * 0.7;
    if (reusable) {
      limits.clear();
      this.live.delete(limits);
      sandbox.sink = null;
      this.warm.put(request.key, entry);
    } else {
      this.finish(entry, limits);
    }
    // After the caller's continuation (which sends the outcome) has run.
    if (warmEntry === undefined) setImmediate(() => this.pool.refill());
    const warm = warmEntry !== undefined;
    const phases = [
      { name: warm ? 'vmd.instance.warm' : 'vmd.isolate.acquire', startMs: acquireStart, endMs: acquireEnd },
      { name: warm ? 'vmd.isolate.run' : 'vmd.isolate.load-and-run', startMs: acquireEnd, endMs: epochNow() },
    ];
    return result.ok
      ? { status: 'ok', json: result.json, preview: result.preview, metrics, warm, phases }
      : { status: 'error', failure: result.failure, metrics, warm, phases };
  }

  private async driveInvoke(
    entry: PooledIsolate,
    request: InvokeRequest,
    limits: RunLimits,
    output: { received: number },
    cold: boolean,
    caps: CapabilityCalls,
  ): Promise<
    | { ok: true; json: string | undefined; preview: string; timersIdle: boolean }
    | { ok: false; failure: ExecutionFailure }
  > {
    const { isolate, context, sandbox } = entry;
    const { guard, call, settled } = this.driverCalls(entry, limits, output);
    const toFailure = (f: DriverStatus['failure']): { ok: false; failure: ExecutionFailure } => ({
      ok: false,
      failure: f === null ? unknownFailure() : tenantFailure(f.kind, f.name, f.message, f.stack),
    });

    if (cold) {
      const entryPath = normalizeBundlePath(request.entry) ?? request.entry;
      const entryFile = request.files.find((f) => normalizeBundlePath(f.path) === entryPath);
      const analyzed =
        entryFile === undefined ? undefined : analyzeFile({ path: entryPath, content: entryFile.content });
      if (analyzed !== undefined && 'kind' in analyzed && analyzed.kind === 'esm') {
        const hookName = (await guard(callDriverRaw(sandbox, limits, 'fn-arm'))) as string;
        const linked = await guard(linkBundle(isolate, context, request.files, request.entry, hookName));
        if (!linked.ok) return linked;
        limits.check();
        await guard(linked.value.evaluate({ timeout: limits.remainingMs() }));
        const st = await call('status');
        if (st.state === 'error') return toFailure(st.failure);
      } else {
        const files: Record<string, string> = Object.create(null) as Record<string, string>;
        for (const f of request.files) {
          const p = normalizeBundlePath(f.path);
          if (p !== undefined) files[p] = f.content;
        }
        const st = await call('fn-load-cjs', JSON.stringify(files), entryPath);
        if (st.state === 'error') return toFailure(st.failure);
      }
    }

    let status = await settled(
      'fn-invoke',
      JSON.stringify({
        resultBytes: request.limits.resultBytes,
        outputBytes: request.limits.outputBytes,
        consoleLinesPerSecond: request.limits.consoleLinesPerSecond,
        eventJson: request.eventJson,
        ctx: request.ctx,
        deadlineMs: Date.now() + limits.remainingMs(),
      }),
    );
    if (status.state === 'bad-input') {
      throw new InvalidArgumentError('event_json', `the event is not valid JSON: ${status.message ?? ''}`);
    }
    for (;;) {
      if (status.state === 'error') return toFailure(status.failure);
      if (status.state === 'ok') {
        await this.drainOutput(output, status.emitted);
        limits.check();
        if (!status.alive) {
          return {
            ok: true,
            json: status.hasJson === true ? status.json : undefined,
            preview: status.preview ?? '',
            timersIdle: true,
          };
        }
        const r = (await guard(callDriverRaw(sandbox, limits, 'repl-result'))) as {
          preview: string;
          json: string;
          hasJson: boolean;
        } | null;
        return {
          ok: true,
          json: r?.hasJson === true ? r.json : undefined,
          preview: r?.preview ?? '',
          timersIdle: false,
        };
      }
      if (!status.alive) {
        return {
          ok: false,
          failure: {
            kind: FailureKind.RUNTIME,
            name: 'Error',
            message:
              "The handler's result never settled: it is still pending but no timer or other work is left that could settle it",
            stack: '',
            line: 0,
            column: 0,
          },
        };
      }
      status = await advance(status, { call, settled }, limits, caps);
    }
  }

  /**
   * Opens a REPL session: an isolate of its own that keeps state across inputs (see
   * repl/session.ts). Close it with {@link Engine.closeReplSession}.
   * @throws {UnavailableError} SHUTTING_DOWN after {@link Engine.dispose}.
   */
  openReplSession(options: OpenReplSessionOptions): ReplSession {
    if (this.disposed) throw new UnavailableError(ErrorCode.SHUTTING_DOWN, 'the engine is shutting down');
    const session = new ReplSession({
      limits: { ...options.limits },
      ...(options.onBackgroundOutput ? { onBackgroundOutput: options.onBackgroundOutput } : {}),
      acquire: (memoryMib) => {
        const entry = this.pool.take(memoryMib);
        setImmediate(() => this.pool.refill());
        return entry;
      },
    });
    this.sessions.add(session);
    return session;
  }

  /** Ends a REPL session and frees its isolate. */
  closeReplSession(session: ReplSession): void {
    session.dispose();
    this.sessions.delete(session);
  }

  /** Cancels live runs (they resolve with CANCELLED), disposes the pool; later runs throw. */
  dispose(): void {
    this.disposed = true;
    for (const limits of this.live) limits.stop('engine-disposed');
    for (const session of this.sessions) session.dispose();
    this.sessions.clear();
    this.warm.clear();
    this.tenantIsolates.clear();
    this.pool.dispose();
  }

  private async execute(request: ExecutionRequest, hooks: RunHooks): Promise<ExecutionOutcome> {
    const startedAtMs = performance.now();
    if (hooks.signal?.aborted) {
      return {
        status: 'error',
        failure: stopFailure('cancelled', request),
        metrics: noRunMetrics(performance.now() - startedAtMs),
      };
    }
    const acquireStart = epochNow();
    const warmKey =
      request.isolateKey === undefined ? undefined : `${request.isolateKey}\u0000${request.limits.memoryMib}`;
    const warmEntry = warmKey === undefined ? undefined : await this.contextOfWarmIsolate(warmKey);
    const entry = warmEntry ?? this.pool.take(request.limits.memoryMib);
    const acquireEnd = epochNow();
    const marks: { compiled?: number; settling?: number } = {};
    const { isolate } = entry;
    const { limits, output, caps } = this.startRun(entry, request.limits, hooks);

    let result:
      { ok: true; json: string | undefined; preview: string } | { ok: false; failure: ExecutionFailure };
    try {
      result = await this.drive(entry, request, limits, output, caps, marks, warmEntry !== undefined);
    } catch (err) {
      if (err instanceof InvalidArgumentError) {
        this.finish(entry, limits);
        throw err;
      }
      result = { ok: false, failure: this.failureFromError(err, limits, request) };
    }
    caps.close();
    const metrics = await this.endOfRun(
      isolate,
      limits,
      startedAtMs,
      output.bytes,
      request,
      (f) => {
        result = { ok: false, failure: f };
      },
      result.ok,
    );
    if (
      warmKey !== undefined &&
      this.keepTenantIsolate(warmKey, entry, limits, result.ok, metrics, request)
    ) {
      // isolation `context`: the isolate stays warm for the tenant's next run.
    } else {
      this.finish(entry, limits);
    }
    // After the caller's continuation (which sends the outcome) has run.
    if (warmEntry === undefined) setImmediate(() => this.pool.refill());
    const phases = runPhases(acquireStart, acquireEnd, marks, epochNow(), warmEntry !== undefined);
    const warm = warmKey === undefined ? {} : { warm: warmEntry !== undefined };
    return result.ok
      ? { status: 'ok', json: result.json, preview: result.preview, metrics, phases, ...warm }
      : { status: 'error', failure: result.failure, metrics, phases, ...warm };
  }

  /**
   * Isolation `context`: a fresh context in a warm isolate kept for `key` (one tenant and memory
   * class), or undefined when none is kept (the run then takes a pooled isolate, which may be
   * kept for the key afterwards). A warm isolate serves one run at a time.
   */
  private async contextOfWarmIsolate(key: string): Promise<PooledIsolate | undefined> {
    for (;;) {
      const kept = this.tenantIsolates.take(key);
      if (kept === undefined) return undefined;
      const next = this.nextContexts.get(kept);
      this.nextContexts.delete(kept);
      const ready = await (next ?? this.prepareContext(kept));
      if (ready !== undefined && !ready.isolate.isDisposed) return ready;
    }
  }

  /**
   * The next context of a kept isolate, made on isolated-vm's thread (never synchronously: the
   * isolate may still run leftovers of the tenant's earlier run, such as a FinalizationRegistry
   * callback). Resolves undefined, with the isolate disposed, when that fails (its heap is
   * exhausted), when the isolate runs for more than {@link CONTEXT_LEFTOVER_CPU_MS} meanwhile (a
   * context costs well under a millisecond: the rest is tenant code running after its result,
   * which nobody is charged for), or after {@link CONTEXT_PREPARE_TIMEOUT_MS}.
   */
  private prepareContext(kept: PooledIsolate): Promise<PooledIsolate | undefined> {
    const { isolate } = kept;
    const cpuAtStart = safeCpuTime(isolate);
    return new Promise((resolve) => {
      let settled = false;
      const settle = (next: PooledIsolate | undefined, recycled?: 'cpu' | 'timeout' | 'failed'): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        clearInterval(watch);
        if (recycled !== undefined) {
          if (recycled !== 'failed') {
            const cpuMs = Number(safeCpuTime(isolate) - cpuAtStart) / 1e6;
            this.options.logger.debug(
              { component: 'engine', reason: recycled, cpu_ms: Math.round(cpuMs) },
              "tenant code kept running after its run's result; its isolate is recycled",
            );
          }
          if (!isolate.isDisposed) isolate.dispose();
        }
        resolve(next);
      };
      const timer = setTimeout(() => settle(undefined, 'timeout'), CONTEXT_PREPARE_TIMEOUT_MS);
      const watch = setInterval(() => {
        if (safeCpuTime(isolate) - cpuAtStart > BigInt(CONTEXT_LEFTOVER_CPU_MS) * 1_000_000n) {
          settle(undefined, 'cpu');
        }
      }, LEFTOVER_POLL_MS);
      this.pool.newContextAsync(isolate, kept.memoryMib).then(
        (next) => settle(next),
        () => settle(undefined, 'failed'),
      );
    });
  }

  /**
   * After a run in isolation `context`: keeps its isolate for the key's next run when the run
   * ended normally (a result, no limit hit, nothing pending), its heap is below 70% of the limit
   * and it has served fewer than {@link CONTEXT_ISOLATE_MAX_RUNS} runs. The run's context and
   * driver are released, so nothing of the run is reachable from the next one. Otherwise (any
   * failure, a limit, a cancel) the caller disposes the isolate: a recycled isolate carries
   * nothing of an abnormal run into the next.
   */
  private keepTenantIsolate(
    key: string,
    entry: PooledIsolate,
    limits: RunLimits,
    ok: boolean,
    metrics: ExecutionMetrics,
    request: ExecutionRequest,
  ): boolean {
    const { isolate } = entry;
    const runs = (this.contextRuns.get(isolate) ?? 0) + 1;
    const keep =
      ok &&
      !this.disposed &&
      limits.reason === null &&
      !isolate.isDisposed &&
      runs < CONTEXT_ISOLATE_MAX_RUNS &&
      metrics.heapUsedBytes < request.limits.memoryMib * 1024 * 1024 * 0.7;
    if (!keep) return false;
    limits.clear();
    this.live.delete(limits);
    entry.sandbox.sink = null;
    try {
      entry.sandbox.driver.release();
      entry.context.release();
    } catch {
      return false;
    }
    this.contextRuns.set(isolate, runs);
    this.tenantIsolates.put(key, entry);
    // The next run's context is made now, on isolated-vm's thread, off the next request's path.
    this.nextContexts.set(entry, this.prepareContext(entry));
    return true;
  }

  /** Starts enforcing a run's limits on `entry` and routes its output and capability calls. */
  private startRun(
    entry: PooledIsolate,
    runLimits: Limits,
    hooks: RunHooks,
  ): { limits: RunLimits; output: { bytes: number; received: number }; caps: CapabilityCalls } {
    const limits = new RunLimits(
      entry.isolate,
      runLimits,
      safeCpuTime(entry.isolate),
      this.options.cpuPollIntervalMs,
      hooks.signal,
    );
    this.live.add(limits);
    const output = { bytes: 0, received: 0 };
    const caps = new CapabilityCalls(hooks.capability);
    entry.sandbox.sink = this.sinkFor(limits, runLimits, hooks, output, caps);
    return { limits, output, caps };
  }

  /** The output sink of one run: counts bytes, stops the run past its limit, forwards lines. */
  private sinkFor(
    limits: RunLimits,
    runLimits: Limits,
    hooks: RunHooks,
    output: { bytes: number; received: number },
    caps: CapabilityCalls,
  ): SandboxSink {
    return {
      onCapabilityCall: (id, capability, op, argsJson) => {
        if (limits.reason === null) caps.onCall(id, capability, op, argsJson);
      },
      onBridgeCall: () => {
        limits.noteHostEvent();
        output.received++;
        limits.checkWallDeadline();
      },
      onOutput: (level, text, timeMs) => {
        if (limits.reason !== null) return;
        // isolation: defence in depth — the isolate already counted this line; the host
        // re-counts what it received and never forwards past the limit.
        output.bytes += Buffer.byteLength(text, 'utf8') + 1;
        if (output.bytes > runLimits.outputBytes) {
          limits.stop('output-bytes');
          return;
        }
        try {
          hooks.onOutput({ stream: STREAM_OF[level], level, text, timeMs });
        } catch (err) {
          this.options.logger.error({ component: 'engine', err }, 'onOutput hook threw');
        }
      },
      onOutputLimit: (reason) => {
        limits.stop(reason === 'rate' ? 'output-rate' : 'output-bytes');
      },
    };
  }

  private finish(entry: PooledIsolate, limits: RunLimits): void {
    const stopped = limits.reason !== null;
    limits.clear();
    this.live.delete(limits);
    entry.sandbox.sink = null;
    // Always: FinalizationRegistry callbacks, pending timers and unsettled promises must not
    // outlive the run (DESIGN hazards). A run that ended on its own has no JavaScript running
    // and nothing runs in an isolate unless the host calls into it, so its disposal waits until
    // the outcome has been sent; a stopped run's isolate is disposed now.
    const { isolate } = entry;
    if (isolate.isDisposed) return;
    if (stopped) hostCpuLedger.exclude(() => isolate.dispose());
    else
      setImmediate(() => {
        if (!isolate.isDisposed) hostCpuLedger.exclude(() => isolate.dispose());
      });
  }

  private async drive(
    entry: PooledIsolate,
    request: ExecutionRequest,
    limits: RunLimits,
    output: { received: number },
    caps: CapabilityCalls,
    marks: { compiled?: number; settling?: number },
    usedIsolate: boolean,
  ): Promise<
    { ok: true; json: string | undefined; preview: string } | { ok: false; failure: ExecutionFailure }
  > {
    const { isolate, context, sandbox } = entry;
    const { guard, call, settled } = this.driverCalls(entry, limits, output);
    const url = tenantUrl(request.filename || 'main.js');

    // `start` runs before any tenant code exists in a fresh isolate (only the bootstrap's own
    // code and JSON.parse of the input), so there it is the one synchronous call: it cannot
    // hang, and a thread hop less keeps a small run well under a millisecond. An isolate that
    // served earlier runs of the tenant (isolation `context`) may still run their leftovers on
    // its thread (a FinalizationRegistry callback), which a synchronous call would wait for on
    // the host's event loop: there it is asynchronous, under the run's limits, and a script
    // goes with it in the same call (`start-eval`).
    limits.check();
    const startArg = JSON.stringify({
      resultBytes: request.limits.resultBytes,
      outputBytes: request.limits.outputBytes,
      consoleLinesPerSecond: request.limits.consoleLinesPerSecond,
      inputJson: request.inputJson,
    });
    const script = request.sourceType !== 'module';
    // isolation: in — JSON text, tenant code and its URL (copied); out — a plain object of
    // primitives, copied.
    let status = !usedIsolate
      ? // On this thread, and counted by the isolate's clock: kept out of the host's share.
        (limits.offLedger(() =>
          sandbox.driver.applySync(undefined, ['start', startArg], {
            timeout: limits.remainingMs(),
            result: { copy: true },
          }),
        ) as DriverStatus)
      : script
        ? await settled('start-eval', startArg, request.code, url)
        : await call('start', startArg);
    const evaluated = usedIsolate && script;
    if (status.state === 'bad-input') {
      throw new InvalidArgumentError('inputJson', `the input is not valid JSON: ${status.message ?? ''}`);
    }

    // acorn parses on this thread, outside the isolate: the run is charged for it.
    const hostParse = <T>(parse: () => T): T => limits.onHost(parse);
    let asyncWrapped = false;
    let returnAt: { line: number; column: number } | null = null;
    let wrapperLine = 0;
    if (request.sourceType === 'module') {
      const hookName = (await guard(callDriverRaw(sandbox, limits, 'arm'))) as string;
      const compiled = await guard(compileModule(isolate, context, request.code, url, hookName));
      marks.compiled = epochNow();
      if (!compiled.ok) return compiled;
      limits.check();
      await guard(compiled.value.wrapper.evaluate({ timeout: limits.remainingMs() }));
      status = await call('status');
    } else {
      // The script runs inside the isolate (driver `eval`), so its exceptions never cross.
      if (!evaluated) status = await settled('eval', request.code, url);
      if (status.syntaxCandidate) {
        // Top-level await: run as an async function body (see compile.ts) whose last
        // expression statement is returned (completion-value.ts). V8's message and acorn
        // usually tell at once; otherwise compiling in the isolate tells a syntax error, an
        // error thrown at run time, and top-level await apart.
        let rewrite = mayBeTopLevelAwaitMessage(status.failure?.message)
          ? hostParse(() => topLevelAwaitRewrite(request.code))
          : null;
        if (rewrite === null) {
          const compiled = await guard(compileScript(isolate, request.code, url));
          if (!compiled.ok) return compiled;
          // Otherwise the code compiles: the SyntaxError was thrown at run time (status has it).
          if (compiled.wrappedAsync) rewrite = hostParse(() => returnLastExpression(request.code));
        }
        limits.check();
        if (rewrite !== null) {
          asyncWrapped = true;
          returnAt = rewrite.insertedAt;
          wrapperLine = countLines(rewrite.code) + 1;
          status = await settled('eval-async', rewrite.code, url);
          if (status.syntaxCandidate) {
            const again = await guard(compileScript(isolate, rewrite.code, url, true));
            if (!again.ok) return again;
          }
        }
      }
    }
    const fixColumns = (f: ExecutionFailure): ExecutionFailure =>
      asyncWrapped ? unwrapAsyncColumns(f, url, returnAt, wrapperLine) : f;
    marks.settling = epochNow();

    for (;;) {
      if (status.state === 'error') {
        const f = status.failure;
        if (f === null) return { ok: false, failure: unknownFailure() };
        const failure = fixColumns(tenantFailure(f.kind, f.name, f.message, f.stack));
        return {
          ok: false,
          failure: explainDynamicImport(failure, request.code, request.sourceType, hostParse),
        };
      }
      if (status.state === 'ok' && !status.alive) {
        await this.drainOutput(output, status.emitted);
        limits.check();
        return {
          ok: true,
          json: status.hasJson === true ? status.json : undefined,
          preview: status.preview ?? '',
        };
      }
      if (!status.alive) {
        return {
          ok: false,
          failure: {
            kind: FailureKind.RUNTIME,
            name: 'Error',
            message:
              'The result never settled: it is still pending but no timer or other work is left that could settle it ' +
              "(like Node's 'unsettled top-level await')",
            stack: '',
            line: 0,
            column: 0,
          },
        };
      }
      status = await advance(status, { call, settled }, limits, caps);
    }
  }

  /**
   * The ways a run's loop calls into its isolate: `guard` races any isolated-vm call against the
   * run's limits; `call` invokes a driver op and delivers the console lines it returns; `settled`
   * does the same for an op that runs tenant code, and answers with the status taken after it.
   *
   * A driver op builds its status before returning, and isolated-vm copies it out at once; the
   * microtasks the op queued run after that, as the call ends, and may set or clear timers or
   * print. `settled` therefore queues a `status` call right behind the op, on the isolate's
   * thread: it reads the state those microtasks left, and both answers come back together, so
   * the run waits for no extra round trip.
   */
  private driverCalls(
    entry: PooledIsolate,
    limits: RunLimits,
    output: { received: number },
  ): { guard: <T>(p: Promise<T>) => Promise<T>; call: DriverCall; settled: DriverCall } {
    const { sandbox } = entry;
    const guard = this.guardOf(limits);
    const queueHeap = (): void => {
      // Queued behind the call on the isolate's thread: the heap as the call left it, read
      // without a round trip of its own (collectExecutionMetrics).
      const heap = entry.isolate.getHeapStatistics();
      heap.catch(() => undefined);
      limits.heapAfterLastCall = heap;
    };
    const receive = async (pending: Promise<unknown>): Promise<DriverStatus> => {
      const st = (await guard(pending)) as DriverStatus;
      if (Array.isArray(st.output) && st.output.length > 0) {
        // Lines still buffered in the isolate: deliver them after the batches sent before.
        await this.drainOutput(output, st.emitted);
        if (sandbox.sink !== null) deliverOutput(sandbox.sink, st.output);
      }
      return st;
    };
    const call: DriverCall = (op, arg, arg2, arg3) => {
      const pending = callDriverRaw(sandbox, limits, op, arg, arg2, arg3);
      queueHeap();
      return receive(pending);
    };
    const settled: DriverCall = async (op, arg, arg2, arg3) => {
      const pending = callDriverRaw(sandbox, limits, op, arg, arg2, arg3);
      const after = callDriverRaw(sandbox, limits, 'status');
      after.catch(() => undefined); // unread when the op failed or the run stopped
      queueHeap();
      const st = await receive(pending);
      // An error ends the run (as an uncaught exception ends Node's process); a syntax
      // candidate ran no code. Either way the op's own status is the answer.
      if (st.state === 'error' || st.state === 'bad-input' || st.syntaxCandidate) return st;
      return receive(after);
    };
    return { guard, call, settled };
  }

  /**
   * The metrics of a run that has ended, and the last two ways a run that made its result can
   * still fail (`fail` is called then): tenant code kept running after it (a FinalizationRegistry
   * callback) until a limit, or V8 finished above the heap limit (one huge flat string).
   */
  private async endOfRun(
    isolate: ivm.Isolate,
    limits: RunLimits,
    startedAtMs: number,
    outputBytes: number,
    request: ExecutionRequest,
    fail: (failure: ExecutionFailure) => void,
    ok: boolean,
  ): Promise<ExecutionMetrics> {
    const { metrics, interrupted } = await collectExecutionMetrics(
      isolate,
      limits,
      startedAtMs,
      outputBytes,
      this.guardOf(limits),
    );
    if (!ok) return metrics;
    if (limits.reason !== null) fail(this.failureFromError(interrupted, limits, request));
    else if (metrics.heapUsedBytes > request.limits.memoryMib * 1024 * 1024) fail(memoryFailure(request));
    return metrics;
  }

  /** Races an isolated-vm call against the run's limits (a stuck isolate is reported). */
  private guardOf(limits: RunLimits): <T>(p: Promise<T>) => Promise<T> {
    return <T>(p: Promise<T>): Promise<T> =>
      limits.guard(p, this.options.stuckGraceMs, () => {
        this.stuckIsolates++;
        this.options.onStuckIsolate();
      });
  }

  /** Console callbacks are fire-and-forget: wait until the host has received every line. */
  private async drainOutput(output: { received: number }, emitted: number): Promise<void> {
    const deadline = performance.now() + this.options.outputDrainMs;
    while (output.received < emitted && performance.now() < deadline) {
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }

  private failureFromError(err: unknown, limits: RunLimits, request: ExecutionRequest): ExecutionFailure {
    if (
      err instanceof RunStoppedSignal &&
      err.unresponsive &&
      (err.reason === 'wall' || err.reason === 'cpu')
    ) {
      // dispose() interrupts any JavaScript; an isolate that does not stop is stuck in V8's
      // last-resort GC: its heap is exhausted (isolated-vm's memoryLimit did not fire).
      return {
        ...memoryFailure(request),
        message: `The isolate ran out of memory (limit ${request.limits.memoryMib} MiB) and stopped responding`,
      };
    }
    const c = err instanceof RunStoppedSignal ? undefined : classifyIsolateError(err);
    // isolated-vm killed the isolate for its memory limit: that is what ended the run, even if
    // a time limit passed while V8 struggled near the limit (its last GCs can take longer than
    // a short wall limit on a loaded machine).
    if (c?.type === 'memory-limit') return memoryFailure(request);
    if (limits.reason !== null) return stopFailure(limits.reason, request);
    if (c === undefined) return stopFailure((err as RunStoppedSignal).reason, request);
    switch (c.type) {
      case 'timeout':
        return stopFailure('wall', request);
      case 'disposed':
        // Not disposed by us: isolated-vm only does that on its memory limit.
        return {
          kind: FailureKind.MEMORY_LIMIT,
          name: 'MemoryLimitError',
          message: `The isolate was disposed during the run (memory limit of ${request.limits.memoryMib} MiB)`,
          stack: '',
          line: 0,
          column: 0,
        };
      case 'non-error-thrown':
        return tenantFailure('RUNTIME', 'Error', 'Uncaught non-Error value (it could not be converted)', '');
      case 'tenant':
        // A module's import() fails here (its evaluation rejects); acorn runs on this thread.
        return explainDynamicImport(
          tenantFailure('RUNTIME', c.name, c.message, c.stack),
          request.code,
          request.sourceType,
          (parse) => limits.onHost(parse),
        );
    }
  }
}

function callDriverRaw(
  sandbox: Sandbox,
  limits: RunLimits,
  op: string,
  arg?: unknown,
  arg2?: unknown,
  arg3?: unknown,
): Promise<unknown> {
  limits.check();
  limits.noteHostEvent();
  // isolation: in — an op name and strings (tenant code, its URL, JSON text), copied; out — a
  // plain object of primitives, deep-copied (`copy: true`). No host object goes in.
  const args: [string, ivm.Transferable, ivm.Transferable, ivm.Transferable] = [
    op,
    arg as ivm.Transferable,
    arg2 as ivm.Transferable,
    arg3 as ivm.Transferable,
  ];
  // No isolated-vm `timeout` here: RunLimits ends the run at its wall and CPU limits by
  // disposing the isolate, whatever call is running. isolated-vm keeps a finished call's timer
  // until its deadline and then drops the expired ones recursively; a run's calls all have the
  // run's deadline, so a run making ~50,000 calls (100 setInterval timers of 1 ms, for 6 s)
  // overflowed that thread's stack and killed the worker with SIGSEGV.
  return sandbox.driver.apply(undefined, args, { result: { copy: true } });
}

/** Length of the in-isolate `(async () => {` prefix put before line 1 of a top-level-await script. */
const ASYNC_PREFIX_LENGTH = '(async () => {'.length;

/**
 * Moves columns of a top-level-await script back to the tenant's own text: line 1 loses the
 * async prefix, and on the line where `return (` was inserted, columns after it lose its length.
 */
function unwrapAsyncColumns(
  f: ExecutionFailure,
  url: string,
  returnAt: { line: number; column: number } | null,
  wrapperLine: number,
): ExecutionFailure {
  const fix = (line: number, column: number): number => {
    let c = line === 1 ? column - ASYNC_PREFIX_LENGTH : column;
    if (returnAt !== null && line === returnAt.line && c >= returnAt.column + RETURN_PREFIX.length)
      c -= RETURN_PREFIX.length;
    return Math.max(1, c);
  };
  const escaped = url.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  // The wrapper's own `})()` (the line after the code) calls the async body: while the code runs
  // before its first await, V8 lists that call as a frame, which is not the tenant's.
  const wrapperFrame = new RegExp(`\\n\\s*at (?:async )?${escaped}:${wrapperLine}:\\d+(?=\\n|$)`, 'g');
  const stack = f.stack
    .replace(wrapperFrame, '')
    .replace(
      new RegExp(`${escaped}:(\\d+):(\\d+)`, 'g'),
      (_m, line: string, col: string) => `${url}:${line}:${fix(Number(line), Number(col))}`,
    );
  const column = f.line > 0 ? fix(f.line, f.column) : f.column;
  return { ...f, stack, column };
}

/** Lines of JavaScript source (every ECMAScript line terminator ends one). */
function countLines(code: string): number {
  return (code.match(/\r\n|[\n\r\u2028\u2029]/g)?.length ?? 0) + 1;
}

/** Caps on failure strings (defence in depth: the isolate caps them too). */
const MAX_NAME = 200;
const MAX_MESSAGE = 8 * 1024;
const MAX_STACK = 16 * 1024;

function cap(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

function tenantFailure(
  kind: string,
  rawName: string,
  rawMessage: string,
  rawStack: string,
): ExecutionFailure {
  const name = cap(rawName, MAX_NAME);
  const message = cap(rawMessage, MAX_MESSAGE);
  const trimmed = cap(trimStack(cap(rawStack, MAX_STACK * 4)), MAX_STACK);
  const { line, column } = tenantLocation(trimmed);
  const k = kind === FailureKind.RESULT_TOO_LARGE ? FailureKind.RESULT_TOO_LARGE : FailureKind.RUNTIME;
  return { kind: k, name, message, stack: trimmed, line, column };
}

function memoryFailure(request: ExecutionRequest): ExecutionFailure {
  return {
    kind: FailureKind.MEMORY_LIMIT,
    name: 'MemoryLimitError',
    message: `The isolate's heap passed its memory limit of ${request.limits.memoryMib} MiB`,
    stack: '',
    line: 0,
    column: 0,
  };
}

function unknownFailure(): ExecutionFailure {
  return {
    kind: FailureKind.RUNTIME,
    name: 'Error',
    message: 'The run failed',
    stack: '',
    line: 0,
    column: 0,
  };
}

function stopFailure(reason: StopReason, request: ExecutionRequest): ExecutionFailure {
  const base = { stack: '', line: 0, column: 0 };
  switch (reason) {
    case 'wall':
      return {
        ...base,
        kind: FailureKind.TIMEOUT,
        name: 'TimeoutError',
        message: `The run exceeded its wall-time limit of ${request.limits.wallTimeMs} ms`,
      };
    case 'cpu':
      return {
        ...base,
        kind: FailureKind.CPU_LIMIT,
        name: 'CpuLimitError',
        message: `The run exceeded its cpu limit of ${request.limits.cpuTimeMs} ms of CPU time`,
      };
    case 'output-bytes':
      return {
        ...base,
        kind: FailureKind.OUTPUT_LIMIT,
        name: 'OutputLimitError',
        message: `Console output exceeded its limit of ${request.limits.outputBytes} bytes`,
      };
    case 'output-rate':
      return {
        ...base,
        kind: FailureKind.OUTPUT_LIMIT,
        name: 'OutputLimitError',
        message: `Console output exceeded its limit of ${request.limits.consoleLinesPerSecond} lines per second`,
      };
    case 'cancelled':
      return { ...base, kind: FailureKind.CANCELLED, name: 'AbortError', message: 'The run was cancelled' };
    case 'engine-disposed':
      return {
        ...base,
        kind: FailureKind.CANCELLED,
        name: 'AbortError',
        message: 'The run was cancelled because the worker is shutting down',
      };
  }
}

function safeCpuTime(isolate: ivm.Isolate): bigint {
  try {
    return isolate.cpuTime;
  } catch {
    return 0n;
  }
}

/**
 * Waits until the run has something to do: the next timer is due, or a capability call was
 * answered (or a limit stopped the run, which wakes every sleep).
 */
async function waitForWork(status: DriverStatus, limits: RunLimits, caps: CapabilityCalls): Promise<void> {
  if (caps.ready) return;
  if (caps.waiting > 0) {
    const timer = status.nextTimerMs >= 0 ? status.nextTimerMs : limits.remainingMs();
    await Promise.race([caps.next(), limits.sleep(timer)]);
    return;
  }
  if (status.nextTimerMs > 0) await limits.sleep(status.nextTimerMs);
}

/** Epoch milliseconds with sub-millisecond precision (span times of run phases). */
function epochNow(): number {
  return performance.timeOrigin + performance.now();
}

/**
 * The phases of a one-shot run: acquire; compile (modules; a script compiles and runs in one
 * isolate call); run (the code's synchronous part); settle (awaiting promises and timers, then
 * serializing the result inside the isolate).
 */
function runPhases(
  acquireStart: number,
  acquireEnd: number,
  marks: { compiled?: number; settling?: number },
  end: number,
  freshContext = false,
): RunPhase[] {
  const phases: RunPhase[] = [
    {
      name: freshContext ? 'vmd.context.create' : 'vmd.isolate.acquire',
      startMs: acquireStart,
      endMs: acquireEnd,
    },
  ];
  let at = acquireEnd;
  if (marks.compiled !== undefined) {
    phases.push({ name: 'vmd.isolate.compile', startMs: at, endMs: marks.compiled });
    at = marks.compiled;
  }
  const settling = marks.settling ?? end;
  phases.push({ name: 'vmd.isolate.run', startMs: at, endMs: settling });
  if (settling < end)
    phases.push({ name: 'vmd.isolate.settle-and-serialize', startMs: settling, endMs: end });
  return phases;
}

/** A driver op called by a run's loop (see Engine.driverCalls). */
type DriverCall = (op: string, arg?: unknown, arg2?: unknown, arg3?: unknown) => Promise<DriverStatus>;

/**
 * One turn of a run that is still waiting: sleep until a timer is due or a capability call is
 * answered, deliver the answers, fire the due timer, and answer with the status after the
 * timer's microtasks (see `settled` in Engine.driverCalls).
 */
async function advance(
  status: DriverStatus,
  calls: { call: DriverCall; settled: DriverCall },
  limits: RunLimits,
  caps: CapabilityCalls,
): Promise<DriverStatus> {
  await waitForWork(status, limits, caps);
  let st = status;
  for (const answer of caps.take()) st = await calls.call('cap-resolve', answer.id, answer.resultJson);
  if (st.state === 'error') return st;
  return calls.settled('tick');
}
