import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import {
  ErrorCode,
  FailureKind,
  NotFoundError,
  TokenBucket,
  UnavailableError,
  errorFromWire,
  noRunMetrics,
  type ExecutionFailure,
  type ExecutionOutcome,
  type ExecutionRequest,
  type InvokeRequest,
  type Limits,
  type OutputEvent,
  type ReplReply,
  type TraceCarrier,
  type ParentMessage,
  type VmdError,
  type WorkerMessage,
  type WorkerStats,
} from '@vmd/core';
import type { Logger } from 'pino';
import type { SpawnWorkerFn } from './spawn-worker.js';
import { checkWorkerMessage } from './worker-message-schema.js';
import { lowerPriority } from './process-priority.js';

/** Timing and limits of one supervised worker slot. */
export interface SupervisorOptions {
  /** Max runs in flight in this worker. */
  maxInFlight: number;
  /** Ping period, ms. */
  pingIntervalMs: number;
  /** No pong within this → SIGKILL and replace, ms. */
  pingTimeoutMs: number;
  /** A run this long past its wall limit has its worker killed, ms. */
  overrunGraceMs: number;
  /** After a cancel, how long the worker has to end the run before it is killed, ms. @default 2000 */
  cancelGraceMs?: number;
  /** RSS ceiling, bytes. */
  rssCeilingBytes: number;
  /** RSS sampling period while runs are in flight, ms. @default 50 */
  rssSampleIntervalMs?: number;
  /** How long a new worker may take to say `ready`, ms. @default 30000 */
  readyTimeoutMs?: number;
  /** Restart backoff, ms. @default 100 → 5000 */
  backoffInitialMs?: number;
  backoffMaxMs?: number;
  /**
   * How much higher the nice value of the worker's threads is than the daemon's (0–19; 0 keeps
   * the daemon's priority). See process-priority.ts. @default 0
   */
  workerNice?: number;
}

/**
 * Performs a capability call of a run's tenant code (the daemon's own record of the run says
 * which tenant and grants apply, never the worker) and answers JSON text.
 */
export type CapabilityCallHandler = (capability: string, op: string, argsJson: string) => Promise<string>;

/** A run handed to a worker. */
interface InFlightRun {
  requestId: string;
  onCapability: CapabilityCallHandler | undefined;
  wallTimeMs: number;
  onOutput: (event: OutputEvent) => void;
  resolve: (result: RunResult) => void;
  reject: (err: VmdError) => void;
  overrunTimer: NodeJS.Timeout;
  cancelTimer?: NodeJS.Timeout;
  cancelled: boolean;
  /** An invocation sent without its bundle: the message with it, for a `need-bundle`. */
  withBundle?: ParentMessage;
}

/** A REPL request waiting for its `repl-reply`. */
interface PendingReplRequest {
  resolve: (reply: ReplReply) => void;
  reject: (err: VmdError) => void;
  onOutput: ((event: OutputEvent) => void) | undefined;
  overrunTimer: NodeJS.Timeout | undefined;
}

/** What the owner of a REPL session hears from its worker. */
export interface ReplSessionEvents {
  /** Output of the session's timers between inputs. */
  onBackgroundOutput: (event: OutputEvent) => void;
  /** The worker holding the session died or was replaced: the session is gone. */
  onLost: (error: VmdError) => void;
}

/** A REPL request to a session's worker. */
export type ReplRequest =
  /** `interrupt` stops this input only, whether it runs or waits behind earlier ones. */
  | { type: 'repl-eval'; code: string; wallTimeMs: number; interrupt?: AbortSignal }
  | { type: 'repl-complete'; line: string; cursor: number }
  | { type: 'repl-reset' };

/** What a finished run returns. */
export interface RunResult {
  outcome: ExecutionOutcome & { warm?: boolean };
  /** The worker process that ran it. */
  workerId: number;
}

type KillReason =
  | 'crashed'
  | 'unresponsive'
  | 'rss'
  | 'overrun'
  | 'cancel-timeout'
  | 'ready-timeout'
  | 'malformed-message'
  | 'recycle'
  | 'shutdown';

/**
 * Stops that are part of ordinary operation (a recycle past the RSS ceiling, a kill the tenant's
 * code caused): the worker is replaced at once, and the slot counts as available meanwhile.
 */
const PLANNED_STOPS: ReadonlySet<KillReason> = new Set(['recycle', 'rss', 'overrun', 'cancel-timeout']);

