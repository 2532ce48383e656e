import {
  ErrorCode,
  UnavailableError,
  type ExecutionRequest,
  type InvokeRequest,
  type Limits,
  type OutputEvent,
  type ReplReply,
  type TraceCarrier,
} from '@vmd/core';
import type { Logger } from 'pino';
import type { SpawnWorkerFn } from './spawn-worker.js';
import {
  WorkerSupervisor,
  type CapabilityCallHandler,
  type ReplRequest,
  type ReplSessionEvents,
  type RunResult,
  type SupervisorOptions,
} from './worker-supervisor.js';

export type {
  CapabilityCallHandler,
  ReplRequest,
  ReplSessionEvents,
  RunResult,
} from './worker-supervisor.js';

/** Share of the RSS ceiling past which a worker takes no new REPL session. */
const SESSION_RSS_FRACTION = 0.85;

/** Longest a REPL session's open waits for a ready worker (one starting, or replacing a crashed one). */
export const SESSION_WORKER_WAIT_MS = 5_000;

/** Where a REPL session lives: a worker slot and the worker process in it. */
export interface SessionPlacement {
  slot: number;
  workerId: number;
}

/** Options for {@link WorkerPool}. */
export interface WorkerPoolOptions extends SupervisorOptions {
  /** Number of worker processes. */
  workers: number;
  spawn: SpawnWorkerFn;
  logger: Logger;
  /**
   * Called when capacity or availability may have changed (a worker became ready or was lost,
   * a run finished).
   */
  onCapacity?: () => void;
}

/** A snapshot of one worker, for monitoring and tests. */
export type WorkerInfo = WorkerSupervisor['info'];

/**
 * N supervised worker processes. Dispatches each run to the least-busy ready worker (at most
 * `maxInFlight` each) and routes its output and result back by request id.
 */
export class WorkerPool {
  private readonly supervisors: WorkerSupervisor[] = [];
  private rr = 0;
  /** Waiting for a change of capacity (a worker became ready, say): see {@link openSession}. */
  private readonly capacityWaiters = new Set<() => void>();
  /** Worker processes lost (crashed or killed) since start. */
  restarts = 0;

  constructor(private readonly options: WorkerPoolOptions) {
    for (let slot = 0; slot < options.workers; slot++) {
      this.supervisors.push(
        new WorkerSupervisor(slot, options.spawn, options, options.logger, {
          onCapacity: () => this.capacityChanged(),
          onWorkerLost: () => {
            this.restarts++;
            this.capacityChanged();
          },
        }),
      );
    }
  }

  /** Starts every worker; resolves once each has become ready or failed its first start. */
  async start(): Promise<void> {
    await Promise.all(this.supervisors.map((s) => s.start()));
  }

  /** Workers ready to take runs. */
  get readyWorkers(): number {
    return this.supervisors.filter((s) => s.isReady).length;
  }

  /**
   * True while at least one worker slot can run code (see WorkerSupervisor.available): false
   * when every worker has crashed and waits in restart backoff, or is frozen.
   */
  get available(): boolean {
    return this.supervisors.some((s) => s.available);
  }

  /** Runs the pool can have in flight right now (ready workers × per-worker cap). */
  capacity(): number {
    return this.readyWorkers * this.options.maxInFlight;
  }

  /** Runs in flight. */
  get inFlight(): number {
    return this.supervisors.reduce((n, s) => n + s.inFlight, 0);
  }

  /** Snapshot of every worker slot. */
  workers(): WorkerInfo[] {
    return this.supervisors.map((s) => s.info);
  }

  /**
   * Runs one execution on the least-busy ready worker. Output events go to `onOutput` as they
   * arrive. Aborting `signal` sends `cancel` to the worker at once (the run then ends with
   * CANCELLED).
   * @throws UnavailableError NO_HEALTHY_WORKER (no free worker), WORKER_CRASHED (it died mid-run),
   *   SHUTTING_DOWN; or a VmdError the worker reported.
   */
  run(
    request: ExecutionRequest,
    onOutput: (event: OutputEvent) => void,
    signal?: AbortSignal,
    trace?: TraceCarrier,
  ): Promise<RunResult> {
    // isolation `context`: a tenant's runs prefer one worker, where its warm isolates are.
    const best = request.isolateKey === undefined ? this.leastBusy() : this.preferring(request.isolateKey);
    if (!best) return Promise.reject(noWorker());
    return best.run(request, onOutput, signal, trace);
  }

  /**
   * Invokes a deployed function. Invocations of one function version prefer one worker (by a
   * hash of its key) so its warm instances are found again; a busy preferred worker yields to
   * the least-busy one.
   */
  invoke(
    request: InvokeRequest,
    onOutput: (event: OutputEvent) => void,
    signal?: AbortSignal,
    onCapability?: CapabilityCallHandler,
  ): Promise<RunResult> {
    const chosen = this.preferring(request.key);
    if (!chosen) return Promise.reject(noWorker());
    return chosen.invoke(request, onOutput, signal, onCapability);
  }

