import { spawnSync } from 'node:child_process';
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

  it('exits 2 on invalid config, naming every problem', () => {
    const r = vmd(['serve', '--listen', '0.0.0.0:1', '--workers', 'zero'], { VMD_LOG_LEVEL: 'loud' });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/listen \(from flag --listen\): got "0.0.0.0:1"; is not a loopback address/);
    expect(r.stderr).toMatch(/workers \(from flag --workers\): got "zero"/);
    expect(r.stderr).toMatch(/logLevel \(from env VMD_LOG_LEVEL\): got "loud"/);
  });
});