/** A live worker process. */
interface LiveWorker {
  id: number;
  child: ChildProcess;
  pid: number;
  ready: boolean;
  readyAt: number;
  inFlight: Map<string, InFlightRun>;
  replRequests: Map<string, PendingReplRequest>;
  sessions: Map<string, ReplSessionEvents>;
  pingSeq: number;
  /** Sent-at of the outstanding ping, or undefined. */
  pingSentAt: number | undefined;
  /** Its ping has gone unanswered for half the ping timeout: not counted as available. */
  pingOverdue: boolean;
  pingTimer: NodeJS.Timeout | undefined;
  rssTimer: NodeJS.Timeout | undefined;
  readyTimer: NodeJS.Timeout | undefined;
  rssBytes: number;
  stats: WorkerStats | undefined;
  killing: KillReason | undefined;
  /** Past its RSS ceiling: takes no new runs, and is recycled once its runs have finished. */
  draining: boolean;
  /**
   * Warm-instance keys whose bundle this worker process was sent (oldest first, bounded): their
   * invocations go without the files, which the worker keeps (a `need-bundle` if it no longer
   * has them).
   */
  bundlesSent: Set<string>;
  exited: Promise<void>;
}

/** Bundles remembered per worker; past this, the oldest are sent again when invoked. */
const MAX_BUNDLES_SENT = 4096;

function rememberBundle(w: LiveWorker, key: string): void {
  w.bundlesSent.delete(key);
  w.bundlesSent.add(key);
  if (w.bundlesSent.size > MAX_BUNDLES_SENT) w.bundlesSent.delete(w.bundlesSent.values().next().value!);
}

/** Events a supervisor reports to its pool. */
export interface SupervisorEvents {
  /**
   * A worker became ready, a run finished, or the slot's availability changed (a worker
   * draining, slow to answer pings, or answering again): capacity may have changed.
   */
  onCapacity: () => void;
  /** A worker died or was killed. */
  onWorkerLost: (info: {
    workerId: number;
    reason: KillReason;
    code: number | null;
    signal: NodeJS.Signals | null;
  }) => void;
}

let nextWorkerId = 1;

const nowMs = (): number => performance.now();

/** Lines of a worker's own stdout/stderr logged at once, then per second (the rest counted). */
const WORKER_OUTPUT_BURST = 50;
const WORKER_OUTPUT_PER_SECOND = 5;

/**
 * Supervises one worker slot: spawns the process, waits for `ready`, pings it, samples its RSS,
 * kills it when it hangs, overruns a run or passes its RSS ceiling, and replaces it with
 * exponential backoff. Only the killed worker's in-flight runs fail.
 */
export class WorkerSupervisor {
  private worker: LiveWorker | undefined;
  private stopping = false;
  private consecutiveFailures = 0;
  private restartTimer: NodeJS.Timeout | undefined;
  private requestSeq = 0;
  private readonly opts: Required<SupervisorOptions>;
  private readyWaiters: (() => void)[] = [];
  /**
   * Replacing its worker after a planned stop (an RSS recycle, a kill the tenant's code caused):
   * from the start of the drain or the kill until the replacement is ready, or fails.
   */
  private replacing = false;
  /** How many workers this slot has started. */
  restarts = -1;

  constructor(
    private readonly slot: number,
    private readonly spawn: SpawnWorkerFn,
    options: SupervisorOptions,
    private readonly logger: Logger,
    private readonly events: SupervisorEvents,
  ) {
    this.opts = {
      cancelGraceMs: 2_000,
      rssSampleIntervalMs: 50,
      readyTimeoutMs: 30_000,
      backoffInitialMs: 100,
      backoffMaxMs: 5_000,
      workerNice: 0,
      ...options,
    };
  }

  /** True when a ready worker can take a run. */
  get isReady(): boolean {
    return this.worker?.ready === true && this.worker.killing === undefined && !this.worker.draining;
  }

  /**
   * True while this slot can run code: its worker is ready and answers pings, or it is
   * replacing its worker after a planned stop (an RSS recycle, a tenant's overrun) and the
   * replacement has not failed. Not while the worker is starting after a crash, waiting in
   * restart backoff, or has left a ping unanswered for half the ping timeout (frozen). What
   * health reports; an ordinary recycle does not make it flap.
   */
  get available(): boolean {
    const w = this.worker;
    return (this.isReady && w?.pingOverdue !== true) || this.replacing;
  }

  /** Runs in flight. */
  get inFlight(): number {
    return this.worker?.inFlight.size ?? 0;
  }

  /** Free run slots of this worker (0 when not ready). */
  get freeSlots(): number {
    return this.isReady ? Math.max(0, this.opts.maxInFlight - this.inFlight) : 0;
  }

  /** Id and pid of the current worker, and its last stats. */
  get info(): {
    slot: number;
    workerId: number | undefined;
    pid: number | undefined;
    ready: boolean;
    inFlight: number;
    rssBytes: number;
    slots: number;
    state: 'ready' | 'starting' | 'draining' | 'stopping' | 'down';
    restarts: number;
    isolatesWarm: number;
    /** Isolates held for REPL sessions and warm function instances. */
    isolatesPinned: number;
  } {
    const w = this.worker;
    return {
      slot: this.slot,
      workerId: w?.id,
      pid: w?.pid,
      ready: this.isReady,
      inFlight: this.inFlight,
      rssBytes: w?.rssBytes || w?.stats?.rssBytes || 0,
      slots: this.opts.maxInFlight,
      state:
        w === undefined
          ? 'down'
          : w.killing !== undefined
            ? 'stopping'
            : w.draining
              ? 'draining'
              : w.ready
                ? 'ready'
                : 'starting',
      restarts: Math.max(0, this.restarts),
      isolatesWarm: w?.stats?.isolatesWarm ?? 0,
      isolatesPinned: (w?.stats?.replSessions ?? 0) + (w?.stats?.warmInstances ?? 0),
    };
  }

