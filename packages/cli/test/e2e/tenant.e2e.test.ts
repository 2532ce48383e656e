import { runCli, startDaemon, type RunningDaemon } from '@vmd/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/** `vmctl tenant …` and `vmctl key …`, the real binary against a real daemon (local mode). */
let daemon: RunningDaemon;
const vmctl = (...args: string[]) => runCli(args, { env: { VMD_ADDR: daemon.address } });

beforeAll(async () => {
  daemon = await startDaemon({ workers: 1 });
});
afterAll(async () => {
  await daemon.stop();
});

describe('vmctl tenant / key', () => {
  it('creates a tenant with quotas and capabilities, shows it for people and as JSON', async () => {
    const created = await vmctl('tenant', 'create', 'acme', '--memory', '32', '--cpu', '200', '--kv');
    expect(created).toMatchObject({ code: 0, stderr: '' });
    expect(created.stdout).toMatch(/^name\s+acme$/m);
    expect(created.stdout).toMatch(/^memory\s+32 MiB$/m);
    const json = await vmctl('--json', 'tenant', 'get', 'acme');
    expect(json.code).toBe(0);
    const doc = JSON.parse(json.stdout) as {
      name: string;
      quotas: Record<string, number>;
      capabilities: { kv: boolean };
    };
    expect(doc).toMatchObject({
      name: 'acme',
      quotas: { memoryMib: 32, cpuTimeMs: 200 },
      capabilities: { kv: true },
    });
  });

  it('lists tenants in a table, updates only the flags given', async () => {
    await vmctl('tenant', 'create', 'beta');
    const list = await vmctl('tenant', 'list');
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/│ acme\s+│ 32\s+│ 200\s+│/);
    expect(list.stdout).toMatch(/│ beta\s+│ 64\s+│/);
    const updated = await vmctl('--json', 'tenant', 'update', 'acme', '--cpu', '150');
    const doc = JSON.parse(updated.stdout) as { quotas: Record<string, number> };
    expect(doc.quotas).toMatchObject({ cpuTimeMs: 150, memoryMib: 32 });
  });

  it('update without a change flag is refused (exit 2) and keeps the capabilities', async () => {
    const nothing = await vmctl('tenant', 'update', 'acme');
    expect(nothing.code).toBe(2);
    expect(nothing.stdout).toBe('');
    expect(nothing.stderr).toContain('tenant update acme: nothing would change; give at least one of');
    expect(nothing.stderr).toContain('--kv, --no-kv, --fetch, --isolation');
    const doc = JSON.parse((await vmctl('--json', 'tenant', 'get', 'acme')).stdout) as {
      capabilities: { kv: boolean };
    };
    expect(doc.capabilities.kv).toBe(true);
  });

  it('applies the stored quota to the next run of that tenant', async () => {
    // Asks for 5 s of cpu; the tenant's quota (150 ms) wins.
    const loop = await runCli(['--tenant', 'acme', 'exec', '-', '--cpu', '5000'], {
      env: { VMD_ADDR: daemon.address },
      input: 'while (true) {}',
    });
    expect(loop.code).toBe(1);
    expect(loop.stderr).toMatch(/^CPU_LIMIT: .*cpu limit of 150 ms/);
  });

  it('creates an API key (the secret once, on stdout), lists and revokes it', async () => {
    const created = await vmctl('key', 'create', 'acme', '--description', 'ci');
    expect(created.code).toBe(0);
    const secret = created.stdout.trim();
    expect(secret).toMatch(/^vmd_([0-9a-f]{16})_\S+$/);
    const id = /^vmd_([0-9a-f]{16})_/.exec(secret)![1]!;
    expect(created.stderr).toContain('shown once');
    const listed = await vmctl('key', 'list', 'acme');
    expect(listed.stdout).toContain(id);
    expect(listed.stdout).not.toContain(secret);
    const revoked = await vmctl('key', 'revoke', id);
    expect(revoked).toMatchObject({ code: 0, stdout: `revoked API key ${id} of tenant acme\n` });
    const again = await vmctl('--json', 'key', 'list', 'acme');
    const keys = (JSON.parse(again.stdout) as { keys: { id: string; revokedAt: string | null }[] }).keys;
    expect(keys[0]?.revokedAt).toMatch(/^\d{4}-/);
    // Revoking it again says so, with when it was revoked, and is not an error.
    const twice = await vmctl('key', 'revoke', id);
    expect(twice).toMatchObject({
      code: 0,
      stdout: `API key ${id} of tenant acme was already revoked (at ${keys[0]!.revokedAt}); nothing changed\n`,
    });
    const twiceJson = await vmctl('--json', 'key', 'revoke', id);
    expect(JSON.parse(twiceJson.stdout)).toMatchObject({
      key: { id, tenant: 'acme', revokedAt: keys[0]!.revokedAt },
      alreadyRevoked: true,
    });
    const bogus = await vmctl('key', 'revoke', 'bogus-id');
    expect(bogus.code).toBe(2);
    expect(bogus.stderr).toContain('`vmctl key list TENANT`');
    expect(bogus.stderr).not.toContain('ListApiKeys');
  });

  it('deletes a tenant; then get exits 2 saying it was not found', async () => {
    expect((await vmctl('tenant', 'delete', 'beta')).stdout).toBe('deleted tenant beta\n');
    const gone = await vmctl('tenant', 'get', 'beta');
    expect(gone.code).toBe(2);
    expect(gone.stderr).toContain("tenant 'beta' was not found");
    // the tenant is an argument here, not --tenant
    for (const args of [
      ['tenant', 'get', 'beta'],
      ['tenant', 'delete', 'beta'],
      ['key', 'list', 'beta'],
    ]) {
      const missing = await vmctl(...args);
      expect(missing.code).toBe(2);
      expect(missing.stderr).toContain('hint: check the tenant name');
      expect(missing.stderr).not.toContain('--tenant');
    }
  });

  it('rejects a bad flag value before calling the daemon', async () => {
    const bad = await vmctl('tenant', 'create', 'x', '--memory', 'lots');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--memory expects an integer from 8 to 4096 (MiB)');
  });

  it('vmctl usage: runs and failures per tenant, as a table and as JSON', async () => {
    await vmctl('tenant', 'create', 'metered');
    for (const code of ['1', '2', 'throw new Error("no")']) {
      await runCli(['exec', '-', '--tenant', 'metered'], { env: { VMD_ADDR: daemon.address }, input: code });
    }
    const json = await vmctl('--json', 'usage', 'metered', '--since', '1h');
    expect(json.code).toBe(0);
    const doc = JSON.parse(json.stdout) as { start: string; tenants: Array<Record<string, unknown>> };
    expect(doc.tenants).toEqual([
      expect.objectContaining({ tenant: 'metered', executions: 3, errors: { RUNTIME: 1 }, rejected: 0 }),
    ]);
    expect(Date.now() - Date.parse(doc.start)).toBeGreaterThan(3_500_000);
    const table = await vmctl('usage');
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/│ metered\s+│ 3\s+│ 1\s+│.*runtime 1/);
    expect(table.stdout).toMatch(/│ acme\s+│ 1\s+│ 1\s+│.*cpu_limit 1/);
    const unknown = await vmctl('usage', 'nobody');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("tenant 'nobody' was not found");
  });
});

