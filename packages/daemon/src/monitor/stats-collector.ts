/**
 * Live per-tenant statistics for MonitorService and `vmctl top`: totals since start and rates
 * over a sliding window of one-second buckets. Tenants idle for longer than `forgetAfterMs` are
 * forgotten, so a stream of distinct tenant names cannot grow memory without bound.
 */
import type { RunMeter, RunUsage } from '../tenants/usage-recorder.js';

export interface TenantCounters {
  tenant: string;
  runsTotal: number;
  errorsTotal: number;
  cpuMsTotal: number;
  /** Over the window: per second. */
  runsPerSecond: number;
  errorsPerSecond: number;
  cpuMsPerSecond: number;
  /** Largest heap a run of the tenant ended with in the window, bytes. */
  heapBytes: number;
}

interface Bucket {
  second: number;
  runs: number;
  errors: number;
  cpuMs: number;
  heap: number;
}

interface TenantState {
  runsTotal: number;
  errorsTotal: number;
  cpuMsTotal: number;
  buckets: Bucket[];
  lastSeen: number;
}

export interface StatsCollectorOptions {
  /** The window rates are computed over, seconds. @default 10 */
  windowSeconds?: number;
  /** A tenant with no run for this long is dropped from the statistics, ms. @default 600000 */
  forgetAfterMs?: number;
  now?: () => number;
}

export class StatsCollector implements RunMeter {
  private readonly tenants = new Map<string, TenantState>();
  private readonly windowSeconds: number;
  private readonly forgetAfterMs: number;
  private readonly now: () => number;
  /** Runs and errors (failures of tenant code and platform failures) in the daemon since start. */
  runsTotal = 0;
  errorsTotal = 0;
  rejectedTotal = 0;

  constructor(options: StatsCollectorOptions = {}) {
    this.windowSeconds = options.windowSeconds ?? 10;
    this.forgetAfterMs = options.forgetAfterMs ?? 600_000;
    this.now = options.now ?? Date.now;
  }

  recordRun(tenant: string, run: RunUsage): void {
    const now = this.now();
    const state = this.state(tenant, now);
    // A run fails when its code failed or the platform failed it (a worker crash, …).
    const failed = run.failureKind !== undefined || run.platformError !== undefined;
    const cpu = Number.isFinite(run.cpuMs) && run.cpuMs > 0 ? run.cpuMs : 0;
    state.runsTotal++;
    state.cpuMsTotal += cpu;
    if (failed) state.errorsTotal++;
    this.runsTotal++;
    if (failed) this.errorsTotal++;
    const b = this.bucket(state, now);
    b.runs++;
    b.cpuMs += cpu;
    if (failed) b.errors++;
    b.heap = Math.max(b.heap, run.heapBytes ?? 0);
  }

  recordRejected(tenant: string): void {
    this.rejectedTotal++;
    this.state(tenant, this.now());
  }

  /** Runs per second in the daemon over the window. */
  runsPerSecond(): number {
    let runs = 0;
    for (const t of this.snapshot()) runs += t.runsPerSecond;
    return runs;
  }

  /** Every tenant seen within `forgetAfterMs` (or one tenant). */
  snapshot(only?: string): TenantCounters[] {
    const now = this.now();
    const nowSecond = Math.floor(now / 1000);
    const out: TenantCounters[] = [];
    for (const [tenant, s] of this.tenants) {
      if (now - s.lastSeen > this.forgetAfterMs) {
        this.tenants.delete(tenant);
        continue;
      }
      if (only !== undefined && tenant !== only) continue;
      let runs = 0;
      let errors = 0;
      let cpu = 0;
      let heap = 0;
      // The current second is partial: the window is the last `windowSeconds` whole seconds.
      for (const b of s.buckets) {
        if (b.second >= nowSecond || b.second < nowSecond - this.windowSeconds) continue;
        runs += b.runs;
        errors += b.errors;
        cpu += b.cpuMs;
        heap = Math.max(heap, b.heap);
      }
      out.push({
        tenant,
        runsTotal: s.runsTotal,
        errorsTotal: s.errorsTotal,
        cpuMsTotal: s.cpuMsTotal,
        runsPerSecond: runs / this.windowSeconds,
        errorsPerSecond: errors / this.windowSeconds,
        cpuMsPerSecond: cpu / this.windowSeconds,
        heapBytes: heap,
      });
    }
    return out;
  }

  private state(tenant: string, now: number): TenantState {
    let s = this.tenants.get(tenant);
    if (s === undefined) {
      s = { runsTotal: 0, errorsTotal: 0, cpuMsTotal: 0, buckets: [], lastSeen: now };
      this.tenants.set(tenant, s);
    }
    s.lastSeen = now;
    return s;
  }

  private bucket(s: TenantState, now: number): Bucket {
    const second = Math.floor(now / 1000);
    let b = s.buckets.at(-1);
    if (b === undefined || b.second !== second) {
      b = { second, runs: 0, errors: 0, cpuMs: 0, heap: 0 };
      s.buckets.push(b);
      while (s.buckets.length > this.windowSeconds + 2) s.buckets.shift();
    }
    return b;
  }
}