  /** Starts the first worker. Resolves when it is ready (or has failed once). */
  start(): Promise<void> {
    const ready = new Promise<void>((resolve) => this.readyWaiters.push(resolve));
    this.spawnWorker();
    return ready;
  }

  /**
   * Sends a run to the worker.
   * @throws UnavailableError NO_HEALTHY_WORKER when the worker is not ready or full.
   */
  run(
    request: ExecutionRequest,
    onOutput: (event: OutputEvent) => void,
    signal?: AbortSignal,
    trace?: TraceCarrier,
  ): Promise<RunResult> {
    return this.dispatch(
      (requestId) => ({ type: 'run', requestId, request, ...(trace?.traceparent ? { trace } : {}) }),
      request.limits.wallTimeMs,
      onOutput,
      signal,
    );
  }

  /** Sends a deployed function's invocation to the worker (like {@link run}). */
  invoke(
    request: InvokeRequest,
    onOutput: (event: OutputEvent) => void,
    signal?: AbortSignal,
    onCapability?: CapabilityCallHandler,
  ): Promise<RunResult> {
    const w = this.worker;
    const sent = w?.bundlesSent.has(request.key) === true;
    if (w !== undefined && !sent) rememberBundle(w, request.key);
    const { files: _files, ...withoutFiles } = request;
    return this.dispatch(
      (requestId) =>
        sent ? { type: 'invoke', requestId, request: withoutFiles } : { type: 'invoke', requestId, request },
      request.limits.wallTimeMs,
      onOutput,
      signal,
      onCapability,
      sent ? (requestId) => ({ type: 'invoke', requestId, request }) : undefined,
    );
  }

  private dispatch(
    message: (requestId: string) => ParentMessage,
    wallTimeMs: number,
    onOutput: (event: OutputEvent) => void,
    signal?: AbortSignal,
    onCapability?: CapabilityCallHandler,
    withBundle?: (requestId: string) => ParentMessage,
  ): Promise<RunResult> {
    const w = this.worker;
    if (!w || !this.isReady || this.freeSlots === 0) {
      return Promise.reject(
        new UnavailableError(
          ErrorCode.NO_HEALTHY_WORKER,
          'no worker can take the run right now; retry shortly',
        ),
      );
    }
    const requestId = `r${this.slot}-${++this.requestSeq}`;
    return new Promise<RunResult>((resolve, reject) => {
      const run: InFlightRun = {
        requestId,
        onCapability,
        wallTimeMs,
        onOutput,
        resolve,
        reject,
        cancelled: false,
        ...(withBundle !== undefined ? { withBundle: withBundle(requestId) } : {}),
        overrunTimer: setTimeout(() => {
          this.logger.warn(
            { worker_id: w.id, request_id: requestId, wall_time_ms: wallTimeMs },
            'run overran its wall limit; killing worker',
          );
          this.kill(w, 'overrun', requestId);
        }, wallTimeMs + this.opts.overrunGraceMs),
      };
      w.inFlight.set(requestId, run);
      this.startRssSampling(w);
      if (!this.send(w, message(requestId))) {
        this.kill(w, 'crashed');
        return;
      }
      if (signal) {
        const onAbort = (): void => this.cancel(w, requestId);
        if (signal.aborted) onAbort();
        else {
          signal.addEventListener('abort', onAbort, { once: true });
          const cleanup = (): void => signal.removeEventListener('abort', onAbort);
          run.resolve = (r) => {
            cleanup();
            resolve(r);
          };
          run.reject = (e) => {
            cleanup();
            reject(e);
          };
        }
      }
    });
  }

  /** REPL sessions held by the current worker. */
  get sessionCount(): number {
    return this.worker?.sessions.size ?? 0;
  }

  /**
   * Opens a REPL session in the current worker; it lives there until closed or the worker dies
   * (then `events.onLost`). Returns the id of the worker that holds it.
   * @throws UnavailableError NO_HEALTHY_WORKER when the worker is not ready.
   */
  async replOpen(sessionId: string, limits: Limits, events: ReplSessionEvents): Promise<number> {
    const w = this.worker;
    if (!w || !this.isReady) {
      throw new UnavailableError(
        ErrorCode.NO_HEALTHY_WORKER,
        'no worker can hold a session right now; retry shortly',
      );
    }
    w.sessions.set(sessionId, events);
    try {
      await this.replCall(
        w,
        { type: 'repl-open', requestId: this.nextReplId(), sessionId, limits },
        undefined,
        0,
      );
    } catch (err) {
      w.sessions.delete(sessionId);
      throw err;
    }
    return w.id;
  }