describe('vmctl audit', () => {
  it('shows who changed what, newest first, filtered, as a table and as JSON', async () => {
    await vmctl('tenant', 'create', 'audited');
    const key = await vmctl('key', 'create', 'audited');
    const id = /^vmd_([0-9a-f]{16})_/.exec(key.stdout)![1]!;
    expect((await vmctl('key', 'revoke', id)).code).toBe(0);

    const json = await vmctl('--json', 'audit', 'audited');
    expect(json).toMatchObject({ code: 0, stderr: '' });
    const doc = JSON.parse(json.stdout) as {
      events: Array<{ action: string; target: string; actor: string; outcome: string; time: string }>;
      more: boolean;
    };
    expect(doc.events.map((e) => [e.action, e.target])).toEqual([
      ['apikey.revoke', `tenant/audited/key/${id}`],
      ['apikey.create', `tenant/audited/key/${id}`],
      ['tenant.create', 'audited'],
    ]);
    expect(doc.more).toBe(false);
    expect(doc.events[0]).toMatchObject({ actor: 'local', outcome: 'ok' });
    expect(Date.now() - Date.parse(doc.events[0]!.time)).toBeLessThan(60_000);

    const newest = await vmctl('audit', '--tenant', 'audited', '--limit', '1');
    expect(newest.code).toBe(0);
    expect(newest.stdout).toMatch(/│ \S+Z\s+│ local\s+│ apikey\.revoke\s+│ tenant\/audited\/key\//);
    expect(newest.stdout).not.toContain('tenant.create');
    expect(newest.stderr).toContain('showing the newest 1; there are more');

    const creates = await vmctl('--json', 'audit', '--action', 'tenant.create', '--since', '1h');
    const targets = (JSON.parse(creates.stdout) as { events: Array<{ target: string }> }).events.map(
      (e) => e.target,
    );
    expect(targets).toEqual(expect.arrayContaining(['audited', 'acme']));
    expect(targets.indexOf('audited')).toBeLessThan(targets.indexOf('acme'));

    const none = await vmctl('audit', '--outcome', 'denied');
    expect(none).toMatchObject({ code: 0, stdout: '' });
    expect(none.stderr).toContain('no audit entries match');
    const bad = await vmctl('audit', '--outcome', 'maybe');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--outcome expects ok, denied or failed');
    const backwards = await vmctl('audit', '--since', '1h', '--until', '2h');
    expect(backwards.code).toBe(2);
    expect(backwards.stderr).toContain('must be before until');
  });
});

describe('the tenant a command is about: its argument, or --tenant in its place', () => {
  it('tenant, key, usage and stats take it either way, --tenant before or after the command', async () => {
    expect((await vmctl('tenant', 'create', '--tenant', 'either', '--cpu', '300')).code).toBe(0);
    const got = await vmctl('--json', 'tenant', 'get', '--tenant', 'either');
    expect(got).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(got.stdout)).toMatchObject({ name: 'either', quotas: { cpuTimeMs: 300 } });
    const before = await vmctl('--tenant', 'either', '--json', 'tenant', 'update', '--cpu', '400');
    expect(JSON.parse(before.stdout)).toMatchObject({ name: 'either', quotas: { cpuTimeMs: 400 } });

    const key = await vmctl('key', 'create', '--tenant', 'either');
    expect(key.code).toBe(0);
    const id = /^vmd_([0-9a-f]{16})_/.exec(key.stdout)![1]!;
    expect((await vmctl('key', 'list', '--tenant', 'either')).stdout).toContain(id);

    await runCli(['exec', '-', '--tenant', 'either'], { env: { VMD_ADDR: daemon.address }, input: '1' });
    // `usage --tenant` used to show every tenant; it shows that one, as `usage either` does.
    for (const args of [
      ['usage', '--tenant', 'either'],
      ['usage', 'either'],
    ]) {
      const usage = await vmctl('--json', ...args);
      expect(usage.code).toBe(0);
      const tenants = (JSON.parse(usage.stdout) as { tenants: { tenant: string }[] }).tenants;
      expect([args, tenants.map((t) => t.tenant)]).toEqual([args, ['either']]);
    }
    // `stats --tenant T` keeps working; `stats T` says the same, as `usage T` does.
    for (const args of [
      ['stats', 'either'],
      ['stats', '--tenant', 'either'],
      ['top', 'either', '--interval', '200'],
    ]) {
      const stats = await runCli(['--json', ...args], {
        env: { VMD_ADDR: daemon.address },
        onSpawn: (pid) => args[0] === 'top' && setTimeout(() => process.kill(pid, 'SIGINT'), 1000),
      });
      expect([args, stats.code]).toEqual([args, 0]);
      // stats prints one JSON document; top, one per line.
      const doc = args[0] === 'top' ? stats.stdout.split('\n')[0]! : stats.stdout;
      const first = JSON.parse(doc) as { tenants: { tenant: string }[] };
      expect([args, first.tenants.map((t) => t.tenant)]).toEqual([args, ['either']]);
    }

    expect((await vmctl('tenant', 'delete', '--tenant', 'either')).stdout).toBe('deleted tenant either\n');
  });

  it('the same tenant twice is fine; two different ones, or none, is a usage error sent nowhere', async () => {
    expect((await vmctl('tenant', 'get', 'acme', '--tenant', 'acme')).code).toBe(0);
    for (const args of [
      ['tenant', 'get', 'acme', '--tenant', 'metered'],
      ['--tenant', 'metered', 'tenant', 'delete', 'acme'],
      ['key', 'list', 'acme', '--tenant', 'metered'],
      ['usage', 'acme', '--tenant', 'metered'],
      ['stats', 'acme', '--tenant', 'metered'],
    ]) {
      const both = await vmctl(...args);
      expect([args, both.code, both.stdout]).toEqual([args, 2, '']);
      expect(both.stderr).toMatch(
        /^vmctl: (tenant get|tenant delete|key list|usage|stats): two tenants given, acme and --tenant metered; give one: vmctl \1 acme\n/,
      );
    }
    expect((await vmctl('tenant', 'get', 'acme')).code).toBe(0);

    const none = await vmctl('tenant', 'get');
    expect(none).toMatchObject({ code: 2, stdout: '' });
    expect(none.stderr).toContain(
      'vmctl: tenant get: name the tenant: vmctl tenant get NAME (or --tenant NAME)',
    );
    // VMD_TENANT is the tenant to act as when running code: it never picks the tenant an admin
    // command changes, nor narrows usage.
    const env = { VMD_ADDR: daemon.address, VMD_TENANT: 'acme' };
    expect((await runCli(['tenant', 'delete'], { env })).code).toBe(2);
    const usage = await runCli(['--json', 'usage'], { env });
    const all = (JSON.parse(usage.stdout) as { tenants: { tenant: string }[] }).tenants.map((t) => t.tenant);
    expect(all).toEqual(expect.arrayContaining(['acme', 'metered']));
  });

  it('help shows the argument and --tenant in its place', async () => {
    const help = await vmctl('tenant', 'get', '--help');
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: vmctl tenant get [options] <name>');
    expect(help.stdout).toMatch(/name +the tenant \(or --tenant NAME\)/);
    const stats = await vmctl('stats', '--help');
    expect(stats.stdout).toContain('Usage: vmctl stats [options] [tenant]');
  });
});
