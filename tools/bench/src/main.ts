/**
 * `npm run bench`: vmd end to end over gRPC, beside baselines measured in the same run.
 *
 * Scenarios (each repeated `--rounds` times; figures are medians over rounds):
 * - vmd Execute, fresh isolate per run, concurrency 1 → latency p50/p99;
 * - vmd Execute at concurrency 64 → executions/s;
 * - node:vm runInNewContext in-process (the unsafe floor) → latency and runs/s;
 * - a `node -e` child process per run (process-per-run judges) → latency and runs/s;
 * - fairness: a quiet tenant's latency (c1) alone and while a flood tenant keeps 200 requests
 *   outstanding (tenancy.ts);
 * - auth cost: Execute latency (c1) in local mode vs secure mode (`--auth`, API key) (tenancy.ts);
 * - REPL: input round trip on an open session vs Execute, and the RSS of idle sessions (repl.ts);
 * - functions: invoke p50/p99 warm and cold (with and without snapshot), invocations/s at 64 vs
 *   Execute of the same code (functions.ts);
 * - tracing: Execute latency with tracing off, on but unsampled, on and exported (tracing.ts).
 *
 * Prints a table and writes a JSON report to bench-results/.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { repoRoot, startDaemon } from '@vmd/testkit';
import { runInChildProcess, runInNodeVm } from './baselines.js';
import {
  runConcurrent,
  scenarioResult,
  summarize,
  type ScenarioResult,
  type ScenarioRound,
} from './stats.js';
import { functionScenarios } from './functions.js';
import { replScenarios } from './repl.js';
import { tracingScenarios } from './tracing.js';
import { authCostScenarios, fairnessScenarios, type BenchContext } from './tenancy.js';

const { values: flags } = parseArgs({
  options: {
    rounds: { type: 'string', default: '3' },
    quick: { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
    workers: { type: 'string', default: String(os.availableParallelism()) },
  },
});
const rounds = Math.max(1, Number(flags.rounds));
const scale = flags.quick ? 0.2 : 1;
const n = (count: number): number => Math.max(10, Math.round(count * scale));
const CODE = '1 + 1';
const TENANT = 'bench';
const CONTEXT_TENANT = 'bench-context';

const progress = (msg: string): void => {
  process.stderr.write(`bench: ${msg}\n`);
};

async function scenario(
  name: string,
  description: string,
  concurrency: number,
  total: number,
  task: (i: number) => Promise<void>,
  warmup = Math.min(50, total),
): Promise<ScenarioResult> {
  const results: ScenarioRound[] = [];
  await runConcurrent(warmup, concurrency, task);
  for (let r = 0; r < rounds; r++) {
    const { latenciesMs, wallMs } = await runConcurrent(total, concurrency, task);
    const round = { latency: summarize(latenciesMs), throughputPerSec: (total / wallMs) * 1000 };
    results.push(round);
    progress(
      `${name} round ${r + 1}/${rounds}: p50 ${round.latency.p50.toFixed(3)} ms, p99 ${round.latency.p99.toFixed(3)} ms, ${round.throughputPerSec.toFixed(0)}/s`,
    );
  }
  return scenarioResult(name, description, concurrency, total, results);
}

/** Execute scenarios against one daemon started with `extraArgs`; names get `suffix`. */
async function daemonScenarios(
  suffix: string,
  label: string,
  extraArgs: string[],
  withContextTenant = false,
): Promise<ScenarioResult[]> {
  progress(`starting vmd (${flags.workers} workers${label}) on loopback…`);
  const daemon = await startDaemon({
    workers: Number(flags.workers),
    args: extraArgs,
  });
  try {
    const client = daemon.client;
    const execAs = (tenant: string) => async (): Promise<void> => {
      const outcome = await client.run(CODE, { tenant });
      if (!outcome.ok || outcome.value.json !== '2')
        throw new Error(`unexpected outcome: ${JSON.stringify(outcome)}`);
    };
    const exec = execAs(TENANT);
    const out = [
      await scenario(
        `vmd-execute${suffix}-c1`,
        `vmd Execute over gRPC, fresh isolate per run${label}`,
        1,
        n(500),
        exec,
      ),
      await scenario(
        `vmd-execute${suffix}-c64`,
        `vmd Execute over gRPC, 64 in flight${label}`,
        64,
        n(4000),
        exec,
        200,
      ),
    ];
    if (withContextTenant) {
      // A tenant an admin put in isolation `context`: a fresh context per run in a warm isolate
      // of its own (DESIGN: isolate-per-tenant, context-per-run).
      await client.tenants.create(CONTEXT_TENANT, { isolation: 'context' });
      const execContext = execAs(CONTEXT_TENANT);
      out.push(
        await scenario(
          `vmd-execute-context${suffix}-c1`,
          `vmd Execute over gRPC, isolation: context (fresh context in the tenant's warm isolate)${label}`,
          1,
          n(500),
          execContext,
        ),
        await scenario(
          `vmd-execute-context${suffix}-c64`,
          `vmd Execute over gRPC, isolation: context, 64 in flight${label}`,
          64,
          n(4000),
          execContext,
          200,
        ),
      );
    }
    return out;
  } finally {
    await daemon.stop();
  }
}

