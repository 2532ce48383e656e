import { describe, expect, it } from 'vitest';
import { describeAdminTokenSource, resolveAdminToken } from './admin-token.js';
import { ConfigError, loadConfig } from './load-config.js';

const GOOD = 'a-good-admin-token-0123456789';
const files = (contents: Record<string, string>) => (path: string) => {
  const c = contents[path];
  if (c === undefined) throw new Error(`ENOENT: no such file or directory, open '${path}'`);
  return c;
};

describe('resolveAdminToken', () => {
  it('reads VMD_ADMIN_TOKEN when no file is given', () => {
    const r = resolveAdminToken({ adminTokenFile: '' }, { env: { VMD_ADMIN_TOKEN: ` ${GOOD} ` } });
    expect(r).toEqual({
      token: GOOD,
      source: { kind: 'env', variable: 'VMD_ADMIN_TOKEN' },
      problems: [],
      warnings: [],
    });
    expect(describeAdminTokenSource(r.source)).toBe('env VMD_ADMIN_TOKEN');
  });

  it('says where to put a token when there is none', () => {
    const r = resolveAdminToken({ adminTokenFile: '' }, { env: {} });
    expect(r.token).toBeUndefined();
    expect(r.problems).toEqual([
      '--auth needs an admin token of at least 16 characters: put it in a file given with --admin-token-file, or in VMD_ADMIN_TOKEN',
    ]);
  });

  it('names the variable or the file holding a token that is too short, never the token', () => {
    const env = resolveAdminToken({ adminTokenFile: '' }, { env: { VMD_ADMIN_TOKEN: 'xyz' } });
    expect(env.problems).toEqual([
      'the admin token in VMD_ADMIN_TOKEN is shorter than 16 characters; set a longer one (e.g. `openssl rand -hex 32`)',
    ]);
    const file = resolveAdminToken(
      { adminTokenFile: '/etc/vmd/token' },
      { env: {}, readFile: files({ '/etc/vmd/token': 'tiny5\n' }), fileMode: () => 0o600 },
    );
    expect(file.token).toBeUndefined();
    expect(file.source).toEqual({ kind: 'file', path: '/etc/vmd/token' });
    expect(file.problems).toEqual([
      'the admin token in /etc/vmd/token is shorter than 16 characters; put a longer one in that file (e.g. `openssl rand -hex 32 > /etc/vmd/token`)',
    ]);
    expect(JSON.stringify([env, file])).not.toMatch(/xyz|tiny5/);
  });

  it('reports an unreadable or empty token file by name', () => {
    const missing = resolveAdminToken({ adminTokenFile: '/nope' }, { readFile: files({}) });
    expect(missing.problems).toEqual([
      "cannot read the admin token file /nope: ENOENT: no such file or directory, open '/nope'",
    ]);
    const empty = resolveAdminToken({ adminTokenFile: '/e' }, { readFile: files({ '/e': '\nsecond line' }) });
    expect(empty.problems).toEqual([
      'the admin token file /e has no token on its first line; put one of at least 16 characters there',
    ]);
  });

  it('takes the first line of the file, whatever the environment says', () => {
    const r = resolveAdminToken(
      { adminTokenFile: '/t' },
      {
        env: { VMD_ADMIN_TOKEN: 'ignored' },
        readFile: files({ '/t': `${GOOD}\r\nmore` }),
        fileMode: () => 0o100600,
      },
    );
    expect(r).toEqual({ token: GOOD, source: { kind: 'file', path: '/t' }, problems: [], warnings: [] });
  });

  it('warns when group or others can read the token file: chmod 600', () => {
    for (const mode of [0o100640, 0o100604, 0o100644, 0o100660]) {
      const r = resolveAdminToken(
        { adminTokenFile: '/t' },
        { readFile: files({ '/t': GOOD }), fileMode: () => mode },
      );
      expect(r.token).toBe(GOOD);
      const octal = `0${(mode & 0o777).toString(8)}`;
      expect(r.warnings).toEqual([
        {
          text: `the admin token file /t can be read by other users (mode ${octal}); chmod 600 /t`,
          msg: 'admin token file is readable by other users; chmod 600 it',
          fields: { admin_token_file: '/t', mode: octal },
        },
      ]);
    }
    for (const mode of [0o100600, 0o100400]) {
      const r = resolveAdminToken(
        { adminTokenFile: '/t' },
        { readFile: files({ '/t': GOOD }), fileMode: () => mode },
      );
      expect(r.warnings).toEqual([]);
    }
  });
});

describe('loadConfig and the admin token', () => {
  it('reports a bad token as a configuration problem with --auth (so config print exits 2 like serve)', () => {
    let err: unknown;
    try {
      loadConfig({ env: { HOME: '/h', VMD_ADMIN_TOKEN: 'abc' }, flags: { auth: true } });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).problems).toEqual([
      'the admin token in VMD_ADMIN_TOKEN is shorter than 16 characters; set a longer one (e.g. `openssl rand -hex 32`)',
    ]);
  });

  it('reports it with the other problems at once', () => {
    let problems: readonly string[] = [];
    try {
      loadConfig({ env: { HOME: '/h' }, flags: { auth: true, workers: 'many' } });
    } catch (e) {
      problems = (e as ConfigError).problems;
    }
    expect(problems).toHaveLength(2);
    expect(problems[1]).toContain('--auth needs an admin token');
  });

  it('does not look at the token without --auth', () => {
    const loaded = loadConfig({ env: { HOME: '/h', VMD_ADMIN_TOKEN: 'xyz' } });
    expect(loaded.adminToken).toBeUndefined();
    expect(loaded.warnings).toEqual([]);
  });

  it("returns the token's source and warnings, never the token", () => {
    const loaded = loadConfig({
      env: { HOME: '/h' },
      flags: { auth: true, adminTokenFile: '/t' },
      readFile: files({ '/t': GOOD }),
      fileMode: () => 0o644,
    });
    expect(loaded.adminToken).toEqual({ source: { kind: 'file', path: '/t' } });
    expect(loaded.warnings.map((w) => w.text)).toEqual([
      'the admin token file /t can be read by other users (mode 0644); chmod 600 /t',
    ]);
    expect(JSON.stringify(loaded)).not.toContain(GOOD);
  });
});