  /** The worker `key` hashes to while it has room to spare, else the least-busy one. */
  private preferring(key: string): WorkerSupervisor | undefined {
    const n = this.supervisors.length;
    let hash = 0;
    for (let i = 0; i < key.length; i++) hash = (hash * 31 + key.charCodeAt(i)) >>> 0;
    const preferred = this.supervisors[hash % Math.max(1, n)];
    return preferred !== undefined &&
      preferred.freeSlots > 0 &&
      preferred.inFlight < this.options.maxInFlight - 1
      ? preferred
      : this.leastBusy();
  }

  private leastBusy(): WorkerSupervisor | undefined {
    let best: WorkerSupervisor | undefined;
    const n = this.supervisors.length;
    for (let i = 0; i < n; i++) {
      const s = this.supervisors[(this.rr + i) % n]!;
      if (s.freeSlots === 0) continue;
      if (!best || s.inFlight < best.inFlight) best = s;
    }
    this.rr = (this.rr + 1) % Math.max(1, n);
    return best;
  }

  /** REPL sessions held by all workers. */
  get sessionCount(): number {
    return this.supervisors.reduce((n, s) => n + s.sessionCount, 0);
  }

  private capacityChanged(): void {
    for (const wake of [...this.capacityWaiters]) wake();
    this.options.onCapacity?.();
  }

  /** Resolves at the next change of capacity, or after `ms`. */
  private nextCapacityChange(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = (): void => {
        clearTimeout(timer);
        this.capacityWaiters.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.capacityWaiters.add(wake);
    });
  }

  /**
   * Opens a REPL session on the ready worker holding the fewest sessions. The session is pinned
   * to that worker process for its whole life. When no worker is ready (one is starting or being
   * replaced after a crash), it waits up to {@link SESSION_WORKER_WAIT_MS} for one, as a run
   * waits in its queue.
   * @throws UnavailableError NO_HEALTHY_WORKER when no worker is ready in time, or every ready
   *   one is near its memory ceiling.
   */
  async openSession(sessionId: string, limits: Limits, events: ReplSessionEvents): Promise<SessionPlacement> {
    // A worker near its RSS ceiling takes no new session: past the ceiling it is drained and
    // recycled, and the sessions it holds end with it.
    const roomy = (s: WorkerSupervisor): boolean =>
      s.info.rssBytes < this.options.rssCeilingBytes * SESSION_RSS_FRACTION;
    const until = performance.now() + SESSION_WORKER_WAIT_MS;
    let best: WorkerSupervisor | undefined;
    let nearCeiling: number;
    for (;;) {
      nearCeiling = 0;
      for (const s of this.supervisors) {
        if (!s.isReady) continue;
        if (!roomy(s)) {
          nearCeiling++;
          continue;
        }
        if (!best || s.sessionCount < best.sessionCount) best = s;
      }
      const left = until - performance.now();
      if (best !== undefined || nearCeiling > 0 || left <= 0) break;
      await this.nextCapacityChange(left);
    }
    if (!best) {
      throw new UnavailableError(
        ErrorCode.NO_HEALTHY_WORKER,
        nearCeiling > 0
          ? `every worker is near its memory ceiling (${Math.round(this.options.rssCeilingBytes / 2 ** 20)} MiB) and takes no new REPL session; close sessions or raise --worker-rss-ceiling-mib`
          : 'no healthy worker is available to hold the session; retry shortly',
      );
    }
    const slot = this.supervisors.indexOf(best);
    const workerId = await best.replOpen(sessionId, limits, events);
    return { slot, workerId };
  }

  /** A request to a session's worker (see {@link WorkerSupervisor.replRequest}). */
  replRequest(
    at: SessionPlacement,
    sessionId: string,
    request: ReplRequest,
    onOutput?: (event: OutputEvent) => void,
  ): Promise<ReplReply> {
    return this.supervisors[at.slot]!.replRequest(at.workerId, sessionId, request, onOutput);
  }

  replInterrupt(at: SessionPlacement, sessionId: string): void {
    this.supervisors[at.slot]?.replInterrupt(at.workerId, sessionId);
  }

  replClose(at: SessionPlacement, sessionId: string): void {
    this.supervisors[at.slot]?.replClose(at.workerId, sessionId);
  }

  /**
   * Every worker drops what a tenant's earlier runs left warm: isolates kept for `isolateKey`
   * (isolation `context`) and function instances whose key starts with `functionKeyPrefix`.
   */
  forgetWarm(what: { isolateKey?: string; functionKeyPrefix?: string }): void {
    for (const s of this.supervisors) s.forgetWarm(what);
  }

  /** Stops every worker: `shutdown`, then SIGKILL after `graceMs`. */
  async stop(graceMs = 2_000): Promise<void> {
    await Promise.all(this.supervisors.map((s) => s.stop(graceMs)));
  }
}

function noWorker(): UnavailableError {
  return new UnavailableError(
    ErrorCode.NO_HEALTHY_WORKER,
    'no healthy worker is available to run the code; retry shortly',
  );
}
