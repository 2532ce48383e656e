/**
 * A REPL session: one isolate (with the sandbox) that keeps its state across inputs.
 *
 * Each input is parsed on the host first (prepare-input.ts: incomplete, syntax error, or code
 * rewritten so declarations persist), then evaluated inside the isolate by the driver, under
 * the per-input limits:
 * - cpu and wall time: every call into the isolate carries isolated-vm's `timeout` (the smaller
 *   of the cpu limit and the wall time left). That timeout terminates the running JavaScript
 *   without disposing the isolate, so `while (true) {}` ends with TIMEOUT and the session keeps
 *   its state. Waiting for a promise (timers) stops at the wall limit, state kept too.
 * - memory: isolated-vm disposes an isolate past its heap limit; the session then restarts with
 *   a fresh isolate and says plainly that its state was lost.
 * - interrupt (Ctrl-C): an input waiting for a promise or a timer stops at once, state kept; an
 *   input running JavaScript can only be stopped by disposing the isolate (isolated-vm has no
 *   other way to interrupt), so the session restarts and says its state was lost.
 *
 * Timers left pending when an input ends keep firing between inputs (like Node's REPL); their
 * output is delivered through `onBackgroundOutput`.
 */
import { classifyIsolateError } from '../errors/classify-isolate-error.js';
import { FailureKind, type ExecutionFailure } from '../errors/execution-failure.js';
import { tenantLocation, trimStack } from '../errors/trim-stack.js';
import { compileScript, tenantUrl } from '../engine/compile.js';
import { noRunMetrics } from '../engine/execution-metrics.js';
import type { PooledIsolate } from '../engine/isolate-pool.js';
import type { ExecutionMetrics, OutputEvent } from '../engine/types.js';
import type { Limits } from '../limits/limits.js';
import { deliverOutput, type DriverStatus } from '../sandbox/bridge.js';
import { CapabilityCalls } from '../sandbox/capability-calls.js';
import { prepareReplInput, type PositionMap } from './prepare-input.js';
import { parseCompletionTarget, keywordCandidates } from './complete.js';

/** What one input gave. */
export type ReplEvalOutcome =
  | { status: 'ok'; preview: string; json: string | undefined; metrics: ExecutionMetrics }
  | {
      status: 'error';
      failure: ExecutionFailure;
      metrics: ExecutionMetrics;
      /** The isolate had to be replaced: every binding of the session is gone. */
      stateLost: boolean;
    }
  | { status: 'incomplete' };

/** Per-input callbacks. */
export interface ReplEvalHooks {
  onOutput(event: OutputEvent): void;
  /**
   * Interrupts this input only: if it is running, as {@link ReplSession.interrupt}; if it is
   * still waiting behind earlier inputs, it ends CANCELLED without running.
   */
  signal?: AbortSignal;
}

export interface ReplSessionOptions {
  /** A fresh isolate with the sandbox installed (the engine's pool). */
  acquire: (memoryMib: number) => PooledIsolate;
  /** Limits of each input; `memoryMib` is the session's heap. */
  limits: Limits;
  /** Output of timers that fire between inputs. */
  onBackgroundOutput?: (event: OutputEvent) => void;
  /** Completion's time limit inside the isolate, ms. @default 50 */
  completionTimeoutMs?: number;
}

const STREAM_OF: Record<OutputEvent['level'], OutputEvent['stream']> = {
  log: 'stdout',
  info: 'stdout',
  debug: 'stdout',
  warn: 'stderr',
  error: 'stderr',
};
/** Each input is a file of its own in stack traces, `REPL1`, `REPL2`, … as in Node's REPL. */
const inputUrl = (n: number): string => tenantUrl(`REPL${n}`);
/** How long a syntax error waits for V8's wording (the isolate may be running a timer). */
const SYNTAX_COMPILE_WAIT_MS = 250;
/** Inputs whose positions are kept, to map frames of functions they defined. */
const POSITION_MAPS_KEPT = 256;

/** Thrown inside the session's loop when an interrupt arrives while it waits. */
class Interrupted extends Error {}