  /**
   * Sends a request to a session held by worker `workerId`. An eval whose worker does not answer
   * within its wall limit plus the overrun grace gets the worker killed (like a run).
   * @throws VmdError SESSION_NOT_FOUND if that worker is gone; WORKER_CRASHED if it dies meanwhile.
   */
  replRequest(
    workerId: number,
    sessionId: string,
    request: ReplRequest,
    onOutput?: (event: OutputEvent) => void,
  ): Promise<ReplReply> {
    const w = this.worker;
    if (!w || w.id !== workerId || !w.sessions.has(sessionId)) {
      return Promise.reject(sessionGone(sessionId));
    }
    const requestId = this.nextReplId();
    const message: ParentMessage =
      request.type === 'repl-eval'
        ? { type: 'repl-eval', requestId, sessionId, code: request.code }
        : request.type === 'repl-complete'
          ? { type: 'repl-complete', requestId, sessionId, line: request.line, cursor: request.cursor }
          : { type: 'repl-reset', requestId, sessionId };
    const overrunMs = request.type === 'repl-eval' ? request.wallTimeMs + this.opts.overrunGraceMs : 0;
    const interrupt = request.type === 'repl-eval' ? request.interrupt : undefined;
    if (interrupt === undefined) return this.replCall(w, message, onOutput, overrunMs);
    const onAbort = (): void => {
      if (this.worker === w) this.send(w, { type: 'repl-interrupt', sessionId, requestId });
    };
    interrupt.addEventListener('abort', onAbort, { once: true });
    const call = this.replCall(w, message, onOutput, overrunMs);
    if (interrupt.aborted) onAbort();
    return call.finally(() => interrupt.removeEventListener('abort', onAbort));
  }

  /** Interrupts whatever input of a session runs (no answer; the eval answers CANCELLED). */
  replInterrupt(workerId: number, sessionId: string): void {
    const w = this.worker;
    if (w && w.id === workerId) this.send(w, { type: 'repl-interrupt', sessionId });
  }

  /** Tells the worker to drop warm isolates of a tenant (see the `forget-warm` message). */
  forgetWarm(what: { isolateKey?: string; functionKeyPrefix?: string }): void {
    const w = this.worker;
    if (!w || w.killing !== undefined) return;
    const prefix = what.functionKeyPrefix;
    if (prefix !== undefined && prefix !== '') {
      for (const key of [...w.bundlesSent]) if (key.startsWith(prefix)) w.bundlesSent.delete(key);
    }
    this.send(w, { type: 'forget-warm', ...what });
  }

  /** Closes a session and frees its isolate. */
  replClose(workerId: number, sessionId: string): void {
    const w = this.worker;
    if (!w || w.id !== workerId || !w.sessions.delete(sessionId)) return;
    this.send(w, { type: 'repl-close', sessionId });
  }

  private nextReplId(): string {
    return `s${this.slot}-${++this.requestSeq}`;
  }

  private replCall(
    w: LiveWorker,
    message: ParentMessage & { requestId: string },
    onOutput: ((event: OutputEvent) => void) | undefined,
    overrunMs: number,
  ): Promise<ReplReply> {
    return new Promise<ReplReply>((resolve, reject) => {
      const pending: PendingReplRequest = {
        resolve,
        reject,
        onOutput,
        overrunTimer:
          overrunMs > 0
            ? setTimeout(() => {
                this.logger.warn(
                  { worker_id: w.id, request_id: message.requestId },
                  'REPL input overran its wall limit; killing worker',
                );
                this.kill(w, 'overrun', message.requestId);
              }, overrunMs)
            : undefined,
      };
      w.replRequests.set(message.requestId, pending);
      if (!this.send(w, message)) this.kill(w, 'crashed');
    });
  }

  private takeRepl(w: LiveWorker, requestId: string): PendingReplRequest | undefined {
    const pending = w.replRequests.get(requestId);
    if (pending === undefined) return undefined;
    w.replRequests.delete(requestId);
    if (pending.overrunTimer) clearTimeout(pending.overrunTimer);
    return pending;
  }

  /** Stops the slot: no restarts; asks the worker to shut down, SIGKILL after `graceMs`. */
  async stop(graceMs = 2_000): Promise<void> {
    this.stopping = true;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    const w = this.worker;
    if (!w) return;
    w.killing ??= 'shutdown';
    this.send(w, { type: 'shutdown' });
    const timer = setTimeout(() => this.kill(w, 'shutdown'), graceMs);
    await w.exited;
    clearTimeout(timer);
  }

  /** SIGKILLs the current worker (tests, operator action). */
  killCurrent(): void {
    if (this.worker) this.kill(this.worker, 'crashed');
  }

  private cancel(w: LiveWorker, requestId: string): void {
    const run = w.inFlight.get(requestId);
    if (!run || run.cancelled) return;
    run.cancelled = true;
    this.send(w, { type: 'cancel', requestId });
    run.cancelTimer = setTimeout(() => {
      if (w.inFlight.has(requestId)) {
        this.logger.warn(
          { worker_id: w.id, request_id: requestId },
          'worker did not end a cancelled run; killing worker',
        );
        this.kill(w, 'cancel-timeout', requestId);
      }
    }, this.opts.cancelGraceMs);
  }

