import { execFileSync } from 'node:child_process';
import { runCli, startDaemon, type RunningDaemon } from '@vmd/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * A run lost to a worker crash, seen through the real `vmctl` against a real daemon: `exec`
 * fails with the platform's error, and `usage` and `stats` count it as an error.
 */
let daemon: RunningDaemon;
const env = (): Record<string, string> => ({ VMD_ADDR: daemon.address });
const vmctl = (...args: string[]) => runCli(args, { env: env() });

beforeAll(async () => {
  daemon = await startDaemon({ workers: 1 });
});
afterAll(async () => {
  await daemon.stop();
});

function workerPids(): number[] {
  return execFileSync('ps', ['-o', 'pid=', '--ppid', String(daemon.pid)], { encoding: 'utf8' })
    .split('\n')
    .map((s) => Number(s.trim()))
    .filter((n) => n > 0);
}

describe('a run lost to a worker crash', () => {
  it('is an error in vmctl usage (by vmd error code) and vmctl stats', async () => {
    const run = runCli(['exec', '-', '--tenant', 'crashy', '--timeout', '60000', '--cpu', '60000'], {
      env: env(),
      input: 'while (true) {}',
    });
    await new Promise((r) => setTimeout(r, 500));
    const [worker] = workerPids();
    process.kill(worker!, 'SIGKILL');
    const crashed = await run;
    expect(crashed.code).toBe(2);
    expect(crashed.stderr).toMatch(/WORKER_CRASHED|worker process running this code died/);

    const json = await vmctl('--json', 'usage', 'crashy');
    expect(json.code).toBe(0);
    const doc = JSON.parse(json.stdout) as { tenants: Array<Record<string, unknown>> };
    expect(doc.tenants).toEqual([
      expect.objectContaining({
        tenant: 'crashy',
        executions: 1,
        errors: {},
        platformErrors: { WORKER_CRASHED: 1 },
      }),
    ]);
    const table = await vmctl('usage', 'crashy');
    expect(table.stdout).toMatch(/│ crashy\s+│ 1\s+│ 1\s+│.*platform WORKER_CRASHED 1/);

    const stats = await vmctl('stats');
    expect(stats.code).toBe(0);
    expect(stats.stdout).toMatch(/\bruns 1\s+errors 1\b/);
  });
});
