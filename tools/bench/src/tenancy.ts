/**
 * Multi-tenant scenarios of `npm run bench`:
 *
 * - fairness: the latency of a quiet tenant's sequential runs while another tenant keeps
 *   ~{@link FLOOD_OUTSTANDING} requests outstanding (re-submitting as they finish), beside the quiet
 *   tenant's latency with no flood, measured in the same rounds;
 * - auth cost: Execute latency at concurrency 1 against a local-mode daemon and a secure-mode
 *   daemon (`--auth`, tenant API key sent as `authorization: Bearer <key>`), rounds interleaved.
 *
 * Every daemon started here is stopped before the scenario returns, on failure too.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { VmdClient, VmdClientError, type RunOutcome } from '@vmd/client';
import { startDaemon, type RunningDaemon } from '@vmd/testkit';
import {
  median,
  runConcurrent,
  scenarioResult,
  summarize,
  type ScenarioResult,
  type ScenarioRound,
} from './stats.js';

/** What main.ts shares with these scenarios. */
export interface BenchContext {
  rounds: number;
  /** Scales a run count by `--quick` (at least 10). */
  n: (count: number) => number;
  workers: number;
  code: string;
  progress: (msg: string) => void;
}

/** Requests the flood tenant keeps outstanding. */
export const FLOOD_OUTSTANDING = 200;
/** The daemon's per-tenant queue cap in the fairness scenario (`--queue-depth-per-tenant`). */
const FLOOD_QUEUE_DEPTH = 1000;
/** How long the flood runs before the quiet tenant is measured, ms. */
const FLOOD_RAMP_MS = 500;
/** gRPC status RESOURCE_EXHAUSTED (the bench does not depend on @grpc/grpc-js for its enum). */
const GRPC_RESOURCE_EXHAUSTED = 8;

const QUIET = 'quiet';
const FLOOD = 'flood';

function expectTwo(outcome: RunOutcome): RunOutcome {
  if (!outcome.ok || outcome.value.json !== '2')
    throw new Error(`unexpected outcome: ${JSON.stringify(outcome)}`);
  return outcome;
}

/**
 * Keeps `outstanding` runs of `code` in flight as tenant `tenant` until `stop()`. Refusals
 * (RESOURCE_EXHAUSTED: queue full, rate or concurrency limited) are counted and retried after
 * the daemon's hint (capped at 100 ms); other errors are counted too, never thrown.
 */
export function startFlood(client: VmdClient, tenant: string, code: string, outstanding: number) {
  const stats = {
    completed: 0,
    refused: 0,
    errors: 0,
    refusedByCode: {} as Record<string, number>,
    firstError: undefined as string | undefined,
    latenciesMs: [] as number[],
  };
  let stopped = false;
  const lane = async (): Promise<void> => {
    while (!stopped) {
      const t0 = performance.now();
      try {
        expectTwo(await client.run(code, { tenant }));
        stats.completed++;
        stats.latenciesMs.push(performance.now() - t0);
      } catch (err) {
        if (err instanceof VmdClientError && Number(err.grpcCode) === GRPC_RESOURCE_EXHAUSTED) {
          stats.refused++;
          stats.refusedByCode[err.code] = (stats.refusedByCode[err.code] ?? 0) + 1;
          await sleep(Math.min(100, Math.max(1, err.retryAfterMs ?? 10)));
        } else {
          stats.errors++;
          stats.firstError ??= err instanceof Error ? err.message : String(err);
          await sleep(50);
        }
      }
    }
  };
  const lanes = Promise.all(Array.from({ length: outstanding }, lane));
  return {
    stats,
    /** Takes the counters so far and resets them (a measurement window starts). */
    window: () => {
      const snapshot = {
        ...stats,
        latenciesMs: stats.latenciesMs,
        refusedByCode: { ...stats.refusedByCode },
      };
      stats.completed = 0;
      stats.refused = 0;
      stats.errors = 0;
      stats.refusedByCode = {};
      stats.latenciesMs = [];
      return snapshot;
    },
    /** Stops re-submitting and waits for the outstanding runs to end. */
    stop: async (): Promise<void> => {
      stopped = true;
      await lanes;
    },
  };
}

/**
 * Fairness: quiet tenant at concurrency 1, alone and while the flood tenant saturates the daemon.
 * Rows: `fairness-quiet-alone-c1`, `fairness-quiet-flooded-c1`, `fairness-flood-c<N>`.
 */