  private send(w: LiveWorker, msg: ParentMessage): boolean {
    if (!w.child.connected) return false;
    try {
      w.child.send(msg, (err) => {
        if (err && w.killing === undefined) {
          this.logger.warn({ worker_id: w.id, err }, 'ipc send failed');
        }
      });
      return true;
    } catch (err) {
      this.logger.warn({ worker_id: w.id, err }, 'ipc send failed');
      return false;
    }
  }

  private spawnWorker(): void {
    if (this.stopping) return;
    const id = nextWorkerId++;
    this.restarts++;
    let child: ChildProcess;
    try {
      child = this.spawn(id);
    } catch (err) {
      this.logger.error({ worker_id: id, err }, 'worker spawn failed');
      this.replacing = false;
      this.scheduleRestart(true);
      this.events.onCapacity();
      return;
    }
    let markExited!: () => void;
    const w: LiveWorker = {
      id,
      child,
      pid: child.pid ?? 0,
      ready: false,
      readyAt: 0,
      inFlight: new Map(),
      replRequests: new Map(),
      sessions: new Map(),
      pingSeq: 0,
      pingSentAt: undefined,
      pingOverdue: false,
      pingTimer: undefined,
      rssTimer: undefined,
      readyTimer: undefined,
      rssBytes: 0,
      stats: undefined,
      killing: undefined,
      draining: false,
      bundlesSent: new Set(),
      exited: new Promise<void>((r) => (markExited = r)),
    };
    this.worker = w;
    const wlog = this.logger.child({ worker_id: id, worker_pid: w.pid });
    wlog.info({ slot: this.slot }, 'worker starting');
    // Now, so that the threads the worker starts with inherit it; again at `ready` for any
    // thread made before this call.
    this.lowerPriority(w, wlog, false);

    // A worker's own stdout/stderr is not a channel vmd uses: it carries what V8 or isolated-vm
    // print, which can include tenant text (an exception thrown in a FinalizationRegistry
    // callback is printed as `Uncaught Error: <message>`). Logged, but bounded: lines are cut at
    // 4 KiB and at most WORKER_OUTPUT_BURST lines plus WORKER_OUTPUT_PER_SECOND per second are
    // logged per worker; the rest is counted and reported once a minute at most.
    const outputBudget = new TokenBucket({
      ratePerSecond: WORKER_OUTPUT_PER_SECOND,
      burst: WORKER_OUTPUT_BURST,
    });
    let suppressed = 0;
    let suppressedSince = 0;
    for (const [stream, level] of [
      [child.stdout, 'info'],
      [child.stderr, 'warn'],
    ] as const) {
      if (!stream) continue;
      createInterface({ input: stream }).on('line', (line) => {
        if (line.trim() === '') return;
        if (!outputBudget.tryTake().ok) {
          if (suppressed++ === 0) suppressedSince = Date.now();
          if (Date.now() - suppressedSince < 60_000) return;
        }
        if (suppressed > 0) {
          wlog.warn({ lines: suppressed }, 'worker output suppressed (too many lines); see the next lines');
          suppressed = 0;
        }
        wlog[level](
          { stream: stream === child.stdout ? 'stdout' : 'stderr', line: line.slice(0, 4096) },
          'worker output',
        );
      });
    }

    child.on('message', (raw: unknown) => {
      const checked = checkWorkerMessage(raw);
      if (!checked.ok) {
        // isolation: a worker that sends what vmd's own worker never sends is compromised or
        // broken; its runs fail (WORKER_CRASHED) and the supervisor starts a fresh one.
        wlog.error({ problem: checked.problem }, 'malformed message from worker; killing it');
        this.kill(w, 'malformed-message');
        return;
      }
      this.onMessage(w, checked.message, wlog);
    });
    let exitHandled = false;
    const handleExit = (code: number | null, signal: NodeJS.Signals | null): void => {
      if (exitHandled) return;
      exitHandled = true;
      markExited();
      this.onExit(w, code, signal, wlog);
    };
    child.on('error', (err) => {
      wlog.error({ err }, 'worker process error');
      // A process that could not be spawned never emits 'exit'.
      if (child.pid === undefined) handleExit(null, null);
    });
    child.on('exit', handleExit);

    w.readyTimer = setTimeout(() => {
      if (!w.ready) {
        wlog.error({ ready_timeout_ms: this.opts.readyTimeoutMs }, 'worker did not become ready; killing it');
        this.kill(w, 'ready-timeout');
      }
    }, this.opts.readyTimeoutMs);
  }

