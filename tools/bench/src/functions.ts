/**
 * Deployed-function scenarios of `npm run bench`: invoke latency (p50/p99) warm (a kept instance
 * of the version) and cold (a fresh isolate per invocation, which loads the bundle each time),
 * cold again on a daemon without the isolate snapshot, and invocations/s at 64 in flight beside
 * Execute of the same code on the same daemon.
 *
 * Every daemon started here is stopped before the scenarios return, on failure too.
 */
import { VmdClient } from '@vmd/client';
import { startDaemon } from '@vmd/testkit';
import {
  runConcurrent,
  scenarioResult,
  summarize,
  type ScenarioResult,
  type ScenarioRound,
} from './stats.js';
import type { BenchContext } from './tenancy.js';

const TENANT = 'bench-fn';
const HANDLER = 'module.exports = (event) => event.n + 1;';
const EXEC_CODE = 'input.n + 1';

async function measure(
  ctx: BenchContext,
  label: string,
  concurrency: number,
  total: number,
  task: () => Promise<void>,
): Promise<ScenarioRound[]> {
  await runConcurrent(Math.min(50, total), concurrency, task);
  const rounds: ScenarioRound[] = [];
  for (let r = 0; r < ctx.rounds; r++) {
    const { latenciesMs, wallMs } = await runConcurrent(total, concurrency, task);
    const round = { latency: summarize(latenciesMs), throughputPerSec: (total / wallMs) * 1000 };
    rounds.push(round);
    ctx.progress(
      `${label} round ${r + 1}/${ctx.rounds}: p50 ${round.latency.p50.toFixed(3)} ms, p99 ${round.latency.p99.toFixed(3)} ms, ${round.throughputPerSec.toFixed(0)}/s`,
    );
  }
  return rounds;
}

async function onDaemon<T>(
  ctx: BenchContext,
  args: string[],
  fn: (client: VmdClient) => Promise<T>,
): Promise<T> {
  const daemon = await startDaemon({ workers: ctx.workers, args });
  const client = new VmdClient({ address: daemon.address, tenant: TENANT });
  try {
    await client.functions.deploy('warm', HANDLER);
    await client.functions.deploy('cold', HANDLER, { freshIsolatePerInvocation: true });
    return await fn(client);
  } finally {
    client.close();
    await daemon.stop();
  }
}

export async function functionScenarios(ctx: BenchContext): Promise<ScenarioResult[]> {
  const invoke = (client: VmdClient, name: string) => async (): Promise<void> => {
    const r = await client.functions.invoke(name, { n: 1 });
    if (!r.ok || r.value.value !== 2) throw new Error(`unexpected invocation: ${JSON.stringify(r)}`);
  };
  ctx.progress(`functions: starting a daemon (${ctx.workers} workers)`);
  const results = await onDaemon(ctx, [], async (client) => {
    const exec = async (): Promise<void> => {
      const r = await client.run(EXEC_CODE, { input: { n: 1 } });
      if (!r.ok || r.value.value !== 2) throw new Error(`unexpected run: ${JSON.stringify(r)}`);
    };
    const c1 = ctx.n(500);
    const c64 = ctx.n(4000);
    return [
      scenarioResult(
        'invoke-warm-c1',
        'InvokeFunction, warm instance',
        1,
        c1,
        await measure(ctx, 'invoke-warm-c1', 1, c1, invoke(client, 'warm')),
      ),
      scenarioResult(
        'invoke-cold-c1',
        'InvokeFunction, fresh isolate per invocation (snapshot)',
        1,
        c1,
        await measure(ctx, 'invoke-cold-c1', 1, c1, invoke(client, 'cold')),
      ),
      scenarioResult(
        'invoke-warm-c64',
        'InvokeFunction, warm, 64 in flight',
        64,
        c64,
        await measure(ctx, 'invoke-warm-c64', 64, c64, invoke(client, 'warm')),
      ),
      scenarioResult(
        'invoke-execute-c64',
        'Execute of the same code, same daemon, 64 in flight',
        64,
        c64,
        await measure(ctx, 'invoke-execute-c64', 64, c64, exec),
      ),
    ];
  });
  ctx.progress('functions: starting a daemon without the isolate snapshot');
  const noSnapshot = await onDaemon(ctx, ['--no-isolate-snapshot'], async (client) => {
    const c1 = ctx.n(500);
    return scenarioResult(
      'invoke-cold-no-snapshot-c1',
      'InvokeFunction, fresh isolate per invocation, no snapshot',
      1,
      c1,
      await measure(ctx, 'invoke-cold-no-snapshot-c1', 1, c1, invoke(client, 'cold')),
    );
  });
  return [...results, noSnapshot];
}
