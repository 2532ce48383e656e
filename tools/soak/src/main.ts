/**
 * `npm run soak`: a long run of mixed executions against one real daemon, watching for
 * wrong outcomes and for memory that keeps growing.
 *
 * Starts the built `vmd serve` (`startDaemon`, 2 workers by default), runs `--runs` executions
 * (default 100,000) through one `VmdClient` with `--concurrency` in flight (default 16), in a
 * fixed repeating mix (mix.ts): 85% `1 + 1`, 10% 50 console lines, 3% past a 16 MiB heap limit
 * (MEMORY_LIMIT), 2% `while (true) {}` past a 50 ms wall limit (TIMEOUT). Every outcome is
 * checked. Every `--sample-ms` (2 s) it samples the RSS of the daemon and the sum of its
 * workers' (the daemon's child processes) and prints progress to stderr.
 *
 * The report (a table, or JSON with `--json`) gives the duration, runs/s, mismatches, platform
 * errors by code, and RSS after warm-up (the first sample past `--warmup` of the runs, 10%)
 * against the end, the maximum, and the least-squares slope in MiB per 10k runs over the
 * samples after warm-up.
 *
 * Exit code 0 when every outcome was the expected one, no platform error other than a few
 * transient ones (UNAVAILABLE, WORKER_CRASHED, NO_HEALTHY_WORKER: at most `--max-transient`),
 * and RSS grew after warm-up by less than `--max-growth-mib` (daemon, 64) and
 * `--max-worker-growth-mib` (workers summed, 128); else 1, with the reasons.
 */
import os from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { VmdClientError, type VmdClient } from '@vmd/client';
import { startDaemon, type RunningDaemon } from '@vmd/testkit';
import {
  CONSOLE_LINES,
  MEMORY_LIMIT_MIB,
  RUN_KINDS,
  TIMEOUT_MS,
  WORKLOADS,
  kindOf,
  mixCounts,
  type RunKind,
} from './mix.js';
import { sampleRss, slope, type RssSample } from './rss.js';

const { values: flags } = parseArgs({
  options: {
    runs: { type: 'string', default: '100000' },
    concurrency: { type: 'string', default: '16' },
    workers: { type: 'string', default: '2' },
    json: { type: 'boolean', default: false },
    'max-growth-mib': { type: 'string', default: '64' },
    'max-worker-growth-mib': { type: 'string', default: '128' },
    'max-transient': { type: 'string' },
    'sample-ms': { type: 'string', default: '2000' },
    warmup: { type: 'string', default: '0.1' },
    tenant: { type: 'string', default: 'soak' },
    help: { type: 'boolean', short: 'h', default: false },
  },
});

const USAGE = `usage: npm run soak -- [--runs N] [--concurrency C] [--workers W] [--json]
                       [--max-growth-mib MIB] [--max-worker-growth-mib MIB] [--max-transient N]
                       [--sample-ms MS] [--warmup FRACTION] [--tenant NAME]`;

/** Platform errors a worker being recycled may cause; allowed up to `--max-transient`. */
const TRANSIENT_CODES: ReadonlySet<string> = new Set(['UNAVAILABLE', 'WORKER_CRASHED', 'NO_HEALTHY_WORKER']);
/** gRPC deadline of every call, ms: a hung call ends as DEADLINE_EXCEEDED instead of hanging the soak. */
const CALL_DEADLINE_MS = 30_000;
/** Mismatches and errors kept verbatim for the report. */
const MAX_EXAMPLES = 10;

function intFlag(name: string, value: string, min: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min)
    throw new Error(`--${name} must be an integer ≥ ${min}, got '${value}'`);
  return n;
}

function numberFlag(name: string, value: string, min: number, max = Infinity): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < min || n > max)
    throw new Error(`--${name} must be a number in [${min}, ${max}], got '${value}'`);
  return n;
}

const progress = (msg: string): void => {
  process.stderr.write(`soak: ${msg}\n`);
};

const fmt = (n: number, digits = 1): string => (Number.isFinite(n) ? n.toFixed(digits) : '—');
const thousands = (n: number): string => n.toLocaleString('en-US');

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

/** RSS figures of one process group (daemon, or the workers summed), MiB. */
interface RssFigures {
  start: number;
  warmup: number;
  end: number;
  max: number;
  /** end − warm-up. */
  growth: number;
  /** Least-squares slope over the samples from warm-up on, MiB per 10,000 runs. */
  slopePer10kRuns: number;
}

