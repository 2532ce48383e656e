/**
 * vmd.v1.MonitorService: live statistics of the daemon, its workers and its tenants (GetStats,
 * and WatchStats: one snapshot per interval until the client cancels). In secure mode only the
 * admin token may watch (it shows every tenant); local mode serves loopback callers.
 */
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { InvalidArgumentError } from '@vmd/core';
import type {
  GetStatsRequest,
  GetStatsResponse,
  Stats,
  WatchStatsRequest,
  WatchStatsResponse,
} from '@vmd/client/wire';
import type { CallContext, ServerStreamingHandler, UnaryHandler } from '../grpc/adapt-handlers.js';
import type { StatsCollector } from '../monitor/stats-collector.js';
import type { Scheduler } from '../scheduler/scheduler.js';
import type { Admission } from '../tenants/admission.js';
import type { WorkerPool } from '../workers/worker-pool.js';

export interface MonitorServiceDeps {
  version: string;
  stats: StatsCollector;
  pool: WorkerPool;
  scheduler: Scheduler;
  admission: Admission;
  /** Open REPL sessions, in all and per tenant. */
  sessions: { readonly size: number; sessionsOf(tenant: string): number };
  /** Checks the caller may watch the daemon (secure mode: the admin token). */
  authorize?: (ctx: CallContext) => Promise<unknown>;
}

export interface MonitorServiceHandlers {
  getStats: UnaryHandler<GetStatsRequest, GetStatsResponse>;
  watchStats: ServerStreamingHandler<WatchStatsRequest, WatchStatsResponse>;
}

/** Shortest and default WatchStats interval, ms. */
const MIN_INTERVAL_MS = 200;
const DEFAULT_INTERVAL_MS = 1000;

export function createMonitorService(deps: MonitorServiceDeps): MonitorServiceHandlers {
  const startedAt = performance.now();

  function snapshot(tenant: string): Stats {
    const workers = deps.pool.workers();
    const tenants = deps.stats.snapshot(tenant === '' ? undefined : tenant);
    return {
      time: new Date(),
      daemon: {
        version: deps.version,
        uptimeSeconds: (performance.now() - startedAt) / 1000,
        rssBytes: process.memoryUsage.rss(),
        running: deps.scheduler.inFlight,
        queued: deps.scheduler.queued,
        runsTotal: deps.stats.runsTotal,
        errorsTotal: deps.stats.errorsTotal,
        runsPerSecond: tenants.reduce((n, t) => n + t.runsPerSecond, 0),
        sessions: deps.sessions.size,
      },
      workers: workers.map((w) => ({
        workerId: w.workerId ?? 0,
        pid: w.pid ?? 0,
        busy: w.inFlight,
        slots: w.slots,
        isolatesWarm: w.isolatesWarm,
        isolatesPinned: w.isolatesPinned,
        rssBytes: w.rssBytes,
        restarts: w.restarts,
        state: w.state,
      })),
      tenants: tenants.map((t) => ({
        tenant: t.tenant,
        running: deps.admission.running(t.tenant),
        queued: deps.scheduler.queueDepth(t.tenant),
        runsPerSecond: t.runsPerSecond,
        errorsPerSecond: t.errorsPerSecond,
        cpuMsPerSecond: t.cpuMsPerSecond,
        heapBytes: t.heapBytes,
        sessions: deps.sessions.sessionsOf(t.tenant),
        runsTotal: t.runsTotal,
      })),
    };
  }

  return {
    async getStats(req, ctx) {
      await deps.authorize?.(ctx);
      return { stats: snapshot(req.tenant) };
    },
    async *watchStats(req, ctx) {
      await deps.authorize?.(ctx);
      if (req.intervalMs !== 0 && req.intervalMs < MIN_INTERVAL_MS) {
        throw new InvalidArgumentError(
          'interval_ms',
          `interval_ms must be 0 (default ${DEFAULT_INTERVAL_MS}) or at least ${MIN_INTERVAL_MS}`,
        );
      }
      const interval = req.intervalMs === 0 ? DEFAULT_INTERVAL_MS : req.intervalMs;
      while (!ctx.signal.aborted) {
        yield { stats: snapshot(req.tenant) };
        try {
          await sleep(interval, undefined, { signal: ctx.signal });
        } catch {
          return;
        }
      }
    },
  };
}