async function main(): Promise<void> {
  const results: ScenarioResult[] = [];
  results.push(...(await daemonScenarios('', '', [], true)));
  results.push(
    ...(await daemonScenarios('-no-snapshot', ', bootstrapped from source', ['--no-isolate-snapshot'])),
  );
  const ctx: BenchContext = { rounds, n, workers: Number(flags.workers), code: CODE, progress };
  results.push(...(await fairnessScenarios(ctx)));
  results.push(...(await authCostScenarios(ctx)));
  results.push(...(await replScenarios(ctx)));
  results.push(...(await functionScenarios(ctx)));
  results.push(...(await tracingScenarios(ctx)));
  const vmTask = async (): Promise<void> => {
    if (runInNodeVm(CODE) !== 2) throw new Error('node:vm baseline failed');
  };
  results.push(
    await scenario('node-vm-c1', 'node:vm runInNewContext in-process (unsafe floor)', 1, n(2000), vmTask),
  );
  const childTask = async (): Promise<void> => {
    if ((await runInChildProcess(CODE)) !== '2') throw new Error('child baseline failed');
  };
  results.push(
    await scenario('process-per-run-c1', '`node -e` child process per run', 1, n(30), childTask, 3),
  );
  const childConcurrency = os.availableParallelism() * 2;
  results.push(
    await scenario(
      'process-per-run-cN',
      `\`node -e\` child process per run, ${childConcurrency} in flight`,
      childConcurrency,
      n(60),
      childTask,
      4,
    ),
  );

  const get = (name: string): ScenarioResult => results.find((r) => r.name === name)!;
  const ratios = {
    throughputVsProcessPerRun:
      get('vmd-execute-c64').median.throughputPerSec / get('process-per-run-cN').median.throughputPerSec,
    latencyP50VsProcessPerRun: get('process-per-run-c1').median.p50Ms / get('vmd-execute-c1').median.p50Ms,
    latencyP50VsNodeVm: get('vmd-execute-c1').median.p50Ms / get('node-vm-c1').median.p50Ms,
    snapshotThroughputGain:
      get('vmd-execute-c64').median.throughputPerSec /
      get('vmd-execute-no-snapshot-c64').median.throughputPerSec,
    snapshotLatencyP50Gain:
      get('vmd-execute-no-snapshot-c1').median.p50Ms / get('vmd-execute-c1').median.p50Ms,
    fairnessP50FloodedVsAlone:
      get('fairness-quiet-flooded-c1').median.p50Ms / get('fairness-quiet-alone-c1').median.p50Ms,
    fairnessP99FloodedVsAlone:
      get('fairness-quiet-flooded-c1').median.p99Ms / get('fairness-quiet-alone-c1').median.p99Ms,
    authP50SecureVsLocal: get('auth-secure-c1').median.p50Ms / get('auth-local-c1').median.p50Ms,
    replInputP50VsExecute: get('repl-input-c1').median.p50Ms / get('repl-execute-c1').median.p50Ms,
    invokeColdVsWarmP50: get('invoke-cold-c1').median.p50Ms / get('invoke-warm-c1').median.p50Ms,
    invokeColdSnapshotGainP50:
      get('invoke-cold-no-snapshot-c1').median.p50Ms / get('invoke-cold-c1').median.p50Ms,
    tracingExportedP50VsOff: get('tracing-exported-c1').median.p50Ms / get('tracing-off-c1').median.p50Ms,
    tracingUnsampledP50VsOff: get('tracing-unsampled-c1').median.p50Ms / get('tracing-off-c1').median.p50Ms,
    contextThroughputVsProcessPerRun:
      get('vmd-execute-context-c64').median.throughputPerSec /
      get('process-per-run-cN').median.throughputPerSec,
    contextThroughputVsIsolate:
      get('vmd-execute-context-c64').median.throughputPerSec / get('vmd-execute-c64').median.throughputPerSec,
    contextP50VsIsolate: get('vmd-execute-c1').median.p50Ms / get('vmd-execute-context-c1').median.p50Ms,
    invokeWarmThroughputVsExecute:
      get('invoke-warm-c64').median.throughputPerSec / get('invoke-execute-c64').median.throughputPerSec,
  };
  const targetsOf = (
    prefix: string,
  ): { p50AtMost1Ms: boolean; throughputAtLeast800: boolean; atLeast10xProcessPerRun: boolean } => ({
    p50AtMost1Ms: get(`${prefix}-c1`).median.p50Ms <= 1,
    throughputAtLeast800: get(`${prefix}-c64`).median.throughputPerSec >= 800,
    atLeast10xProcessPerRun:
      get(`${prefix}-c64`).median.throughputPerSec / get('process-per-run-cN').median.throughputPerSec >= 10,
  });
  const targets = { ...targetsOf('vmd-execute'), context: targetsOf('vmd-execute-context') };
  const report = {
    date: new Date().toISOString(),
    machine: {
      cpus: os.availableParallelism(),
      model: os.cpus()[0]?.model ?? 'unknown',
      memGiB: Math.round(os.totalmem() / 2 ** 30),
      node: process.version,
    },
    rounds,
    quick: flags.quick,
    code: CODE,
    results,
    ratios,
    targets,
  };
  const dir = path.join(repoRoot, 'bench-results');
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, `bench-${report.date.replace(/[:.]/g, '-')}.json`);
  await writeFile(file, JSON.stringify(report, null, 2) + '\n');
  await writeFile(path.join(dir, 'latest.json'), JSON.stringify(report, null, 2) + '\n');

  if (flags.json) {
    process.stdout.write(JSON.stringify(report, null, 2) + '\n');
    return;
  }
  const rows = results.map((r) => [
    r.name,
    String(r.concurrency),
    r.median.p50Ms.toFixed(3),
    r.median.p99Ms.toFixed(3),
    r.median.throughputPerSec.toFixed(0),
  ]);
  const header = ['scenario', 'conc', 'p50 ms', 'p99 ms', 'runs/s'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]): string =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  console.log(
    `\nvmd benchmark — medians of ${rounds} round(s), ${report.machine.cpus} cores, Node ${process.version}\n`,
  );
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const row of rows) console.log(line(row));
  console.log(
    `\nthroughput vs process-per-run: ${ratios.throughputVsProcessPerRun.toFixed(1)}×  (target ≥ 10×: ${targets.atLeast10xProcessPerRun ? 'met' : 'NOT met'})`,
  );
  console.log(
    `p50 latency: ${get('vmd-execute-c1').median.p50Ms.toFixed(3)} ms (target ≤ 1 ms: ${targets.p50AtMost1Ms ? 'met' : 'NOT met'}); ${ratios.latencyP50VsProcessPerRun.toFixed(0)}× faster than a child process, ${ratios.latencyP50VsNodeVm.toFixed(1)}× the unsafe node:vm floor`,
  );
  console.log(
    `throughput at 64 in flight: ${get('vmd-execute-c64').median.throughputPerSec.toFixed(0)}/s (target ≥ 800/s: ${targets.throughputAtLeast800 ? 'met' : 'NOT met'})`,
  );
  const ctxC1 = get('vmd-execute-context-c1').median;
  const ctxC64 = get('vmd-execute-context-c64').median;
  const met = (ok: boolean): string => (ok ? 'met' : 'NOT met');
  console.log(
    `isolation: context (tenant's warm isolate, fresh context per run): p50 ${ctxC1.p50Ms.toFixed(3)} ms (≤ 1 ms: ${met(targets.context.p50AtMost1Ms)}; ${ratios.contextP50VsIsolate.toFixed(2)}× lower than a fresh isolate), ` +
      `${ctxC64.throughputPerSec.toFixed(0)}/s at 64 in flight (≥ 800/s: ${met(targets.context.throughputAtLeast800)}; ${ratios.contextThroughputVsIsolate.toFixed(2)}× a fresh isolate, ${ratios.contextThroughputVsProcessPerRun.toFixed(1)}× process-per-run)`,
  );
  console.log(
    `isolate snapshot (the default; --no-isolate-snapshot turns it off): ${ratios.snapshotThroughputGain.toFixed(2)}× the runs/s at 64 in flight, p50 ${ratios.snapshotLatencyP50Gain.toFixed(2)}× lower`,
  );
  const flooded = get('fairness-quiet-flooded-c1');
  const floodRow = results.find((r) => r.name.startsWith('fairness-flood-'))!;
  console.log(
    `fairness: quiet tenant p50 ${flooded.median.p50Ms.toFixed(3)} ms / p99 ${flooded.median.p99Ms.toFixed(3)} ms under a ${floodRow.concurrency}-outstanding flood ` +
      `(${ratios.fairnessP50FloodedVsAlone.toFixed(1)}× / ${ratios.fairnessP99FloodedVsAlone.toFixed(1)}× alone); ` +
      `flood ${floodRow.median.throughputPerSec.toFixed(0)}/s, ${floodRow.extra?.['refusedTotal'] ?? 0} refused (RESOURCE_EXHAUSTED), ${floodRow.extra?.['errorsTotal'] ?? 0} other errors`,
  );
  console.log(
    `auth cost: p50 ${get('auth-secure-c1').median.p50Ms.toFixed(3)} ms secure vs ${get('auth-local-c1').median.p50Ms.toFixed(3)} ms local (${ratios.authP50SecureVsLocal.toFixed(2)}×)`,
  );
  const repl = get('repl-input-c1');
  const mem = repl.extra ?? {};
  console.log(
    `repl: input round trip p50 ${repl.median.p50Ms.toFixed(3)} ms / p99 ${repl.median.p99Ms.toFixed(3)} ms (${ratios.replInputP50VsExecute.toFixed(2)}× Execute's p50); ` +
      `${mem['sessions'] ?? 0} idle sessions: workers ${(mem['workersRssBeforeMiB'] ?? 0).toFixed(0)} → ${(mem['workersRssAfterMiB'] ?? 0).toFixed(0)} MiB ` +
      `(${(mem['workersKiBPerSession'] ?? 0).toFixed(0)} KiB/session), daemon ${(mem['daemonRssBeforeMiB'] ?? 0).toFixed(0)} → ${(mem['daemonRssAfterMiB'] ?? 0).toFixed(0)} MiB`,
  );
  console.log(
    `functions: invoke p50 warm ${get('invoke-warm-c1').median.p50Ms.toFixed(3)} ms, cold ${get('invoke-cold-c1').median.p50Ms.toFixed(3)} ms ` +
      `(${ratios.invokeColdVsWarmP50.toFixed(2)}× warm; without snapshot ${get('invoke-cold-no-snapshot-c1').median.p50Ms.toFixed(3)} ms); ` +
      `${get('invoke-warm-c64').median.throughputPerSec.toFixed(0)} invocations/s at 64 in flight (${ratios.invokeWarmThroughputVsExecute.toFixed(2)}× Execute of the same code)`,
  );
  console.log(
    `tracing: p50 off ${get('tracing-off-c1').median.p50Ms.toFixed(3)} ms, on but unsampled ${get('tracing-unsampled-c1').median.p50Ms.toFixed(3)} ms ` +
      `(${ratios.tracingUnsampledP50VsOff.toFixed(2)}×), sampled and exported ${get('tracing-exported-c1').median.p50Ms.toFixed(3)} ms (${ratios.tracingExportedP50VsOff.toFixed(2)}×)`,
  );
  console.log(`\nreport: ${path.relative(process.cwd(), file)}`);
}

main().catch((err: unknown) => {
  console.error('bench failed:', err);
  process.exitCode = 1;
});