export async function fairnessScenarios(ctx: BenchContext): Promise<ScenarioResult[]> {
  const { rounds, n, code, progress } = ctx;
  progress(
    `starting vmd (${ctx.workers} workers, --queue-depth-per-tenant ${FLOOD_QUEUE_DEPTH}) for the fairness scenario…`,
  );
  const daemon = await startDaemon({
    workers: ctx.workers,
    args: ['--queue-depth-per-tenant', String(FLOOD_QUEUE_DEPTH)],
  });
  // The flood gets its own connection, so the quiet tenant's calls do not share its HTTP/2 stream.
  const floodClient = new VmdClient({ address: daemon.address });
  try {
    const admin = daemon.client.tenants;
    const floodQuotas = {
      maxConcurrent: FLOOD_QUEUE_DEPTH * 2,
      queueDepth: FLOOD_QUEUE_DEPTH,
      ratePerSecond: 100_000,
      burst: 100_000,
    };
    try {
      await admin.create(FLOOD, { quotas: floodQuotas });
    } catch (err) {
      if (!(err instanceof VmdClientError && err.code === 'ALREADY_EXISTS')) throw err;
      await admin.update(FLOOD, { quotas: floodQuotas });
    }
    const q = (await admin.get(FLOOD)).quotas;
    progress(
      `tenant '${FLOOD}': max_concurrent ${q.maxConcurrent}, queue_depth ${q.queueDepth}, rate ${q.ratePerSecond}/s, burst ${q.burst}`,
    );

    const quietTotal = n(300);
    let quietQueueWaits: number[] = [];
    const quietTask = async (): Promise<void> => {
      const outcome = expectTwo(await daemon.client.run(code, { tenant: QUIET }));
      quietQueueWaits.push(outcome.metrics.queueWaitMs);
    };
    await runConcurrent(Math.min(50, quietTotal), 1, quietTask);
    await runConcurrent(50, 50, async () => void expectTwo(await floodClient.run(code, { tenant: FLOOD })));

    const alone: ScenarioRound[] = [];
    const flooded: ScenarioRound[] = [];
    const flood: ScenarioRound[] = [];
    const floodCompleted: number[] = [];
    const aloneQueueWait: number[] = [];
    const floodedQueueWait: number[] = [];
    const refusedPerSec: number[] = [];
    let refusedTotal = 0;
    let floodErrors = 0;
    const refusedByCode: Record<string, number> = {};
    for (let r = 0; r < rounds; r++) {
      quietQueueWaits = [];
      const a = await runConcurrent(quietTotal, 1, quietTask);
      alone.push({ latency: summarize(a.latenciesMs), throughputPerSec: (quietTotal / a.wallMs) * 1000 });
      aloneQueueWait.push(median(quietQueueWaits));

      const f = startFlood(floodClient, FLOOD, code, FLOOD_OUTSTANDING);
      let w: ReturnType<typeof f.window>;
      let b: Awaited<ReturnType<typeof runConcurrent>>;
      try {
        await sleep(FLOOD_RAMP_MS);
        f.window();
        quietQueueWaits = [];
        b = await runConcurrent(quietTotal, 1, quietTask);
        w = f.window();
      } finally {
        await f.stop();
      }
      flooded.push({ latency: summarize(b.latenciesMs), throughputPerSec: (quietTotal / b.wallMs) * 1000 });
      floodedQueueWait.push(median(quietQueueWaits));
      flood.push({
        latency: summarize(w.latenciesMs),
        throughputPerSec: (w.completed / b.wallMs) * 1000,
      });
      floodCompleted.push(w.completed);
      refusedPerSec.push((w.refused / b.wallMs) * 1000);
      refusedTotal += w.refused;
      floodErrors += w.errors;
      for (const [k, v] of Object.entries(w.refusedByCode)) refusedByCode[k] = (refusedByCode[k] ?? 0) + v;
      if (w.firstError !== undefined) progress(`flood error (counted): ${w.firstError}`);
      progress(
        `fairness round ${r + 1}/${rounds}: quiet alone p50 ${alone[r]!.latency.p50.toFixed(3)} ms p99 ${alone[r]!.latency.p99.toFixed(3)} ms; ` +
          `flooded p50 ${flooded[r]!.latency.p50.toFixed(3)} ms p99 ${flooded[r]!.latency.p99.toFixed(3)} ms; ` +
          `flood ${flood[r]!.throughputPerSec.toFixed(0)}/s, ${w.refused} refused, ${w.errors} errors`,
      );
    }
    return [
      scenarioResult(
        'fairness-quiet-alone-c1',
        `tenant '${QUIET}', sequential runs, no other load`,
        1,
        quietTotal,
        alone,
        { queueWaitP50Ms: median(aloneQueueWait) },
      ),
      scenarioResult(
        'fairness-quiet-flooded-c1',
        `tenant '${QUIET}', sequential runs, while tenant '${FLOOD}' keeps ${FLOOD_OUTSTANDING} requests outstanding`,
        1,
        quietTotal,
        flooded,
        { queueWaitP50Ms: median(floodedQueueWait) },
      ),
      scenarioResult(
        `fairness-flood-c${FLOOD_OUTSTANDING}`,
        `tenant '${FLOOD}', ${FLOOD_OUTSTANDING} outstanding, during the quiet tenant's flooded runs`,
        FLOOD_OUTSTANDING,
        median(floodCompleted),
        flood,
        {
          refusedPerSec: median(refusedPerSec),
          refusedTotal,
          errorsTotal: floodErrors,
          ...Object.fromEntries(Object.entries(refusedByCode).map(([k, v]) => [`refused_${k}`, v])),
        },
      ),
    ];
  } finally {
    floodClient.close();
    await daemon.stop();
  }
}

