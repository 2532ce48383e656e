import { ErrorCode, UnavailableError, type ExecutionRequest, type OutputEvent } from '@vmd/core';
import type { Logger } from 'pino';
import type { SpawnWorkerFn } from './spawn-worker.js';
import { WorkerSupervisor, type RunResult, type SupervisorOptions } from './worker-supervisor.js';

export type { RunResult } from './worker-supervisor.js';

/** Options for {@link WorkerPool}. */
export interface WorkerPoolOptions extends SupervisorOptions {
  /** Number of worker processes. */
  workers: number;
  spawn: SpawnWorkerFn;
  logger: Logger;
  /** Called when capacity may have grown (a worker became ready, a run finished). */
  onCapacity?: () => void;
}

/** A snapshot of one worker, for monitoring and tests. */
export interface WorkerInfo {
  slot: number;
  workerId: number | undefined;
  pid: number | undefined;
  ready: boolean;
  inFlight: number;
  rssBytes: number;
}

/**
 * N supervised worker processes. Dispatches each run to the least-busy ready worker (at most
 * `maxInFlight` each) and routes its output and result back by request id.
 */
export class WorkerPool {
  private readonly supervisors: WorkerSupervisor[] = [];
  private rr = 0;
  /** Worker processes lost (crashed or killed) since start. */
  restarts = 0;

  constructor(private readonly options: WorkerPoolOptions) {
    for (let slot = 0; slot < options.workers; slot++) {
      this.supervisors.push(
        new WorkerSupervisor(slot, options.spawn, options, options.logger, {
          onCapacity: () => options.onCapacity?.(),
          onWorkerLost: () => {
            this.restarts++;
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
  ): Promise<RunResult> {
    let best: WorkerSupervisor | undefined;
    const n = this.supervisors.length;
    for (let i = 0; i < n; i++) {
      const s = this.supervisors[(this.rr + i) % n]!;
      if (s.freeSlots === 0) continue;
      if (!best || s.inFlight < best.inFlight) best = s;
    }
    this.rr = (this.rr + 1) % Math.max(1, n);
    if (!best) {
      return Promise.reject(
        new UnavailableError(
          ErrorCode.NO_HEALTHY_WORKER,
          'no healthy worker is available to run the code; retry shortly',
        ),
      );
    }
    return best.run(request, onOutput, signal);
  }

  /** Stops every worker: `shutdown`, then SIGKILL after `graceMs`. */
  async stop(graceMs = 2_000): Promise<void> {
    await Promise.all(this.supervisors.map((s) => s.stop(graceMs)));
  }
}
