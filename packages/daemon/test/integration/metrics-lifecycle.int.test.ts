import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { expect, it } from 'vitest';
import { DAEMON_MAIN, execute, refused, sleep, startTestDaemon } from './helpers.js';

/** The metrics listener (`--metrics HOST:PORT`) in the daemon's life: bound before any worker, released with gRPC. */

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** Binds `port` on 127.0.0.1 and frees it again: true when nothing else holds it. */
function bindable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

it('a metrics port in use stops vmd serve before any worker starts, with the one line of a gRPC port in use', async () => {
  const held = net.createServer();
  await new Promise<void>((r) => held.listen(0, '127.0.0.1', r));
  const port = (held.address() as { port: number }).port;
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'vmd-metrics-port-'));
  try {
    const r = spawnSync(
      process.execPath,
      [
        DAEMON_MAIN,
        'serve',
        '--listen',
        '127.0.0.1:0',
        '--metrics',
        `127.0.0.1:${port}`,
        '--workers',
        '1',
        '--data-dir',
        dataDir,
      ],
      { encoding: 'utf8', timeout: 20_000 },
    );
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(
      `vmd: cannot listen on 127.0.0.1:${port} (--metrics): the address is in use (another vmd?); stop that process or choose another --metrics\n`,
    );
    const logs = r.stdout
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as { msg: string; level: number });
    expect(logs.map((l) => l.msg)).not.toContain('worker starting');
    expect(logs.filter((l) => l.level >= 50)).toEqual([]);
  } finally {
    await new Promise((r) => held.close(r));
    await rm(dataDir, { recursive: true, force: true });
  }
});

it('the metrics port is released no later than the gRPC port when the daemon stops', async () => {
  const port = await freePort();
  const d = await startTestDaemon({ workers: 1, args: ['--metrics', `127.0.0.1:${port}`] });
  try {
    expect((await fetch(`http://127.0.0.1:${port}/metrics`)).status).toBe(200);
    // A run that keeps the drain going for a while.
    let started!: () => void;
    const running = new Promise<void>((r) => (started = r));
    const inflight = execute(
      d.client,
      { code: 'console.log("waiting"); new Promise((r) => setTimeout(() => r(1), 1_500))' },
      { onEvent: (e) => e.event?.$case === 'output' && started() },
    );
    await running;
    d.child.kill('SIGTERM');
    // As soon as gRPC refuses connections, the metrics port is free for a new daemon.
    while (!(await refused(d.address))) await sleep(10);
    expect(await bindable(port)).toBe(true);
    expect((await inflight).error).toBeUndefined();
    expect((await d.exited).code).toBe(0);
    expect(await bindable(port)).toBe(true);
  } finally {
    await d.stop();
  }
});