/**
 * Auth cost: Execute at concurrency 1, local mode vs secure mode (`--auth`, API key), both
 * daemons up at once and rounds interleaved so drift on a noisy machine hits both alike.
 * Rows: `auth-local-c1`, `auth-secure-c1`.
 */
export async function authCostScenarios(ctx: BenchContext): Promise<ScenarioResult[]> {
  const { rounds, n, code, progress } = ctx;
  const tokenDir = await mkdtemp(path.join(os.tmpdir(), 'vmd-bench-auth-'));
  const daemons: RunningDaemon[] = [];
  const clients: VmdClient[] = [];
  try {
    const adminToken = randomBytes(32).toString('hex');
    const tokenFile = path.join(tokenDir, 'admin-token');
    await writeFile(tokenFile, `${adminToken}\n`, { mode: 0o600 });

    progress(`starting vmd (${ctx.workers} workers, local mode) for the auth-cost scenario…`);
    const local = await startDaemon({ workers: ctx.workers });
    daemons.push(local);
    progress(`starting vmd (${ctx.workers} workers, --auth) for the auth-cost scenario…`);
    const secure = await startDaemon({
      workers: ctx.workers,
      args: ['--auth', '--admin-token-file', tokenFile],
    });
    daemons.push(secure);

    const admin = new VmdClient({ address: secure.address, apiKey: adminToken });
    clients.push(admin);
    const tenant = 'bench-auth';
    await admin.tenants.create(tenant);
    const { secret } = await admin.tenants.createKey(tenant, 'npm run bench');
    const secureClient = new VmdClient({ address: secure.address, apiKey: secret });
    clients.push(secureClient);

    const localTask = async (): Promise<void> => void expectTwo(await local.client.run(code, { tenant }));
    const secureTask = async (): Promise<void> => void expectTwo(await secureClient.run(code, { tenant }));
    const total = n(500);
    const warmup = Math.min(50, total);
    await runConcurrent(warmup, 1, localTask);
    await runConcurrent(warmup, 1, secureTask);

    const localRounds: ScenarioRound[] = [];
    const secureRounds: ScenarioRound[] = [];
    for (let r = 0; r < rounds; r++) {
      // Alternate which goes first, so neither always runs on the warmer machine.
      const order: [ScenarioRound[], () => Promise<void>][] = [
        [localRounds, localTask],
        [secureRounds, secureTask],
      ];
      if (r % 2 === 1) order.reverse();
      for (const [into, task] of order) {
        const { latenciesMs, wallMs } = await runConcurrent(total, 1, task);
        into.push({ latency: summarize(latenciesMs), throughputPerSec: (total / wallMs) * 1000 });
      }
      progress(
        `auth-cost round ${r + 1}/${rounds}: local p50 ${localRounds[r]!.latency.p50.toFixed(3)} ms, ` +
          `secure p50 ${secureRounds[r]!.latency.p50.toFixed(3)} ms`,
      );
    }
    return [
      scenarioResult('auth-local-c1', 'vmd Execute, local mode (no auth)', 1, total, localRounds),
      scenarioResult(
        'auth-secure-c1',
        'vmd Execute, secure mode (--auth, tenant API key as Bearer metadata)',
        1,
        total,
        secureRounds,
      ),
    ];
  } finally {
    for (const c of clients) c.close();
    await Promise.all(daemons.map((d) => d.stop()));
    await rm(tokenDir, { recursive: true, force: true });
  }
}
