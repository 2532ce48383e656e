import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { execute, healthStatus, sleep, startTestDaemon, Status } from './helpers.js';

it('drains on SIGTERM: the in-flight run completes, new calls are refused, exit code 0', async () => {
  const d = await startTestDaemon({ workers: 1 });
  try {
    const inflight = execute(d.client, { code: 'new Promise((r) => setTimeout(() => r("done"), 500))' });
    await sleep(150);
    d.child.kill('SIGTERM');
    await sleep(100);
    const refused = await execute(d.client, { code: '1' }, { deadlineMs: 3_000 });
    expect(refused.error?.code).toBe(Status.UNAVAILABLE);
    const r = await inflight;
    expect(r.error).toBeUndefined();
    const last = r.events.at(-1)?.event;
    expect(last?.$case).toBe('result');
    if (last?.$case === 'result') expect(JSON.parse(last.value.value!.json)).toBe('done');
    const { code } = await d.exited;
    expect(code).toBe(0);
    const msgs = d.logs.map((l) => l.msg);
    expect(msgs).toContain('shutdown: signal received');
    expect(msgs).toContain('shutdown: complete');
  } finally {
    await d.stop();
  }
});

it('exits at once on a second signal, leaving no worker process behind', async () => {
  const d = await startTestDaemon({ workers: 1 });
  try {
    const workerPids = readFileSync(`/proc/${d.pid}/task/${d.pid}/children`, 'utf8')
      .trim()
      .split(/\s+/)
      .map(Number);
    expect(workerPids.length).toBe(1);
    // A run that would keep the graceful drain waiting for its whole wall limit.
    const inflight = execute(d.client, { code: 'new Promise((r) => setTimeout(r, 8_000))' });
    await sleep(200);
    d.child.kill('SIGTERM');
    await sleep(100);
    d.child.kill('SIGTERM');
    const { code } = await d.exited;
    expect(code).toBe(143); // 128 + SIGTERM
    expect((await inflight).error?.code).toBe(Status.UNAVAILABLE);
    expect(d.logs.map((l) => l.msg)).toContain('shutdown: second signal; exiting now');
    // The worker notices its parent is gone (IPC disconnect) and exits.
    for (let i = 0; i < 100 && workerPids.some(alive); i++) await sleep(50);
    expect(workerPids.filter(alive)).toEqual([]);
  } finally {
    await d.stop();
  }
});

it('SIGHUP is logged as a warning and ignored: the daemon keeps serving', async () => {
  const d = await startTestDaemon({ workers: 1 });
  try {
    d.child.kill('SIGHUP');
    for (let i = 0; i < 100 && !d.logs.some((l) => l.msg.startsWith('signal ignored')); i++) await sleep(20);
    const warned = d.logs.filter((l) => l.msg.startsWith('signal ignored'));
    expect(warned).toHaveLength(1);
    expect(warned[0]).toMatchObject({ level: 40, signal: 'SIGHUP', component: 'lifecycle' });
    expect(warned[0]!.msg).toMatch(/restart the daemon to apply changes/);
    expect(d.child.exitCode).toBeNull();
    expect(await healthStatus(d.address)).toBe('SERVING');
    const r = await execute(d.client, { code: '6 * 7' });
    expect(r.error).toBeUndefined();
    expect(d.logs.map((l) => l.msg)).not.toContain('shutdown: signal received');
  } finally {
    await d.stop();
  }
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
