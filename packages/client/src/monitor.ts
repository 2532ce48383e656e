/**
 * `client.monitor`: live statistics of the daemon, its workers and its tenants
 * (vmd.v1.MonitorService). In secure mode these calls need the admin token; in local mode the
 * daemon answers on loopback.
 */
import type { CallScopeOptions } from './call-options.js';
import { callMetadata, cancelOnAbort, earliestDeadline, toGrpcCallOptions } from './call-options.js';
import { toVmdClientError } from './errors.js';
import { UINT32_MAX, limit } from './execution.js';
import type {
  GetStatsRequest,
  GetStatsResponse,
  MonitorServiceClient,
  Stats as WireStats,
  WatchStatsResponse,
} from './gen/vmd/v1/monitor.js';
import { readableToAsyncIterable } from './streams.js';
import type { TenantAdminTransport } from './tenants.js';

/** Daemon-wide totals of a {@link StatsSnapshot}. */
export interface DaemonStats {
  /** The daemon's version. */
  version: string;
  /** Seconds since the daemon started. */
  uptimeSeconds: number;
  /** Resident set size of the daemon process, bytes. */
  rssBytes: number;
  /** Runs in progress. */
  running: number;
  /** Runs waiting in the queues. */
  queued: number;
  /** Runs completed since the daemon started. */
  runsTotal: number;
  /** Failed runs since the daemon started. */
  errorsTotal: number;
  /** Completed runs per second, recently. */
  runsPerSecond: number;
  /** Open REPL sessions. */
  sessions: number;
}

/** One worker process. */
export interface WorkerStats {
  /** Stable slot id (a replaced worker keeps its slot id). */
  workerId: number;
  /** OS process id. */
  pid: number;
  /** Runs in flight. */
  busy: number;
  /** Maximum runs in flight. */
  slots: number;
  /** Pre-warmed isolates ready. */
  isolatesWarm: number;
  /** Live REPL sessions and warm function instances. */
  isolatesPinned: number;
  /** Resident set size, bytes. */
  rssBytes: number;
  /** Times this slot's worker was replaced. */
  restarts: number;
  /** `healthy`, `starting`, `draining` or `dead`. */
  state: string;
}

/** One tenant with activity; rates are per second over the daemon's recent window. */
export interface TenantStats {
  tenant: string;
  /** Runs in progress. */
  running: number;
  /** Runs waiting in the queue. */
  queued: number;
  /** Completed runs per second. */
  runsPerSecond: number;
  /** Failed runs per second. */
  errorsPerSecond: number;
  /** CPU milliseconds per second. */
  cpuMsPerSecond: number;
  /** Heap in use by the tenant's live isolates, bytes. */
  heapBytes: number;
  /** Open REPL sessions. */
  sessions: number;
  /** Runs completed since the daemon started. */
  runsTotal: number;
}

/** One snapshot of the daemon's statistics. Plain data: numbers, a `Date`, arrays. */
export interface StatsSnapshot {
  /** When the daemon took it (the time of arrival when the daemon did not say). */
  time: Date;
  daemon: DaemonStats;
  /** By worker id. */
  workers: WorkerStats[];
  /** Tenants with activity, by name. */
  tenants: TenantStats[];
}

/** Options of {@link Monitor.stats}. */
export interface StatsOptions extends CallScopeOptions {
  /** Only this tenant. @default every tenant */
  tenant?: string;
}

/** Options of {@link Monitor.watch}. */
export interface WatchStatsOptions extends CallScopeOptions {
  /** Only this tenant. @default every tenant */
  tenant?: string;
  /** Time between snapshots, ms (the daemon enforces a minimum). @default the daemon's, 1000 */
  intervalMs?: number;
}

type Transport = Pick<TenantAdminTransport, 'unary'> & {
  rawMonitor: () => InstanceType<typeof MonitorServiceClient>;
  address: () => string;
  /**
   * Cancels `call` when the client is closed (a watch never ends by itself, and would keep the
   * connection and the process alive); returns the error to report then, and a function that
   * stops tracking it.
   */
  trackStream: (call: { cancel(): void }) => { closedError: () => Error | undefined; untrack: () => void };
};

const PATH = '/vmd.v1.MonitorService/';

export class Monitor {
  /** @internal */
  constructor(private readonly t: Transport) {}

