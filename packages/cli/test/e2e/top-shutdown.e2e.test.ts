import { runCli, startDaemon } from '@vmd/testkit';
import { expect, it } from 'vitest';

/**
 * `vmctl top` against a daemon that shuts down: the daemon ends the watch when its drain begins,
 * so top exits at once with a message saying why (and the daemon does not wait for it).
 */
it('vmctl top exits with a readable message when the daemon shuts down, and does not hold the shutdown', async () => {
  // A grace period far longer than the test: the daemon must exit because nothing is left.
  const daemon = await startDaemon({ workers: 1, args: ['--shutdown-grace-ms', '600000'] });
  try {
    const top = runCli(['--json', 'top', '--interval', '200'], { env: { VMD_ADDR: daemon.address } });
    // Time for vmctl to start and print a few snapshots.
    await new Promise((r) => setTimeout(r, 1_500));
    daemon.process.kill('SIGTERM');
    const r = await top;
    expect(r.code).toBe(2);
    // It was watching (one JSON snapshot per line) when the daemon ended the stream.
    expect(JSON.parse(r.stdout.trim().split('\n')[0]!)).toHaveProperty('daemon');
    expect(r.stderr).toMatch(/^vmctl: SHUTTING_DOWN: vmd is shutting down/);
    expect((await daemon.exited).code).toBe(0);
  } finally {
    await daemon.stop();
  }
}, 30_000);
