import { spawn } from 'node:child_process';
import { copyFile, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { VmdClient } from '@vmd/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DAEMON_MAIN, execute, startTestDaemon, type TestDaemon } from './helpers.js';

/**
 * `vmd backup` against a real running daemon: the data is written through the API (much of it
 * still in vmd.db-wal), the copy is made while the daemon serves, it never overwrites a file,
 * and a daemon started on the copy (the documented restore) has everything.
 */
let d: TestDaemon;
let client: VmdClient;
let dir: string;

function vmd(
  args: string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [DAEMON_MAIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

const COUNTER = `module.exports = async () => {
  const n = ((await kv.get('n')) ?? 0) + 1;
  await kv.put('n', n);
  return n;
};`;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'vmd-backup-'));
  d = await startTestDaemon({ workers: 1 });
  client = new VmdClient({ address: d.address });
  await client.tenants.create('acme', { capabilities: { kv: true }, quotas: { memoryMib: 32 } });
  await client.tenants.createKey('acme', 'ci');
  await client.functions.deploy('counter', COUNTER, { tenant: 'acme', capabilities: ['kv'] });
  for (let i = 0; i < 3; i++) {
    const r = await client.functions.invoke('counter', null, { tenant: 'acme' });
    expect(r.ok).toBe(true);
  }
});
afterAll(async () => {
  client.close();
  await d.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('vmd backup', () => {
  it('copies the live store consistently, never overwrites, and restores', async () => {
    // Why a command: a copy of vmd.db alone misses what is still in vmd.db-wal.
    const naive = path.join(dir, 'naive.db');
    await copyFile(path.join(d.dataDir, 'vmd.db'), naive);
    const naiveTables = (() => {
      const db = new DatabaseSync(naive, { readOnly: true });
      try {
        return (
          db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE name = 'tenants'").get() as { n: number }
        ).n;
      } finally {
        db.close();
      }
    })();
    expect(naiveTables).toBe(0);

    const out = path.join(dir, 'vmd-backup.db');
    // The daemon keeps serving while the copy is made.
    const [backup, during] = await Promise.all([
      vmd(['backup', '--data-dir', d.dataDir, out]),
      execute(d.client, { tenant: 'acme', code: '"still serving"' }),
    ]);
    expect(backup.stderr).toBe('');
    expect(backup.status).toBe(0);
    expect(during.error).toBeUndefined();
    expect(backup.stdout).toContain(`wrote ${out} (`);
    expect(backup.stdout).toMatch(/a consistent copy of .*vmd\.db as of \d{4}-/);
    expect(backup.stdout).toMatch(/\b1 API keys, 1 functions \(1 versions\), 1 kv entries/);
    expect((await stat(out)).mode & 0o777).toBe(0o600);

    // Never over an existing file.
    const before = await readFile(out);
    const again = await vmd(['backup', '--data-dir', d.dataDir, out]);
    expect(again.status).toBe(1);
    expect(again.stderr).toBe(
      `vmd: backup failed: ${out} exists; vmd backup never overwrites a file: choose a new name, or remove it first\n`,
    );
    expect(await readFile(out)).toEqual(before);

    // --json, and the counts of what the copy holds.
    const json = await vmd(['backup', '--json', '--data-dir', d.dataDir, path.join(dir, 'second.db')]);
    expect(json.status).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({
      file: path.join(dir, 'second.db'),
      apiKeys: 1,
      functions: 1,
      functionVersions: 1,
      kvEntries: 1,
    });

    // Restore: a daemon started on a data dir holding the copy as vmd.db has everything.
    const restoredDir = path.join(dir, 'restored');
    await (await import('node:fs/promises')).mkdir(restoredDir, { mode: 0o700 });
    await copyFile(out, path.join(restoredDir, 'vmd.db'));
    const restored = await startTestDaemon({ workers: 1, args: ['--data-dir', restoredDir] });
    const restoredClient = new VmdClient({ address: restored.address });
    try {
      const tenant = await restoredClient.tenants.get('acme');
      expect(tenant.quotas.memoryMib).toBe(32);
      expect((await restoredClient.tenants.listKeys('acme')).items).toHaveLength(1);
      const r = await restoredClient.functions.invoke('counter', null, { tenant: 'acme' });
      expect(r.ok && r.value.value).toBe(4); // the kv value 3 came along
    } finally {
      restoredClient.close();
      await restored.stop();
    }
  });

  it('with --data-dir, an unrelated configuration problem does not stop a backup', async () => {
    const env = { ...process.env, VMD_METRICS: 'not an address' };
    const out = path.join(dir, 'despite-config.db');
    const r = await vmd(['backup', '--data-dir', d.dataDir, out], env);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect((await stat(out)).size).toBeGreaterThan(0);
    // Without it the configuration is read to find the data directory, and its problem is said.
    const without = await vmd(['backup', path.join(dir, 'not-made.db')], env);
    expect(without.status).toBe(2);
    expect(without.stderr).toContain('give --data-dir DIR to back up without reading the configuration');
  });

  it('says so when the data directory holds no store', async () => {
    const r = await vmd(['backup', '--data-dir', dir, path.join(dir, 'none.db')]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^vmd: backup failed: there is no vmd store at .*vmd\.db; check --data-dir/);
  });
});
