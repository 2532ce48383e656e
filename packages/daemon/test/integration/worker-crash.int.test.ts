import { afterAll, beforeAll, expect, it } from 'vitest';
import { childPids, execute, sleep, startTestDaemon, Status, type TestDaemon } from './helpers.js';

let d: TestDaemon;

beforeAll(async () => {
  d = await startTestDaemon({ workers: 2 });
});

afterAll(async () => {
  await d?.stop();
});

it('fails only the run of a SIGKILLed worker with UNAVAILABLE/WORKER_CRASHED; the next run succeeds', async () => {
  const before = childPids(d.pid);
  expect(before).toHaveLength(2);
  const victim = execute(d.client, {
    code: 'while (true) {}',
    limits: {
      memoryMib: 0,
      cpuTimeMs: 60_000,
      wallTimeMs: 60_000,
      outputBytes: 0,
      resultBytes: 0,
      consoleLinesPerSecond: 0,
    },
  });
  // Find the worker that is busy: the one burning CPU.
  await sleep(300);
  const { execFileSync } = await import('node:child_process');
  const cpu = execFileSync('ps', ['-o', 'pid=,pcpu=', '--ppid', String(d.pid)], { encoding: 'utf8' })
    .trim()
    .split('\n')
    .map((l) => l.trim().split(/\s+/).map(Number) as [number, number])
    .sort((a, b) => b[1] - a[1]);
  const busyPid = cpu[0]![0];
  process.kill(busyPid, 'SIGKILL');
  const r = await victim;
  expect(r.error?.code).toBe(Status.UNAVAILABLE);
  expect(r.trailers?.get('vmd-error-code')).toEqual(['WORKER_CRASHED']);
  expect(r.error?.details).toMatch(/worker process running this code died.*can be retried/);

  const next = await execute(d.client, { code: '"still serving"' }, { deadlineMs: 10_000 });
  expect(next.error).toBeUndefined();
  expect(next.events.at(-1)?.event?.$case).toBe('result');

  // The worker is replaced.
  for (let i = 0; i < 100 && childPids(d.pid).length < 2; i++) await sleep(50);
  const after = childPids(d.pid);
  expect(after).toHaveLength(2);
  expect(after).not.toContain(busyPid);
});
