import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CONFIG_KEYS } from '../../src/config/schema.js';
import { DAEMON_MAIN } from './helpers.js';

function vmd(args: string[], env: Record<string, string> = {}) {
  return spawnSync(process.execPath, [DAEMON_MAIN, ...args], {
    encoding: 'utf8',
    env: { ...process.env, ...env },
    timeout: 20_000,
  });
}

describe('vmd cli', () => {
  it('prints its version', () => {
    const r = vmd(['version']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^vmd \d+\.\d+\.\d+/);
  });

  it('offers a serve flag for every config key that has one (the config table is the only list)', () => {
    const r = vmd(['serve', '--help']);
    expect(r.status).toBe(0);
    const flags = Object.values(CONFIG_KEYS).flatMap((k) => (k.flag === undefined ? [] : [k.flag]));
    expect(flags.length).toBeGreaterThan(20);
    for (const flag of flags) expect(r.stdout).toContain(`${flag} `);
    expect(r.stdout).toContain('--no-isolate-snapshot');
  });

  it('prints the effective config with sources', () => {
    const r = vmd(['config', 'print', '--json'], { VMD_WORKERS: '3' });
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout) as { values: Record<string, { value: unknown; source: string }> };
    expect(out.values['workers']).toEqual({ value: 3, source: 'env' });
    expect(out.values['listen']).toEqual({ value: '127.0.0.1:50051', source: 'default' });
  });

  it('config print takes the flags of serve and names them as the source', () => {
    const r = vmd([
      'config',
      'print',
      '--listen',
      '127.0.0.1:54999',
      '--workers',
      '3',
      '--no-isolate-snapshot',
    ]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^listen +"127\.0\.0\.1:54999" +\(flag --listen\)$/m);
    expect(r.stdout).toMatch(/^workers +3 +\(flag --workers\)$/m);
    expect(r.stdout).toMatch(/^isolateSnapshot +false +\(flag --isolate-snapshot\)$/m);
    const json = vmd(['config', 'print', '--json', '--listen', '127.0.0.1:54999']);
    const out = JSON.parse(json.stdout) as { values: Record<string, { value: unknown; source: string }> };
    expect(out.values['listen']).toEqual({ value: '127.0.0.1:54999', source: 'flag' });
    const bad = vmd(['config', 'print', '--listen', '0.0.0.0:1']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/listen \(from flag --listen\): got "0.0.0.0:1"; is not a loopback address/);
  });

  it('refuses a metrics endpoint off loopback without --insecure, as it does a listen address', () => {
    const bad = vmd(['config', 'print'], { VMD_METRICS: '0.0.0.0:9464' });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(
      /metrics \(from env VMD_METRICS\): got "0.0.0.0:9464"; is not a loopback address; the metrics endpoint has no authentication/,
    );
    const serve = vmd(['serve', '--metrics', '0.0.0.0:9464', '--auth'], { VMD_ADMIN_TOKEN: 'x'.repeat(32) });
    expect(serve.status).toBe(2);
    expect(serve.stderr).toMatch(/metrics \(from flag --metrics\): got "0.0.0.0:9464"; is not a loopback/);
    const insecure = vmd(['config', 'print', '--json', '--insecure'], { VMD_METRICS: '0.0.0.0:9464' });
    expect(insecure.status).toBe(0);
  });

  it('exits 2 on invalid config, naming every problem', () => {
    const r = vmd(['serve', '--listen', '0.0.0.0:1', '--workers', 'zero'], { VMD_LOG_LEVEL: 'loud' });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/listen \(from flag --listen\): got "0.0.0.0:1"; is not a loopback address/);
    expect(r.stderr).toMatch(/workers \(from flag --workers\): got "zero"/);
    expect(r.stderr).toMatch(/logLevel \(from env VMD_LOG_LEVEL\): got "loud"/);
  });
});

/** Holds a port of 54000-54999 on 127.0.0.1 (the first free one from a random start). */
async function holdPort(): Promise<{ port: number; close: () => Promise<void> }> {
  const start = 54_000 + Math.floor(Math.random() * 1000);
  for (let i = 0; i < 1000; i++) {
    const port = 54_000 + ((start - 54_000 + i) % 1000);
    const server = net.createServer();
    const ok = await new Promise<boolean>((resolve) => {
      server.once('error', () => resolve(false));
      server.listen(port, '127.0.0.1', () => resolve(true));
    });
    if (ok) return { port, close: () => new Promise((r) => server.close(() => r())) };
  }
  throw new Error('no free port in 54000-54999');
}

describe('vmd serve start-up failures', () => {
  it('fails fast with one clear line when the port is in use: no workers, no stack, no grpc-js line', async () => {
    const held = await holdPort();
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'vmd-port-'));
    try {
      const r = vmd(['serve', '--listen', `127.0.0.1:${held.port}`, '--data-dir', dataDir, '--workers', '2']);
      expect(r.status).toBe(1);
      expect(r.stderr).toBe(
        `vmd: cannot listen on 127.0.0.1:${held.port}: the address is in use (another vmd?); stop that process or choose another --listen\n`,
      );
      const logs = r.stdout
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => JSON.parse(l) as { msg: string; level: number });
      expect(logs.map((l) => l.msg)).not.toContain('worker starting');
      expect(logs.filter((l) => l.level >= 50)).toEqual([]);
      expect(r.stdout).not.toContain('No address added');
    } finally {
      await held.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('reports a too-short admin token before logging anything', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'vmd-token-'));
    try {
      await writeFile(path.join(dir, 'token'), 'short\n');
      const r = vmd([
        'serve',
        '--auth',
        '--admin-token-file',
        path.join(dir, 'token'),
        '--listen',
        '127.0.0.1:0',
        '--data-dir',
        dir,
      ]);
      expect(r.status).toBe(2);
      expect(r.stdout).toBe('');
      // It names the file and what is wrong with the token in it (a file was given).
      const file = path.join(dir, 'token');
      expect(r.stderr).toBe(
        `vmd: invalid configuration:\n  - the admin token in ${file} is shorter than 16 characters; put a longer one in that file (e.g. \`openssl rand -hex 32 > ${file}\`)\n`,
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
