/**
 * REPL scenarios of `npm run bench`:
 *
 * - round trip: one input (`1 + 1`) on an open session, sequential (p50/p99), beside Execute of
 *   the same code on the same daemon in the same round (the ratio is what a session saves);
 * - idle sessions: daemon and worker RSS before and after opening {@link IDLE_SESSIONS} sessions
 *   (each with a binding, then detached: they wait in the daemon for their idle TTL).
 *
 * The daemon started here is stopped before the scenarios return, on failure too.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { VmdClient, type ReplSessionClient } from '@vmd/client';
import { startDaemon } from '@vmd/testkit';
import {
  runConcurrent,
  scenarioResult,
  summarize,
  type ScenarioResult,
  type ScenarioRound,
} from './stats.js';
import type { BenchContext } from './tenancy.js';

/** Sessions opened for the memory figure (scaled by --quick). */
export const IDLE_SESSIONS = 1000;
const TENANT = 'bench-repl';

/** Resident set size of a process, bytes (Linux /proc). */
function rssBytes(pid: number): number {
  try {
    const m = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

function workerPids(daemonPid: number): number[] {
  try {
    return execFileSync('ps', ['-o', 'pid=', '--ppid', String(daemonPid)], { encoding: 'utf8' })
      .split('\n')
      .map((s) => Number(s.trim()))
      .filter((n) => n > 0);
  } catch {
    return [];
  }
}

export async function replScenarios(ctx: BenchContext): Promise<ScenarioResult[]> {
  const sessions = ctx.n(IDLE_SESSIONS);
  ctx.progress(`repl: starting a daemon (${ctx.workers} workers)`);
  const daemon = await startDaemon({
    workers: ctx.workers,
    // 1,000 sessions are about 900 MiB per worker; past 85% of the RSS ceiling (default
    // 1024 MiB) a worker takes no new session, so the ceiling is raised for this measurement.
    args: ['--repl-max-sessions', String(sessions + 10), '--worker-rss-ceiling-mib', '4096'],
  });
  const client = new VmdClient({ address: daemon.address });
  try {
    await client.tenants.create(TENANT, { quotas: { replSessions: sessions + 10 } });
    const session = await client.repl({ tenant: TENANT });
    const total = ctx.n(1000);
    const replRounds: ScenarioRound[] = [];
    const execRounds: ScenarioRound[] = [];
    const input = async (): Promise<void> => {
      const r = await session.eval(ctx.code);
      if (r.status !== 'ok' || r.value.preview !== '2') throw new Error(`unexpected: ${JSON.stringify(r)}`);
    };
    const exec = async (): Promise<void> => {
      const r = await client.run(ctx.code, { tenant: TENANT });
      if (!r.ok || r.value.json !== '2') throw new Error(`unexpected: ${JSON.stringify(r)}`);
    };
    await runConcurrent(50, 1, input);
    await runConcurrent(50, 1, exec);
    for (let round = 0; round < ctx.rounds; round++) {
      for (const [rounds, task, name] of [
        [replRounds, input, 'repl input'],
        [execRounds, exec, 'execute'],
      ] as const) {
        const { latenciesMs, wallMs } = await runConcurrent(total, 1, task);
        const r = { latency: summarize(latenciesMs), throughputPerSec: (total / wallMs) * 1000 };
        rounds.push(r);
        ctx.progress(
          `${name} round ${round + 1}/${ctx.rounds}: p50 ${r.latency.p50.toFixed(3)} ms, p99 ${r.latency.p99.toFixed(3)} ms`,
        );
      }
    }
    await session.close();

    // Memory of idle sessions: settle, measure, open, settle, measure.
    await sleep(1000);
    const before = { daemon: rssBytes(daemon.pid), workers: workerPids(daemon.pid).map(rssBytes) };
    ctx.progress(`repl: opening ${sessions} idle sessions`);
    const open: ReplSessionClient[] = [];
    for (let i = 0; i < sessions; i++) {
      const s = await client.repl({ tenant: TENANT });
      await s.eval(`const id = ${i}; const data = { id, tags: ['a', 'b'] }`);
      s.detach();
      open.push(s);
    }
    await sleep(2000);
    const after = { daemon: rssBytes(daemon.pid), workers: workerPids(daemon.pid).map(rssBytes) };
    const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);
    const extra = {
      sessions,
      daemonRssBeforeMiB: before.daemon / 2 ** 20,
      daemonRssAfterMiB: after.daemon / 2 ** 20,
      workersRssBeforeMiB: sum(before.workers) / 2 ** 20,
      workersRssAfterMiB: sum(after.workers) / 2 ** 20,
      daemonKiBPerSession: (after.daemon - before.daemon) / 1024 / sessions,
      workersKiBPerSession: (sum(after.workers) - sum(before.workers)) / 1024 / sessions,
    };
    ctx.progress(
      `repl: ${sessions} idle sessions cost ${extra.workersKiBPerSession.toFixed(0)} KiB each in the workers, ${extra.daemonKiBPerSession.toFixed(1)} KiB each in the daemon`,
    );
    return [
      scenarioResult(
        'repl-input-c1',
        'REPL input round trip on an open session',
        1,
        total,
        replRounds,
        extra,
      ),
      scenarioResult('repl-execute-c1', 'Execute of the same code, same daemon', 1, total, execRounds),
    ];
  } finally {
    client.close();
    await daemon.stop();
  }
}
