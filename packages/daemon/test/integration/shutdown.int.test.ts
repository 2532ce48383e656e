import { expect, it } from 'vitest';
import { execute, sleep, startTestDaemon, Status } from './helpers.js';

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