export class ReplSession {
  private entry: PooledIsolate;
  private chain: Promise<unknown> = Promise.resolve();
  private inCall = false;
  private running = false;
  private wake: (() => void) | undefined;
  private interruptRequested = false;
  private disposedByInterrupt = false;
  private backgroundTimer: NodeJS.Timeout | undefined;
  private closed = false;
  private outputSink: (event: OutputEvent) => void = () => undefined;
  private outputReceived = 0;
  /** Capability calls of the running input: a REPL session has no grants, every call fails. */
  private caps = new CapabilityCalls(undefined);
  /** Numbers the inputs in stack traces (`REPL<n>`), for the session's whole life. */
  private inputSeq = 0;
  /** Input number → where its rewritten code's positions are in what the user typed. */
  private readonly positionMaps = new Map<number, PositionMap>();
  /** Inputs evaluated since the session (re)started. */
  inputs = 0;

  constructor(private readonly options: ReplSessionOptions) {
    this.entry = this.fresh();
  }

  /**
   * A syntax error as V8 words and places it (`Unexpected token ';'`, as `node` and a one-shot
   * run report it): acorn found it, V8 compiles the input (nothing runs) to say it. If V8
   * accepts what acorn refused, or the isolate is busy past a short wait, acorn's is kept.
   */
  private async syntaxFailure(
    code: string,
    url: string,
    acorn: { message: string; line: number; column: number },
  ): Promise<ExecutionFailure> {
    const fallback: ExecutionFailure = {
      kind: FailureKind.SYNTAX,
      name: 'SyntaxError',
      message: acorn.message,
      stack: `SyntaxError: ${acorn.message}\n    at ${url}:${acorn.line}:${acorn.column}`,
      line: acorn.line,
      column: acorn.column,
    };
    if (this.entry.isolate.isDisposed) return fallback;
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<undefined>((resolve) => {
      timer = setTimeout(() => resolve(undefined), SYNTAX_COMPILE_WAIT_MS);
    });
    try {
      const compiled = await Promise.race([compileScript(this.entry.isolate, code, url), late]);
      if (compiled === undefined || compiled.ok) return fallback;
      return compiled.failure.line > 0 ? compiled.failure : fallback;
    } catch {
      return fallback;
    } finally {
      clearTimeout(timer);
    }
  }

  /** The isolate's heap in use, bytes (0 if unknown). */
  async heapUsedBytes(): Promise<number> {
    try {
      const h = await this.entry.isolate.getHeapStatistics();
      return h.used_heap_size + h.externally_allocated_size;
    } catch {
      return 0;
    }
  }

  /** True while an input runs. */
  get busy(): boolean {
    return this.running;
  }

  /** Evaluates one input; inputs sent while one runs wait their turn (in order). */
  eval(code: string, hooks: ReplEvalHooks): Promise<ReplEvalOutcome> {
    const next = this.chain.then(() =>
      hooks.signal?.aborted === true ? interruptedBeforeRunning() : this.evalNow(code, hooks),
    );
    this.chain = next.catch(() => undefined);
    return next;
  }

  /**
   * Stops the running input. Returns false if none runs. See the module comment for when the
   * session's state survives.
   */
  interrupt(): boolean {
    if (!this.running) return false;
    this.interruptRequested = true;
    if (this.inCall) {
      this.disposedByInterrupt = true;
      this.disposeIsolate();
    }
    this.wake?.();
    return true;
  }

  /** A fresh context: every binding is dropped (`.reset`). */
  reset(): void {
    this.stopBackground();
    this.disposeIsolate();
    if (!this.closed) this.entry = this.fresh();
  }

  /** Ends the session and frees its isolate. */
  dispose(): void {
    this.closed = true;
    this.stopBackground();
    this.interrupt();
    this.disposeIsolate();
  }