  /** Gives every thread of the worker the configured nice value (see process-priority.ts). */
  private lowerPriority(w: LiveWorker, wlog: Logger, report: boolean): void {
    const nice = this.opts.workerNice;
    if (nice <= 0 || w.pid <= 0) return;
    const { threads, error } = lowerPriority(w.pid, nice);
    if (error !== undefined) {
      wlog.warn(
        { nice, threads, err: error },
        "could not lower the worker's CPU priority; it runs at the daemon's",
      );
    } else if (report) {
      wlog.debug({ nice, threads }, 'worker CPU priority lowered');
    }
  }

  private onMessage(w: LiveWorker, msg: WorkerMessage, wlog: Logger): void {
    switch (msg.type) {
      case 'ready': {
        if (w.readyTimer) clearTimeout(w.readyTimer);
        w.ready = true;
        w.readyAt = nowMs();
        if (msg.pid) w.pid = msg.pid;
        this.lowerPriority(w, wlog, true);
        wlog.info('worker ready');
        this.replacing = false;
        w.pingTimer = setInterval(() => this.ping(w), this.opts.pingIntervalMs);
        this.flushReadyWaiters();
        this.events.onCapacity();
        return;
      }
      case 'output': {
        w.inFlight.get(msg.requestId)?.onOutput(msg.event);
        return;
      }
      case 'run-result': {
        const run = this.take(w, msg.requestId);
        run?.resolve({ outcome: msg.outcome, workerId: w.id });
        return;
      }
      case 'run-error': {
        const run = this.take(w, msg.requestId);
        run?.reject(errorFromWire(msg.error));
        return;
      }
      case 'need-bundle': {
        // Nothing ran; the worker freed the requestId. Sent once: the files go along now.
        const run = w.inFlight.get(msg.requestId);
        const again = run?.withBundle;
        if (run === undefined || again === undefined) {
          // vmd's worker asks only for an invocation sent without its bundle, and only once.
          wlog.error({ request_id: msg.requestId }, 'worker asked for a bundle it was sent; killing it');
          this.kill(w, 'malformed-message');
          return;
        }
        delete run.withBundle;
        if (again.type === 'invoke') rememberBundle(w, again.request.key);
        if (!this.send(w, again)) {
          this.kill(w, 'crashed');
          return;
        }
        // A cancel that reached the worker before this found no run: it goes again, after.
        if (run.cancelled) this.send(w, { type: 'cancel', requestId: msg.requestId });
        return;
      }
      case 'cap-call': {
        const handler = w.inFlight.get(msg.requestId)?.onCapability;
        const answer = (resultJson: string): void => {
          this.send(w, { type: 'cap-result', callId: msg.callId, resultJson });
        };
        if (handler === undefined) {
          answer(
            JSON.stringify({
              ok: false,
              error: {
                name: 'PermissionError',
                message: `${msg.capability} is not available here: only deployed functions that request it, of tenants granted it, can use ${msg.capability}`,
              },
            }),
          );
          return;
        }
        handler(msg.capability, msg.op, msg.argsJson).then(answer, (err: unknown) =>
          answer(
            JSON.stringify({
              ok: false,
              error: {
                name: 'Error',
                message: err instanceof Error ? err.message : 'the capability call failed',
              },
            }),
          ),
        );
        return;
      }
      case 'repl-reply': {
        this.takeRepl(w, msg.requestId)?.resolve(msg.reply);
        return;
      }
      case 'repl-error': {
        this.takeRepl(w, msg.requestId)?.reject(errorFromWire(msg.error));
        return;
      }
      case 'repl-output': {
        const pending = msg.requestId === '' ? undefined : w.replRequests.get(msg.requestId);
        if (pending?.onOutput) pending.onOutput(msg.event);
        else w.sessions.get(msg.sessionId)?.onBackgroundOutput(msg.event);
        return;
      }
      case 'pong': {
        w.pingSentAt = undefined;
        if (w.pingOverdue) {
          w.pingOverdue = false;
          wlog.info('worker answers pings again');
          this.events.onCapacity();
        }
        w.stats = msg.stats;
        if (typeof msg.stats.rssBytes === 'number' && msg.stats.rssBytes > 0)
          this.checkRss(w, msg.stats.rssBytes);
        return;
      }
      case 'log': {
        const level = (['debug', 'info', 'warn', 'error'] as const).includes(msg.level) ? msg.level : 'info';
        wlog[level]({ ...msg.fields, from_worker: true }, msg.msg);
        return;
      }
      default: {
        const never: never = msg;
        wlog.warn({ type: (never as { type: string }).type }, 'unknown message from worker');
      }
    }
  }

  private take(w: LiveWorker, requestId: string): InFlightRun | undefined {
    const run = w.inFlight.get(requestId);
    if (!run) return undefined;
    w.inFlight.delete(requestId);
    clearTimeout(run.overrunTimer);
    if (run.cancelTimer) clearTimeout(run.cancelTimer);
    if (w.inFlight.size === 0) this.stopRssSampling(w);
    if (w.draining) queueMicrotask(() => this.recycleIfDrained(w));
    // Capacity grew; let the pool pump after the caller has seen the result.
    queueMicrotask(() => this.events.onCapacity());
    return run;
  }

