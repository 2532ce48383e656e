import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DAEMON_MAIN, execute, sleep, startTestDaemon } from './helpers.js';

/** One daemon per data directory: the `vmd.lock` file. */

function vmd(args: string[]) {
  return spawnSync(process.execPath, [DAEMON_MAIN, ...args], { encoding: 'utf8', timeout: 20_000 });
}

function logMessages(stdout: string): { msg: string; level: number }[] {
  return stdout
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as { msg: string; level: number });
}

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'vmd-data-dir-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('the data directory lock', () => {
  it('a second daemon on the same data dir refuses to start, naming the first one’s pid; config print takes no lock', async () => {
    const d = await startTestDaemon({ workers: 1, args: ['--data-dir', dir] });
    const lockFile = path.join(dir, 'vmd.lock');
    try {
      expect((await readFile(lockFile, 'utf8')).split('\n')[0]).toBe(String(d.pid));
      const second = vmd(['serve', '--listen', '127.0.0.1:0', '--workers', '1', '--data-dir', dir]);
      expect(second.status).toBe(1);
      expect(second.stderr).toBe(
        `vmd: cannot use the data directory ${dir}: another vmd (pid ${d.pid}) is using it (lock ${lockFile}); stop that daemon, or choose another --data-dir\n`,
      );
      const logs = logMessages(second.stdout);
      expect(logs.map((l) => l.msg)).not.toContain('worker starting');
      expect(logs.map((l) => l.msg)).not.toContain('listening');
      expect(logs.filter((l) => l.level >= 50)).toEqual([]);

      const print = vmd(['config', 'print', '--data-dir', dir]);
      expect(print.status).toBe(0);
      expect((await readFile(lockFile, 'utf8')).split('\n')[0]).toBe(String(d.pid));
      // The first daemon is untouched.
      expect((await execute(d.client, { code: '1 + 1' })).error).toBeUndefined();
    } finally {
      await d.stop();
    }
    expect(existsSync(lockFile)).toBe(false);
    expect(vmd(['config', 'print', '--data-dir', dir]).status).toBe(0);
    expect(existsSync(lockFile)).toBe(false);
  });

  it('a lock left by a daemon that is gone is taken over, and removed on exit', async () => {
    const gone = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], {
      encoding: 'utf8',
    });
    const stalePid = Number(gone.stdout);
    expect(stalePid).toBeGreaterThan(0);
    const lockFile = path.join(dir, 'vmd.lock');
    await writeFile(lockFile, `${stalePid}\n`);
    const d = await startTestDaemon({ workers: 1, args: ['--data-dir', dir] });
    try {
      expect((await readFile(lockFile, 'utf8')).split('\n')[0]).toBe(String(d.pid));
      expect(
        d.logs.find((l) => l.msg === 'took over the data directory lock of a vmd that is gone'),
      ).toMatchObject({
        level: 40,
        stale_pid: stalePid,
      });
    } finally {
      await d.stop();
    }
    expect(existsSync(lockFile)).toBe(false);
  });

  it('the lock is removed when a second signal cuts the shutdown short', async () => {
    const d = await startTestDaemon({ workers: 1, args: ['--data-dir', dir] });
    const lockFile = path.join(dir, 'vmd.lock');
    try {
      expect(existsSync(lockFile)).toBe(true);
      const inflight = execute(d.client, { code: 'new Promise((r) => setTimeout(r, 8_000))' });
      await sleep(200);
      d.child.kill('SIGTERM');
      await sleep(100);
      d.child.kill('SIGTERM');
      expect((await d.exited).code).toBe(143);
      await inflight;
      expect(existsSync(lockFile)).toBe(false);
    } finally {
      await d.stop();
    }
  });

  it('a data dir path that is a file is one line on stderr, not a fatal log with a stack', async () => {
    const file = path.join(dir, 'not-a-dir');
    await writeFile(file, 'x');
    const r = vmd(['serve', '--listen', '127.0.0.1:0', '--workers', '1', '--data-dir', file]);
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(
      `vmd: cannot use the data directory ${file}: it exists and is not a directory; remove it or choose another --data-dir\n`,
    );
    const logs = logMessages(r.stdout);
    expect(logs.filter((l) => l.level >= 50)).toEqual([]);
    expect(logs.map((l) => l.msg)).not.toContain('worker starting');
  });
});
