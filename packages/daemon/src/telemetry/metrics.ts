/**
 * OpenTelemetry metrics of the daemon, exported for Prometheus (`vmd serve --metrics HOST:PORT`,
 * scraped at /metrics) and/or pushed over OTLP (`OTEL_METRICS_EXPORTER=otlp`, metric-push.ts).
 * Counters and histograms are fed by every run (the services' RunMeter);
 * gauges are read from the scheduler, the worker pool and the REPL service at scrape time.
 * Metric names and labels: docs/observability.md.
 */
import { status as Status } from '@grpc/grpc-js';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { MeterProvider, type IMetricReader } from '@opentelemetry/sdk-metrics';
import type { Logger } from 'pino';
import type { RunMeter, RunUsage } from '../tenants/usage-recorder.js';
import { vmdResource } from './resource.js';
import { metricsSummary } from './startup-summary.js';

/** What the gauges read. */
export interface MetricsSources {
  queued: () => number;
  inFlight: () => number;
  sessions: () => number;
  workers: () => Array<{
    workerId: number | undefined;
    rssBytes: number;
    restarts: number;
    isolatesPinned: number;
    isolatesWarm: number;
  }>;
}

/** The `outcome` of a run that ended in a platform failure (its `code` label says which). */
export const PLATFORM_ERROR = 'platform_error';

const MS_BUCKETS = [0.5, 1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000];
const BYTE_BUCKETS = [
  1 << 10,
  16 << 10,
  256 << 10,
  1 << 20,
  8 << 20,
  32 << 20,
  64 << 20,
  128 << 20,
  512 << 20,
];

export class DaemonMetrics implements RunMeter {
  private readonly provider: MeterProvider;
  /** The Prometheus endpoint, when `--metrics` is set. */
  private readonly exporter: PrometheusExporter | undefined;
  private readonly runs;
  private readonly rejected;
  private readonly cpu;
  private readonly queueWait;
  private readonly runWall;
  private readonly total;
  private readonly heap;
  private readonly output;
  private readonly rpcs;