  /**
   * Completion candidates for `line` with the cursor at `cursor`: global names (and keywords)
   * for a bare word, property names (own and inherited) for an object path such as `foo.bar.b`.
   * Property lookups only (no getter is called), bounded by a short timeout.
   */
  async complete(line: string, cursor: number): Promise<{ prefix: string; candidates: string[] }> {
    const target = parseCompletionTarget(line, cursor);
    if (target === undefined) return { prefix: '', candidates: [] };
    if (this.running || this.entry.isolate.isDisposed) return { prefix: target.prefix, candidates: [] };
    let names: string[] = [];
    try {
      // isolation: in — a JSON string and a string, copied; out — an array of strings, copied.
      const result: unknown = await this.entry.sandbox.driver.apply(
        undefined,
        ['repl-complete', JSON.stringify(target.path), target.prefix],
        { timeout: this.options.completionTimeoutMs ?? 50, result: { copy: true } },
      );
      if (Array.isArray(result)) names = result.filter((n): n is string => typeof n === 'string');
    } catch {
      names = [];
    }
    if (target.path.length === 0) names.push(...keywordCandidates(target.prefix));
    return { prefix: target.prefix, candidates: [...new Set(names)].sort() };
  }

  private fresh(): PooledIsolate {
    const entry = this.options.acquire(this.options.limits.memoryMib);
    entry.sandbox.sink = {
      onBridgeCall: () => {
        this.outputReceived++;
      },
      onOutput: (level, text, timeMs) => {
        // What a timer threw between inputs is printed as Node's REPL prints it; its stack is
        // shown like an input's error: the tenant's frames only, at the positions typed.
        const shown =
          level === 'error' && text.startsWith('Uncaught ')
            ? trimStack(remapReplStack(text, this.positionMaps))
            : text;
        this.outputSink({ stream: STREAM_OF[level], level, text: shown, timeMs });
      },
      onOutputLimit: () => undefined,
      onCapabilityCall: (id, capability, op, argsJson) => this.caps.onCall(id, capability, op, argsJson),
    };
    this.outputSink = (event) => this.options.onBackgroundOutput?.(event);
    this.inputs = 0;
    return entry;
  }

  private disposeIsolate(): void {
    const { isolate } = this.entry;
    this.entry.sandbox.sink = null;
    try {
      if (!isolate.isDisposed) isolate.dispose();
    } catch {
      // already disposed
    }
  }