function rssFigures(
  samples: readonly RssSample[],
  warmupIndex: number,
  pick: (s: RssSample) => number,
): RssFigures {
  const after = samples.slice(warmupIndex);
  const start = pick(samples[0]!);
  const warmup = pick(samples[warmupIndex]!);
  const end = pick(samples[samples.length - 1]!);
  return {
    start,
    warmup,
    end,
    max: Math.max(...samples.map(pick)),
    growth: end - warmup,
    slopePer10kRuns: slope(after.map((s) => ({ x: s.runs, y: pick(s) }))) * 10_000,
  };
}

interface KindStats {
  runs: number;
  mismatches: number;
  errors: number;
  latencyMs: { p50: number; p99: number; max: number };
}

async function main(): Promise<number> {
  if (flags.help) {
    console.log(USAGE);
    return 0;
  }
  const runs = intFlag('runs', flags.runs, 1);
  const concurrency = intFlag('concurrency', flags.concurrency, 1);
  const workers = intFlag('workers', flags.workers, 1);
  const maxDaemonGrowth = numberFlag('max-growth-mib', flags['max-growth-mib'], 0);
  const maxWorkerGrowth = numberFlag('max-worker-growth-mib', flags['max-worker-growth-mib'], 0);
  const maxTransient =
    flags['max-transient'] === undefined
      ? Math.max(10, Math.ceil(runs / 1000))
      : intFlag('max-transient', flags['max-transient'], 0);
  const sampleMs = intFlag('sample-ms', flags['sample-ms'], 100);
  const warmupFraction = numberFlag('warmup', flags.warmup, 0, 0.9);
  const warmupRuns = Math.ceil(runs * warmupFraction);
  const tenant = flags.tenant;

  progress(`starting vmd (${workers} workers) on loopback…`);
  const daemon: RunningDaemon = await startDaemon({ workers });
  const client: VmdClient = daemon.client;

  let interrupted: NodeJS.Signals | undefined;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (interrupted !== undefined) return;
    interrupted = signal;
    progress(`${signal}: finishing the runs in flight, then stopping the daemon…`);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const samples: RssSample[] = [];
  const workerPidsSeen = new Set<number>();
  const latencies: Record<RunKind, number[]> = { trivial: [], console: [], memory: [], timeout: [] };
  const perKind: Record<RunKind, { runs: number; mismatches: number; errors: number }> = {
    trivial: { runs: 0, mismatches: 0, errors: 0 },
    console: { runs: 0, mismatches: 0, errors: 0 },
    memory: { runs: 0, mismatches: 0, errors: 0 },
    timeout: { runs: 0, mismatches: 0, errors: 0 },
  };
  const errorsByCode: Record<string, number> = {};
  const mismatchExamples: { run: number; kind: RunKind; reason: string }[] = [];
  const errorExamples: { run: number; kind: RunKind; code: string; message: string }[] = [];
  let done = 0;
  let mismatches = 0;
  let transientErrors = 0;
  let otherErrors = 0;
  let next = 0;
  let started = performance.now();
  let lastProgress = { t: 0, runs: 0 };
  const seconds = (): number => (performance.now() - started) / 1000;

  const takeSample = async (): Promise<RssSample | undefined> => {
    const taken = await sampleRss(daemon.pid, seconds(), done);
    if (taken === undefined) return undefined;
    for (const pid of taken.workerPids) workerPidsSeen.add(pid);
    samples.push(taken.sample);
    return taken.sample;
  };

  const sampler = new AbortController();
  const samplerLoop = async (): Promise<void> => {
    for (;;) {
      try {
        await sleep(sampleMs, undefined, { signal: sampler.signal });
      } catch {
        return; // aborted
      }
      const s = await takeSample();
      if (s === undefined) {
        progress('the daemon is gone!');
        continue;
      }
      const rate = s.runs / s.t;
      const now = (s.runs - lastProgress.runs) / (s.t - lastProgress.t);
      lastProgress = { t: s.t, runs: s.runs };
      progress(
        `${thousands(s.runs)}/${thousands(runs)} (${fmt((s.runs / runs) * 100)}%) ` +
          `${fmt(rate, 0)} runs/s (now ${fmt(now, 0)}/s), daemon ${fmt(s.daemonMiB)} MiB, ` +
          `${s.workers} workers ${fmt(s.workersMiB)} MiB, mismatches ${mismatches}, errors ${transientErrors + otherErrors}`,
      );
    }
  };

  const lane = async (): Promise<void> => {
    while (interrupted === undefined && next < runs) {
      const i = next++;
      const kind = kindOf(i);
      const workload = WORKLOADS[kind];
      const t0 = performance.now();
      try {
        const outcome = await client.run(workload.code, {
          ...workload.options,
          tenant,
          deadline: Date.now() + CALL_DEADLINE_MS,
        });
        const reason = workload.check(outcome);
        if (reason !== undefined) {
          mismatches++;
          perKind[kind].mismatches++;
          if (mismatchExamples.length < MAX_EXAMPLES) mismatchExamples.push({ run: i, kind, reason });
        }
      } catch (err) {
        const code = err instanceof VmdClientError ? err.code : 'NOT_A_VMD_ERROR';
        errorsByCode[code] = (errorsByCode[code] ?? 0) + 1;
        perKind[kind].errors++;
        if (TRANSIENT_CODES.has(code)) transientErrors++;
        else otherErrors++;
        if (errorExamples.length < MAX_EXAMPLES)
          errorExamples.push({
            run: i,
            kind,
            code,
            message: err instanceof Error ? err.message : String(err),
          });
      }
      latencies[kind].push(performance.now() - t0);
      perKind[kind].runs++;
      done++;
    }
  };

  let durationSec: number;
  try {
    progress(
      `${thousands(runs)} runs, concurrency ${concurrency}, tenant '${tenant}'; mix per 100: ` +
        `85 \`1 + 1\`, 10 × ${CONSOLE_LINES} console lines, 3 past ${MEMORY_LIMIT_MIB} MiB, 2 past ${TIMEOUT_MS} ms`,
    );
    started = performance.now();
    const first = await takeSample();
    if (first === undefined) throw new Error('cannot read the daemon RSS (/proc/<pid>/status)');
    const sampling = samplerLoop();
    await Promise.all(Array.from({ length: Math.min(concurrency, runs) }, lane));
    durationSec = seconds();
    sampler.abort();
    await sampling;
    if ((await takeSample()) === undefined) throw new Error('the daemon exited during the soak');
  } finally {
    sampler.abort();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    progress('stopping the daemon…');
    await daemon.stop();
  }

  // --- report ---
  const warmupIndex = Math.max(
    0,
    samples.findIndex((s) => s.runs >= warmupRuns),
  );
  const daemonRss = rssFigures(samples, warmupIndex, (s) => s.daemonMiB);
  const workersRss = rssFigures(samples, warmupIndex, (s) => s.workersMiB);
  const maxSingleWorkerMiB = Math.max(...samples.map((s) => s.maxWorkerMiB));
  const workersAtStart = samples[0]!.workers;
  const byKind = {} as Record<RunKind, KindStats>;
  for (const kind of RUN_KINDS) {
    const sorted = latencies[kind].sort((a, b) => a - b);
    byKind[kind] = {
      ...perKind[kind],
      latencyMs: {
        p50: percentile(sorted, 50),
        p99: percentile(sorted, 99),
        max: sorted.at(-1) ?? Number.NaN,
      },
    };
  }
  const logs = daemon.logs;
  const warnLogs = logs.filter((l) => l.level >= 40);
  const logCounts: Record<string, number> = {};
  for (const l of warnLogs) logCounts[l.msg] = (logCounts[l.msg] ?? 0) + 1;

  const reasons: string[] = [];
  if (interrupted !== undefined) reasons.push(`interrupted by ${interrupted} after ${thousands(done)} runs`);
  if (mismatches > 0) reasons.push(`${mismatches} outcome(s) not of the expected kind`);
  if (otherErrors > 0) reasons.push(`${otherErrors} platform error(s) other than transient ones`);
  if (transientErrors > maxTransient)
    reasons.push(
      `${transientErrors} transient error(s) (UNAVAILABLE etc.), more than --max-transient ${maxTransient}`,
    );
  if (!(daemonRss.growth < maxDaemonGrowth))
    reasons.push(
      `daemon RSS grew ${fmt(daemonRss.growth)} MiB after warm-up (limit --max-growth-mib ${maxDaemonGrowth})`,
    );
  if (!(workersRss.growth < maxWorkerGrowth))
    reasons.push(
      `workers' RSS grew ${fmt(workersRss.growth)} MiB after warm-up (limit --max-worker-growth-mib ${maxWorkerGrowth})`,
    );
  const pass = reasons.length === 0;

  const report = {
    date: new Date().toISOString(),
    machine: {
      cpus: os.availableParallelism(),
      model: os.cpus()[0]?.model ?? 'unknown',
      memGiB: Math.round(os.totalmem() / 2 ** 30),
      node: process.version,
    },
    config: {
      runs,
      concurrency,
      workers,
      tenant,
      warmupRuns,
      sampleMs,
      mix: mixCounts(runs),
      consoleLines: CONSOLE_LINES,
      memoryLimitMib: MEMORY_LIMIT_MIB,
      timeoutMs: TIMEOUT_MS,
      thresholds: { maxDaemonGrowthMib: maxDaemonGrowth, maxWorkerGrowthMib: maxWorkerGrowth, maxTransient },
    },
    runsDone: done,
    durationSec,
    runsPerSec: done / durationSec,
    mismatches,
    transientErrors,
    otherErrors,
    errorsByCode,
    byKind,
    mismatchExamples,
    errorExamples,
    rss: {
      daemonMiB: daemonRss,
      workersMiB: workersRss,
      warmupSample: samples[warmupIndex],
      maxSingleWorkerMiB,
      workersAtStart,
      workerPidsSeen: workerPidsSeen.size,
      workerReplacements: Math.max(0, workerPidsSeen.size - workersAtStart),
    },
    daemonLog: { warnOrWorse: warnLogs.length, byMessage: logCounts },
    pass,
    reasons,
    samples,
  };

  if (flags.json) {
    process.stdout.write(JSON.stringify(report, null, 2) + '\n');
    return pass ? 0 : 1;
  }

  const table = (header: string[], rows: string[][]): void => {
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
    const line = (cells: string[]): string =>
      cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
    console.log(line(header));
    console.log(widths.map((w) => '-'.repeat(w)).join('  '));
    for (const row of rows) console.log(line(row));
  };
  console.log(
    `\nvmd soak — ${thousands(done)} runs, concurrency ${concurrency}, ${workers} workers, ` +
      `${report.machine.cpus} cores, Node ${process.version}`,
  );
  console.log(
    `duration ${fmt(durationSec)} s, ${fmt(report.runsPerSec, 0)} runs/s; mismatches ${mismatches}, ` +
      `platform errors ${transientErrors + otherErrors} (transient ${transientErrors})\n`,
  );
  table(
    ['kind', 'runs', 'mismatches', 'errors', 'p50 ms', 'p99 ms', 'max ms'],
    RUN_KINDS.map((kind) => {
      const k = byKind[kind];
      return [
        kind,
        thousands(k.runs),
        String(k.mismatches),
        String(k.errors),
        fmt(k.latencyMs.p50, 2),
        fmt(k.latencyMs.p99, 2),
        fmt(k.latencyMs.max, 1),
      ];
    }),
  );
  const codes = Object.entries(errorsByCode);
  if (codes.length > 0) {
    console.log(`\nerrors by code: ${codes.map(([c, n]) => `${c} ${n}`).join(', ')}`);
    for (const e of errorExamples) console.log(`  run ${e.run} (${e.kind}): ${e.message}`);
  }
  if (mismatchExamples.length > 0) {
    console.log('\nmismatches (first ones):');
    for (const m of mismatchExamples) console.log(`  run ${m.run} (${m.kind}): ${m.reason}`);
  }
  const warmupSample = samples[warmupIndex]!;
  console.log(
    `\nRSS, MiB (${samples.length} samples every ${sampleMs} ms; warm-up = sample at ${thousands(warmupSample.runs)} runs)`,
  );
  const rssRow = (name: string, f: RssFigures): string[] => [
    name,
    fmt(f.start),
    fmt(f.warmup),
    fmt(f.end),
    fmt(f.max),
    (f.growth >= 0 ? '+' : '') + fmt(f.growth),
    fmt(f.slopePer10kRuns, 2),
  ];
  table(
    ['process', 'start', 'warm-up', 'end', 'max', 'growth', 'MiB/10k runs'],
    [rssRow('daemon', daemonRss), rssRow(`workers (sum of ${workersAtStart})`, workersRss)],
  );
  console.log(
    `largest single worker: ${fmt(maxSingleWorkerMiB)} MiB; worker processes seen: ${workerPidsSeen.size} ` +
      `(${report.rss.workerReplacements} replacement(s))`,
  );
  if (warnLogs.length > 0)
    console.log(
      `daemon warnings/errors logged: ${Object.entries(logCounts)
        .map(([m, n]) => `'${m}' × ${n}`)
        .join(', ')}`,
    );
  console.log(pass ? '\nPASS' : `\nFAIL: ${reasons.join('; ')}`);
  return pass ? 0 : 1;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    console.error('soak failed:', err);
    process.exitCode = 1;
  },
);