  /**
   * One snapshot: daemon totals, every worker, every tenant with activity (or only `tenant`).
   * @throws VmdClientError e.g. UNAVAILABLE, PERMISSION_DENIED/UNAUTHENTICATED in secure mode
   */
  async stats(options: StatsOptions = {}): Promise<StatsSnapshot> {
    const res = await this.t.unary<GetStatsRequest, GetStatsResponse>(
      (r, m, o, cb) => this.t.rawMonitor().getStats(r, m, o, cb),
      { tenant: options.tenant ?? '' },
      options,
      `${PATH}GetStats`,
    );
    return toSnapshot(res.stats);
  }

  /**
   * A snapshot every `intervalMs` until the consumer stops iterating (`break`) or `signal`
   * aborts; either cancels the call and ends the iteration without an error. Nothing is sent
   * until iteration starts.
   *
   * @example
   * ```ts
   * for await (const s of client.monitor.watch({ intervalMs: 500 })) console.log(s.daemon.running);
   * ```
   * `client.close()` ends a watch: the iteration throws `CANCELLED: this client was closed`.
   * @throws VmdClientError (from the iteration) e.g. UNAVAILABLE, INVALID_ARGUMENT (interval)
   */
  async *watch(options: WatchStatsOptions = {}): AsyncGenerator<StatsSnapshot, void, undefined> {
    const method = `${PATH}WatchStats`;
    const where = { address: this.t.address(), method };
    const signal = options.signal;
    const aborted = (): boolean => signal?.aborted === true;
    if (aborted()) return;
    const deadline = earliestDeadline(options.deadline, options.timeoutMs);
    let call;
    try {
      call = this.t
        .rawMonitor()
        .watchStats(
          { tenant: options.tenant ?? '', intervalMs: limit('intervalMs', options.intervalMs, UINT32_MAX) },
          callMetadata(),
          toGrpcCallOptions(deadline),
        );
    } catch (err) {
      throw toVmdClientError(err, where);
    }
    const responses = readableToAsyncIterable<WatchStatsResponse>(call, {
      mapError: (err) => toVmdClientError(err, where),
    });
    // An abort cancels the call; the CANCELLED it brings ends the iteration quietly. Closing
    // the client cancels it too, and the iteration throws the closed-client error.
    const remove = cancelOnAbort(call, signal);
    const tracked = this.t.trackStream(call);
    try {
      for await (const message of responses) {
        if (aborted()) return;
        yield toSnapshot(message.stats);
      }
    } catch (err) {
      if (aborted()) return;
      throw tracked.closedError() ?? err;
    } finally {
      tracked.untrack();
      remove();
      await responses.return?.();
    }
  }
}

/** The plain form of a wire snapshot (absent messages become zeros). */
export function toSnapshot(s: WireStats | undefined): StatsSnapshot {
  const d = s?.daemon;
  return {
    time: s?.time ?? new Date(),
    daemon: {
      version: d?.version ?? '',
      uptimeSeconds: d?.uptimeSeconds ?? 0,
      rssBytes: Number(d?.rssBytes ?? 0),
      running: d?.running ?? 0,
      queued: d?.queued ?? 0,
      runsTotal: Number(d?.runsTotal ?? 0),
      errorsTotal: Number(d?.errorsTotal ?? 0),
      runsPerSecond: d?.runsPerSecond ?? 0,
      sessions: d?.sessions ?? 0,
    },
    workers: (s?.workers ?? []).map((w) => ({
      workerId: w.workerId,
      pid: w.pid,
      busy: w.busy,
      slots: w.slots,
      isolatesWarm: w.isolatesWarm,
      isolatesPinned: w.isolatesPinned,
      rssBytes: Number(w.rssBytes),
      restarts: w.restarts,
      state: w.state,
    })),
    tenants: (s?.tenants ?? []).map((t) => ({
      tenant: t.tenant,
      running: t.running,
      queued: t.queued,
      runsPerSecond: t.runsPerSecond,
      errorsPerSecond: t.errorsPerSecond,
      cpuMsPerSecond: t.cpuMsPerSecond,
      heapBytes: Number(t.heapBytes),
      sessions: t.sessions,
      runsTotal: Number(t.runsTotal),
    })),
  };
}