  private async evalNow(code: string, hooks: ReplEvalHooks): Promise<ReplEvalOutcome> {
    if (this.closed) throw new Error('the REPL session is closed');
    const prepared = prepareReplInput(code);
    if (prepared.kind === 'incomplete') return { status: 'incomplete' };
    const started = performance.now();
    const url = inputUrl(++this.inputSeq);
    if (prepared.kind === 'empty') {
      return { status: 'ok', preview: '', json: undefined, metrics: this.metrics(started, 0n, 0, 0) };
    }
    if (prepared.kind === 'syntax-error') {
      return {
        status: 'error',
        failure: await this.syntaxFailure(code, url, prepared),
        metrics: this.metrics(started, 0n, 0, 0),
        stateLost: false,
      };
    }
    this.positionMaps.set(this.inputSeq, prepared.originalPosition);
    if (this.positionMaps.size > POSITION_MAPS_KEPT) {
      this.positionMaps.delete(this.positionMaps.keys().next().value as number);
    }
    if (this.entry.isolate.isDisposed) this.entry = this.fresh();
    this.stopBackground();
    this.caps = new CapabilityCalls(undefined);
    this.running = true;
    this.interruptRequested = false;
    this.disposedByInterrupt = false;
    const limits = this.options.limits;
    const deadline = started + limits.wallTimeMs;
    const cpuStart = this.cpuNs();
    let outputBytes = 0;
    this.outputSink = (event) => {
      outputBytes += Buffer.byteLength(event.text, 'utf8') + 1;
      hooks.onOutput(event);
    };
    let calls = 0;
    const call = async (op: string, arg?: string, arg2?: string): Promise<DriverStatus> => {
      if (this.interruptRequested) throw new Interrupted();
      const cpuLeftMs = limits.cpuTimeMs - Number(this.cpuNs() - cpuStart) / 1e6;
      // The wall term is spread over 128 ms: isolated-vm keeps each finished call's timer until
      // its deadline and drops the expired ones recursively, so tens of thousands of calls with
      // one deadline (an input ticking many 1 ms timers for long) would overflow its thread's
      // stack and kill the worker (see callDriverRaw in engine.ts). The host checks the wall
      // limit between calls as well.
      const wallLeftMs = deadline - performance.now() + (calls++ % 128);
      const timeout = Math.max(1, Math.ceil(Math.min(wallLeftMs, cpuLeftMs)));
      this.inCall = true;
      try {
        // isolation: in — an op name and strings (code, URL, JSON), copied; out — a plain object
        // of primitives, deep-copied. No host object goes in.
        const st = (await this.entry.sandbox.driver.apply(undefined, [op, arg, arg2], {
          timeout,
          result: { copy: true },
        })) as DriverStatus;
        if (Array.isArray(st.output) && st.output.length > 0 && this.entry.sandbox.sink !== null) {
          await this.drain(st.emitted);
          deliverOutput(this.entry.sandbox.sink, st.output);
        }
        return st;
      } finally {
        this.inCall = false;
      }
    };

    let failure: ExecutionFailure | undefined;
    let stateLost = false;
    let value: { preview: string; json: string | undefined } | undefined;
    const onAbort = (): void => void this.interrupt();
    hooks.signal?.addEventListener('abort', onAbort, { once: true });
    try {
      if (hooks.signal?.aborted === true) throw new Interrupted();
      await call(
        'repl-limits',
        JSON.stringify({
          resultBytes: limits.resultBytes,
          outputBytes: limits.outputBytes,
          consoleLinesPerSecond: limits.consoleLinesPerSecond,
        }),
      );
      let st = await call(prepared.awaitResult ? 'repl-eval-await' : 'repl-eval', prepared.code, url);
      if (st.state === 'pending') st = await call('status');
      for (;;) {
        if (st.state === 'error') {
          failure = fromDriverFailure(st.failure, this.positionMaps);
          break;
        }
        if (st.state === 'ok') {
          await this.drain(st.emitted);
          value = await this.readResult(call);
          break;
        }
        if (!st.alive) {
          failure = {
            kind: FailureKind.RUNTIME,
            name: 'Error',
            message:
              'The awaited value never settled: it is still pending but no timer or other work is left that could settle it',
            stack: '',
            line: 0,
            column: 0,
          };
          break;
        }
        const left = deadline - performance.now();
        if (left <= 0) {
          failure = timeoutFailure(`The input exceeded its wall-time limit of ${limits.wallTimeMs} ms`);
          break;
        }
        const answers = this.caps.take();
        for (const a of answers) st = await call('cap-resolve', String(a.id), a.resultJson);
        if (answers.length > 0) continue;
        const nap = this.sleep(Math.min(left, st.nextTimerMs >= 0 ? st.nextTimerMs : left));
        await (this.caps.waiting > 0 ? Promise.race([nap, this.caps.next()]) : nap);
        this.wake?.();
        if (this.interruptRequested) throw new Interrupted();
        if (deadline - performance.now() <= 0) continue;
        st = await call('tick');
        // The timer's microtasks ran after `tick` took its status, and may have set timers.
        if (st.state !== 'error') st = await call('status');
      }
    } catch (err) {
      const lost = this.entry.isolate.isDisposed;
      if (err instanceof Interrupted || this.disposedByInterrupt) {
        failure = {
          kind: FailureKind.CANCELLED,
          name: 'AbortError',
          message: lost
            ? 'Interrupted. The input was running JavaScript, which can only be stopped by discarding the isolate: the session was restarted and its state (variables, functions) was lost'
            : 'Interrupted',
          stack: '',
          line: 0,
          column: 0,
        };
        stateLost = lost;
      } else {
        const c = classifyIsolateError(err);
        if (c.type === 'timeout' && !lost) {
          const cpuMs = Number(this.cpuNs() - cpuStart) / 1e6;
          failure =
            cpuMs >= limits.cpuTimeMs - 1
              ? cpuLimitFailure(`The input exceeded its cpu limit of ${limits.cpuTimeMs} ms of CPU time`)
              : timeoutFailure(`The input exceeded its wall-time limit of ${limits.wallTimeMs} ms`);
        } else if (c.type === 'memory-limit' || c.type === 'disposed' || lost) {
          stateLost = true;
          failure = {
            kind: FailureKind.MEMORY_LIMIT,
            name: 'MemoryLimitError',
            message: `The session's heap passed its limit of ${limits.memoryMib} MiB: the session was restarted and its state was lost`,
            stack: '',
            line: 0,
            column: 0,
          };
        } else if (c.type === 'tenant') {
          failure = tenantFailure(c.name, c.message, c.stack, this.positionMaps);
        } else {
          failure = tenantFailure('Error', 'The input failed', '');
        }
      }
    } finally {
      hooks.signal?.removeEventListener('abort', onAbort);
      this.running = false;
      this.wake = undefined;
    }
    if (outputBytes > limits.outputBytes && failure === undefined) {
      failure = {
        kind: FailureKind.OUTPUT_LIMIT,
        name: 'OutputLimitError',
        message: `Console output exceeded its limit of ${limits.outputBytes} bytes`,
        stack: '',
        line: 0,
        column: 0,
      };
    }
    const cpuNs = this.cpuNs() - cpuStart;
    const heap = await this.heapUsedBytes();
    const metrics = this.metrics(started, cpuNs, heap, outputBytes);
    this.outputSink = (event) => this.options.onBackgroundOutput?.(event);
    if (stateLost) {
      this.disposeIsolate();
      if (!this.closed) this.entry = this.fresh();
    } else {
      this.inputs++;
      this.scheduleBackground();
    }
    if (failure !== undefined) return { status: 'error', failure, metrics, stateLost };
    return { status: 'ok', preview: value?.preview ?? '', json: value?.json, metrics };
  }