  private ping(w: LiveWorker): void {
    if (w.killing) return;
    const now = nowMs();
    if (w.pingSentAt !== undefined) {
      if (now - w.pingSentAt > this.opts.pingTimeoutMs) {
        this.logger.error(
          { worker_id: w.id, ping_timeout_ms: this.opts.pingTimeoutMs },
          'worker did not answer ping; killing it',
        );
        this.kill(w, 'unresponsive');
      } else if (!w.pingOverdue && now - w.pingSentAt > this.opts.pingTimeoutMs / 2) {
        w.pingOverdue = true;
        this.logger.warn(
          { worker_id: w.id, unanswered_ms: Math.round(now - w.pingSentAt) },
          'worker is slow to answer a ping; not counted as available until it does',
        );
        this.events.onCapacity();
      }
      return;
    }
    w.pingSentAt = now;
    this.send(w, { type: 'ping', requestId: `p${++w.pingSeq}` });
  }

  private startRssSampling(w: LiveWorker): void {
    if (w.rssTimer || process.platform !== 'linux') return;
    w.rssTimer = setInterval(() => {
      // Synchronous: procfs is generated in memory and never waits on a disk, and one read
      // costs ~15 µs of CPU against ~120 µs for the four thread-pool trips of an async read
      // (20 samples a second per busy worker).
      let text: string;
      try {
        text = readFileSync(`/proc/${w.pid}/status`, 'utf8');
      } catch {
        return; // the process is gone; 'exit' handles it
      }
      const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(text);
      if (m) this.checkRss(w, Number(m[1]) * 1024);
    }, this.opts.rssSampleIntervalMs);
  }

  private stopRssSampling(w: LiveWorker): void {
    if (w.rssTimer) clearInterval(w.rssTimer);
    w.rssTimer = undefined;
  }

  /**
   * Past the RSS ceiling a worker is drained: it takes no new runs, finishes the ones it has and
   * is then recycled (a clean shutdown, a fresh process), so no request fails. Past 1.5× the
   * ceiling (one run is eating memory fast) it is killed at once.
   */
  private checkRss(w: LiveWorker, rssBytes: number): void {
    w.rssBytes = rssBytes;
    if (w.killing !== undefined) return;
    const fields = { worker_id: w.id, rss_bytes: rssBytes, rss_ceiling_bytes: this.opts.rssCeilingBytes };
    if (rssBytes > this.opts.rssCeilingBytes * 1.5) {
      this.logger.warn(fields, 'worker passed 1.5× its RSS ceiling; killing it');
      this.kill(w, 'rss');
      return;
    }
    if (rssBytes > this.opts.rssCeilingBytes && !w.draining) {
      this.logger.warn(
        { ...fields, in_flight: w.inFlight.size },
        'worker passed its RSS ceiling; draining it to recycle',
      );
      w.draining = true;
      this.replacing = true;
      this.events.onCapacity();
      this.recycleIfDrained(w);
    }
  }

  private recycleIfDrained(w: LiveWorker): void {
    if (!w.draining || w.inFlight.size > 0 || w.killing !== undefined) return;
    w.killing = 'recycle';
    this.clearTimers(w);
    this.send(w, { type: 'shutdown' });
    const timer = setTimeout(() => this.kill(w, 'recycle'), 2_000);
    timer.unref();
    void w.exited.then(() => clearTimeout(timer));
  }

  /** SIGKILLs the worker and settles its in-flight runs according to `reason`. */
  private kill(w: LiveWorker, reason: KillReason, culpritRequestId?: string): void {
    if (w.killing === undefined) w.killing = reason;
    if (PLANNED_STOPS.has(w.killing) && !this.stopping) this.replacing = true;
    this.clearTimers(w);
    this.failInFlight(w, reason, culpritRequestId);
    if (w.child.exitCode === null && w.child.signalCode === null) {
      try {
        w.child.kill('SIGKILL');
      } catch {
        // already gone
      }
    }
  }

  private clearTimers(w: LiveWorker): void {
    if (w.pingTimer) clearInterval(w.pingTimer);
    if (w.readyTimer) clearTimeout(w.readyTimer);
    this.stopRssSampling(w);
    w.pingTimer = undefined;
    w.readyTimer = undefined;
  }