  /**
   * @param listen the Prometheus endpoint's HOST:PORT, or '' for none
   * @param push a reader that pushes the metrics (metric-push.ts), if any
   */
  constructor(
    private readonly listen: string,
    sources: MetricsSources,
    private readonly logger?: Logger,
    push?: IMetricReader,
  ) {
    if (listen !== '') {
      const at = listen.lastIndexOf(':');
      const host = listen.slice(0, at).replace(/^\[|\]$/g, '');
      const port = Number(listen.slice(at + 1));
      this.exporter = new PrometheusExporter({
        host,
        port,
        preventServerStart: true,
        withoutScopeInfo: true,
      });
    }
    const readers = [this.exporter, push].filter((r): r is IMetricReader => r !== undefined);
    // The resource of the traces (service.name vmd, service.version): Prometheus shows it as
    // target_info.
    this.provider = new MeterProvider({ resource: vmdResource(), readers });
    const meter = this.provider.getMeter('vmd');
    this.runs = meter.createCounter('vmd_executions', {
      description:
        'Runs admitted past the quotas, by tenant, kind (execute, invoke, repl) and outcome (ok, the failure kind of the tenant code, or platform_error with the vmd error code in `code`)',
    });
    this.rpcs = meter.createCounter('vmd_rpc', {
      description: 'Finished RPCs by method and gRPC status code (OK, UNAUTHENTICATED, UNAVAILABLE, …)',
    });
    this.rejected = meter.createCounter('vmd_rejected', {
      description: 'Requests refused by a tenant quota (rate, concurrency, queue depth)',
    });
    this.cpu = meter.createCounter('vmd_cpu_time_ms', {
      description: "CPU time charged to runs (their isolates, plus their share of the worker's thread), ms",
      unit: 'ms',
    });
    this.queueWait = meter.createHistogram('vmd_queue_wait_ms', {
      description: 'Time a run waited in the scheduler, ms',
      unit: 'ms',
      advice: { explicitBucketBoundaries: MS_BUCKETS },
    });
    this.runWall = meter.createHistogram('vmd_run_duration_ms', {
      description: 'Wall time of a run in its worker, ms',
      unit: 'ms',
      advice: { explicitBucketBoundaries: MS_BUCKETS },
    });
    this.total = meter.createHistogram('vmd_request_duration_ms', {
      description:
        'From the arrival of a request that ran to its outcome (admission, queue, dispatch, run), ms',
      unit: 'ms',
      advice: { explicitBucketBoundaries: MS_BUCKETS },
    });
    this.heap = meter.createHistogram('vmd_heap_used_bytes', {
      description: 'Isolate heap used at the end of a run, bytes',
      unit: 'By',
      advice: { explicitBucketBoundaries: BYTE_BUCKETS },
    });
    this.output = meter.createCounter('vmd_output_bytes', {
      description: 'Console output of tenant code, bytes',
      unit: 'By',
    });
    meter
      .createObservableGauge('vmd_queue_depth', { description: 'Requests waiting in the scheduler' })
      .addCallback((r) => r.observe(sources.queued()));
    meter
      .createObservableGauge('vmd_runs_in_flight', { description: 'Runs holding a worker slot' })
      .addCallback((r) => r.observe(sources.inFlight()));
    meter
      .createObservableGauge('vmd_repl_sessions', { description: 'Open REPL sessions' })
      .addCallback((r) => r.observe(sources.sessions()));
    meter
      .createObservableGauge('vmd_worker_rss_bytes', {
        description: 'Resident set size of each worker process',
        unit: 'By',
      })
      .addCallback((r) => {
        for (const w of sources.workers()) r.observe(w.rssBytes, { worker: String(w.workerId ?? 'none') });
      });
    meter
      .createObservableGauge('vmd_warm_isolates', {
        description: "Fresh isolates ready in the workers' pools",
      })
      .addCallback((r) => r.observe(sources.workers().reduce((n, w) => n + w.isolatesWarm, 0)));
    meter
      .createObservableGauge('vmd_pinned_isolates', {
        description: 'Isolates kept by workers for REPL sessions and warm function instances',
      })
      .addCallback((r) => r.observe(sources.workers().reduce((n, w) => n + w.isolatesPinned, 0)));
    meter
      .createObservableCounter('vmd_worker_restarts', {
        description: 'Worker processes started to replace others',
      })
      .addCallback((r) => r.observe(sources.workers().reduce((n, w) => n + w.restarts, 0)));
    meter
      .createObservableGauge('vmd_daemon_rss_bytes', {
        description: 'Resident set size of the daemon process',
        unit: 'By',
      })
      .addCallback((r) => r.observe(process.memoryUsage.rss()));
    meter
      .createObservableGauge('vmd_daemon_heap_used_bytes', {
        description: 'V8 heap used by the daemon process',
        unit: 'By',
      })
      .addCallback((r) => r.observe(process.memoryUsage().heapUsed));
  }

  /** Starts the HTTP endpoint, if there is one. */
  async start(): Promise<void> {
    if (this.exporter === undefined) return;
    await this.exporter.startServer();
    const summary = metricsSummary(this.listen);
    this.logger?.info(summary.fields, summary.message);
  }

  /** Closes the endpoint and pushes the last values (a push reader's final export). */
  async stop(): Promise<void> {
    await this.exporter?.stopServer().catch(() => undefined);
    await this.provider.shutdown().catch(() => undefined);
  }

  recordRun(tenant: string, run: RunUsage): void {
    const kind = run.kind ?? 'execute';
    if (run.platformError !== undefined) {
      // The RPC failed, not the tenant's code: its own outcome, with the vmd error code.
      this.runs.add(1, { tenant, kind, outcome: PLATFORM_ERROR, code: run.platformError });
      if (run.totalMs !== undefined) this.total.record(run.totalMs, { kind });
      return;
    }
    this.runs.add(1, { tenant, kind, outcome: run.failureKind ?? 'ok' });
    if (run.cpuMs > 0) this.cpu.add(run.cpuMs, { tenant });
    this.queueWait.record(Math.max(0, run.queueWaitMs), { kind });
    if (run.wallMs !== undefined) this.runWall.record(run.wallMs, { kind });
    if (run.totalMs !== undefined) this.total.record(run.totalMs, { kind });
    if (run.heapBytes !== undefined) this.heap.record(run.heapBytes, { kind });
    if (run.outputBytes !== undefined && run.outputBytes > 0) this.output.add(run.outputBytes, { tenant });
  }

  recordRejected(tenant: string): void {
    this.rejected.add(1, { tenant });
  }

  /** Counts one finished RPC by method (`vmd.v1.ExecutionService/Execute`) and gRPC status. */
  recordRpc(path: string, code: Status): void {
    this.rpcs.add(1, { method: path.replace(/^\//, ''), code: Status[code] ?? String(code) });
  }
}