  private async readResult(
    call: (op: string) => Promise<DriverStatus>,
  ): Promise<{ preview: string; json: string | undefined }> {
    // The driver's status carries the result only once no timer is alive (the one-shot rule);
    // a REPL input ends when its value settles, so ask for it.
    const result = (await call('repl-result')) as unknown as {
      preview: string;
      json: string;
      hasJson: boolean;
    } | null;
    return result === null
      ? { preview: '', json: undefined }
      : { preview: result.preview, json: result.hasJson ? result.json : undefined };
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }

  private async drain(emitted: number): Promise<void> {
    const until = performance.now() + 1000;
    while (this.outputReceived < emitted && performance.now() < until) {
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }

  private cpuNs(): bigint {
    try {
      return this.entry.isolate.isDisposed ? 0n : this.entry.isolate.cpuTime;
    } catch {
      return 0n;
    }
  }

  private metrics(started: number, cpuNs: bigint, heap: number, outputBytes: number): ExecutionMetrics {
    return {
      cpuTimeMs: Math.max(0, Number(cpuNs) / 1e6),
      wallTimeMs: performance.now() - started,
      queueWaitMs: 0,
      heapUsedBytes: heap,
      heapPeakBytes: heap,
      outputBytes,
    };
  }

  /** Timers left pending keep firing between inputs, their output going to the background sink. */
  private scheduleBackground(): void {
    if (this.closed || this.running || this.entry.isolate.isDisposed) return;
    const entry = this.entry;
    void (async () => {
      let st: DriverStatus;
      try {
        st = (await entry.sandbox.driver.apply(undefined, ['status'], {
          timeout: 100,
          result: { copy: true },
        })) as DriverStatus;
      } catch {
        return;
      }
      if (!st.alive || st.nextTimerMs < 0 || this.running || this.closed || entry !== this.entry) return;
      this.backgroundTimer = setTimeout(() => void this.backgroundTick(entry), st.nextTimerMs);
      this.backgroundTimer.unref();
    })();
  }

  private async backgroundTick(entry: PooledIsolate): Promise<void> {
    this.backgroundTimer = undefined;
    if (this.running || this.closed || entry !== this.entry || entry.isolate.isDisposed) return;
    try {
      this.inCall = true;
      const st = (await entry.sandbox.driver.apply(undefined, ['bg-tick'], {
        timeout: this.options.limits.cpuTimeMs,
        result: { copy: true },
      })) as DriverStatus;
      if (Array.isArray(st.output) && entry.sandbox.sink !== null) {
        await this.drain(st.emitted);
        deliverOutput(entry.sandbox.sink, st.output);
      }
    } catch (err) {
      if (classifyIsolateError(err).type === 'timeout') {
        this.options.onBackgroundOutput?.({
          stream: 'stderr',
          level: 'error',
          text: `Uncaught CpuLimitError: a timer callback exceeded the cpu limit of ${this.options.limits.cpuTimeMs} ms`,
          timeMs: Date.now(),
        });
      }
    } finally {
      this.inCall = false;
    }
    this.scheduleBackground();
  }

  private stopBackground(): void {
    if (this.backgroundTimer !== undefined) clearTimeout(this.backgroundTimer);
    this.backgroundTimer = undefined;
  }
}

/** An input interrupted while it waited behind earlier inputs: it never ran. */
function interruptedBeforeRunning(): ReplEvalOutcome {
  return {
    status: 'error',
    failure: {
      kind: FailureKind.CANCELLED,
      name: 'AbortError',
      message: 'Interrupted before it ran (it was waiting for an earlier input)',
      stack: '',
      line: 0,
      column: 0,
    },
    metrics: noRunMetrics(),
    stateLost: false,
  };
}

function timeoutFailure(message: string): ExecutionFailure {
  return { kind: FailureKind.TIMEOUT, name: 'TimeoutError', message, stack: '', line: 0, column: 0 };
}

function cpuLimitFailure(message: string): ExecutionFailure {
  return { kind: FailureKind.CPU_LIMIT, name: 'CpuLimitError', message, stack: '', line: 0, column: 0 };
}

/**
 * Puts each frame of a REPL input at the line/column the user typed (the input ran rewritten:
 * see prepare-input.ts) and drops frames of the rewrite's own wrapper.
 */
function remapReplStack(stack: string, maps: ReadonlyMap<number, PositionMap>): string {
  const prefix = tenantUrl('REPL').replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const location = new RegExp(`${prefix}(\\d+):(\\d+):(\\d+)`, 'g');
  const out: string[] = [];
  for (const line of stack.split('\n')) {
    let dropped = false;
    const mapped = line.replace(location, (whole, n: string, l: string, c: string) => {
      const map = maps.get(Number(n));
      if (map === undefined) return whole;
      const at = map(Number(l), Number(c));
      if (at === null) {
        dropped = true;
        return whole;
      }
      return `${inputUrl(Number(n))}:${at.line}:${at.column}`;
    });
    if (!dropped) out.push(mapped);
  }
  return out.join('\n');
}

function tenantFailure(
  name: string,
  message: string,
  stack: string,
  maps: ReadonlyMap<number, PositionMap> = new Map(),
): ExecutionFailure {
  const trimmed = trimStack(remapReplStack(stack.slice(0, 64 * 1024), maps)).slice(0, 16 * 1024);
  const { line, column } = tenantLocation(trimmed);
  return {
    kind: FailureKind.RUNTIME,
    name: name.slice(0, 200),
    message: message.slice(0, 8192),
    stack: trimmed,
    line,
    column,
  };
}

function fromDriverFailure(
  f: DriverStatus['failure'],
  maps: ReadonlyMap<number, PositionMap>,
): ExecutionFailure {
  if (f === null) return tenantFailure('Error', 'The input failed', '');
  const base = tenantFailure(f.name, f.message, f.stack, maps);
  return f.kind === FailureKind.RESULT_TOO_LARGE ? { ...base, kind: FailureKind.RESULT_TOO_LARGE } : base;
}