  private failInFlight(w: LiveWorker, reason: KillReason, culpritRequestId?: string, exitInfo = ''): void {
    const lost =
      reason === 'shutdown'
        ? new UnavailableError(ErrorCode.SHUTTING_DOWN, 'the daemon is shutting down; the REPL session ended')
        : new UnavailableError(
            ErrorCode.WORKER_CRASHED,
            `the worker process holding this REPL session ${reason === 'overrun' ? 'was stopped because an input overran its wall limit' : reason === 'rss' || reason === 'recycle' ? 'passed its memory ceiling and was replaced' : 'died'}; the session and its state are lost: open a new one`,
          );
    for (const [requestId] of [...w.replRequests]) this.takeRepl(w, requestId)?.reject(lost);
    const sessions = [...w.sessions.values()];
    w.sessions.clear();
    for (const s of sessions) s.onLost(lost);
    const single = w.inFlight.size === 1;
    for (const run of [...w.inFlight.values()]) {
      this.take(w, run.requestId);
      const own = run.requestId === culpritRequestId;
      if (reason === 'overrun' && own) {
        run.resolve({
          outcome: failedOutcome(
            FailureKind.TIMEOUT,
            'TimeoutError',
            `the run did not end within its wall-time limit of ${run.wallTimeMs} ms and was stopped`,
          ),
          workerId: w.id,
        });
      } else if (reason === 'cancel-timeout' && own) {
        run.resolve({
          outcome: failedOutcome(FailureKind.CANCELLED, 'CancelledError', 'the run was cancelled'),
          workerId: w.id,
        });
      } else if (reason === 'rss' && single) {
        run.resolve({
          outcome: failedOutcome(
            FailureKind.MEMORY_LIMIT,
            'RangeError',
            'the run used more memory than its worker may hold and was stopped',
          ),
          workerId: w.id,
        });
      } else if (run.cancelled) {
        run.resolve({
          outcome: failedOutcome(FailureKind.CANCELLED, 'CancelledError', 'the run was cancelled'),
          workerId: w.id,
        });
      } else if (reason === 'shutdown') {
        run.reject(
          new UnavailableError(
            ErrorCode.SHUTTING_DOWN,
            'the daemon shut down before the run finished; retry on another instance or after restart',
          ),
        );
      } else {
        const why =
          reason === 'rss'
            ? ' after passing its memory ceiling'
            : reason === 'unresponsive'
              ? ' after it stopped responding'
              : reason === 'malformed-message'
                ? ' after it sent a malformed message'
                : reason === 'crashed'
                  ? exitInfo
                  : ` (${reason})`;
        run.reject(
          new UnavailableError(
            ErrorCode.WORKER_CRASHED,
            `the worker process running this code died${why} before the run finished; the request did not complete and can be retried`,
          ),
        );
      }
    }
  }

  private onExit(w: LiveWorker, code: number | null, signal: NodeJS.Signals | null, wlog: Logger): void {
    this.clearTimers(w);
    const reason: KillReason = w.killing ?? 'crashed';
    this.failInFlight(w, reason, undefined, ` (exit code ${String(code)}, signal ${String(signal)})`);
    if (this.stopping || reason === 'shutdown') wlog.info({ code, signal }, 'worker exited');
    else if (w.killing !== undefined) wlog.warn({ code, signal, reason }, 'worker killed');
    else wlog.warn({ code, signal, reason }, 'worker exited unexpectedly');
    if (this.worker === w) this.worker = undefined;
    // A planned stop (the worker's RSS, a run it could not stop) is replaced at once: the slot
    // stays available meanwhile. Crashes and failed starts are not.
    this.replacing = !this.stopping && PLANNED_STOPS.has(reason);
    this.events.onWorkerLost({ workerId: w.id, reason, code, signal });
    if (this.stopping) {
      this.flushReadyWaiters();
      return;
    }
    // Tenant-caused kills (overrun, rss, cancel) restart promptly; unexpected crashes and workers
    // that never became ready back off exponentially.
    const failure =
      reason === 'crashed' ||
      reason === 'ready-timeout' ||
      reason === 'unresponsive' ||
      reason === 'malformed-message';
    const stableMs = w.ready ? nowMs() - w.readyAt : 0;
    this.scheduleRestart(failure && !(stableMs > 10_000));
    if (!w.ready) this.flushReadyWaiters();
  }

  private scheduleRestart(isFailure: boolean): void {
    if (this.stopping) return;
    this.consecutiveFailures = isFailure ? this.consecutiveFailures + 1 : 0;
    const delay =
      this.consecutiveFailures === 0
        ? this.opts.backoffInitialMs
        : Math.min(this.opts.backoffMaxMs, this.opts.backoffInitialMs * 2 ** (this.consecutiveFailures - 1));
    this.logger.info({ slot: this.slot, delay_ms: delay }, 'worker restart scheduled');
    this.restartTimer = setTimeout(() => {
      this.restartTimer = undefined;
      this.spawnWorker();
    }, delay);
  }

  private flushReadyWaiters(): void {
    const waiters = this.readyWaiters;
    this.readyWaiters = [];
    for (const w of waiters) w();
  }
}

function failedOutcome(kind: ExecutionFailure['kind'], name: string, message: string): ExecutionOutcome {
  return {
    status: 'error',
    failure: { kind, name, message, stack: '', line: 0, column: 0 },
    metrics: noRunMetrics(),
  };
}

function sessionGone(sessionId: string): VmdError {
  return new NotFoundError(
    ErrorCode.SESSION_NOT_FOUND,
    'session',
    sessionId,
    `REPL session '${sessionId}' is no longer held by a worker (it was closed or its worker was replaced)`,
  );
}
