import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { Client, credentials, Metadata, type MethodDefinition, type ServiceError } from '@grpc/grpc-js';
import {
  AuditOutcome,
  FunctionServiceClient,
  GetStatsRequest,
  MonitorServiceService,
  Tenant,
  TenantServiceClient,
  WatchStatsRequest,
} from '@vmd/client/wire';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DAEMON_MAIN,
  execute,
  executeRequest,
  startTestDaemon,
  Status,
  unaryCall,
  type TestDaemon,
  type UnaryMethod,
} from './helpers.js';

/**
 * Secure mode (`vmd serve --auth`): the authorization matrix. Every RPC × {no key, wrong key,
 * revoked key, other tenant's key, own key, admin token} against a real daemon.
 */
const ADMIN_TOKEN = 'admin-token-for-the-matrix-test-0123456789';

type Tenants = InstanceType<typeof TenantServiceClient>;
let d: TestDaemon;
let tenants: Tenants;

function md(secret: string | undefined): Metadata {
  const m = new Metadata();
  if (secret !== undefined) m.set('authorization', `Bearer ${secret}`);
  return m;
}

function unary<Req, Res>(
  method: UnaryMethod<Req, Res>,
  req: Req,
  secret: string | undefined,
): Promise<{ code: Status; res?: Res; details?: string }> {
  return unaryCall(tenants, method, req, md(secret)).then(
    (res) => ({ code: Status.OK, res }),
    (err: ServiceError) => ({ code: err.code, details: err.details }),
  );
}

const keys: Record<'own' | 'other' | 'revoked', string> = { own: '', other: '', revoked: '' };

beforeAll(async () => {
  d = await startTestDaemon({ workers: 1, args: ['--auth'], env: { VMD_ADMIN_TOKEN: ADMIN_TOKEN } });
  tenants = new TenantServiceClient(d.address, credentials.createInsecure());
  for (const name of ['alpha', 'beta']) {
    expect(
      (await unary(tenants.createTenant, { tenant: Tenant.fromPartial({ name }) }, ADMIN_TOKEN)).code,
    ).toBe(0);
  }
  const key = async (tenant: string): Promise<string> =>
    (await unary(tenants.createApiKey, { tenant, description: '' }, ADMIN_TOKEN)).res!.secret;
  keys.own = await key('alpha');
  keys.other = await key('beta');
  keys.revoked = await key('alpha');
  const id = /^vmd_([0-9a-f]{16})_/.exec(keys.revoked)![1]!;
  expect((await unary(tenants.revokeApiKey, { id }, ADMIN_TOKEN)).code).toBe(0);
});
afterAll(async () => {
  tenants.close();
  await d.stop();
});

type Who = 'none' | 'wrong' | 'revoked' | 'other' | 'own' | 'admin';
const secretOf = (who: Who): string | undefined =>
  who === 'none'
    ? undefined
    : who === 'wrong'
      ? 'vmd_0123456789abcdef_not-a-real-secret-at-all'
      : who === 'admin'
        ? ADMIN_TOKEN
        : keys[who];

/** The documented status of each RPC group per credential (docs/errors.md, README). */
const EXPECTED: Record<
  'tenantRpc' | 'adminRpc',
  Record<Who, 'OK' | 'UNAUTHENTICATED' | 'PERMISSION_DENIED'>
> = {
  tenantRpc: {
    none: 'UNAUTHENTICATED',
    wrong: 'UNAUTHENTICATED',
    revoked: 'UNAUTHENTICATED',
    other: 'PERMISSION_DENIED',
    own: 'OK',
    admin: 'PERMISSION_DENIED',
  },
  adminRpc: {
    none: 'UNAUTHENTICATED',
    wrong: 'UNAUTHENTICATED',
    revoked: 'UNAUTHENTICATED',
    other: 'PERMISSION_DENIED',
    own: 'PERMISSION_DENIED',
    admin: 'OK',
  },
};
const WHO: Who[] = ['none', 'wrong', 'revoked', 'other', 'own', 'admin'];

/** OK means "let through": the RPC may still fail for its own reasons (e.g. NOT_FOUND). */
function verdict(code: Status): string {
  if (code === Status.UNAUTHENTICATED) return 'UNAUTHENTICATED';
  if (code === Status.PERMISSION_DENIED) return 'PERMISSION_DENIED';
  return 'OK';
}

let n = 0;
const ADMIN_RPCS: [string, (secret: string | undefined) => Promise<{ code: Status }>][] = [
  [
    'CreateTenant',
    (s) => unary(tenants.createTenant, { tenant: Tenant.fromPartial({ name: `made-${++n}` }) }, s),
  ],
  ['GetTenant', (s) => unary(tenants.getTenant, { name: 'alpha' }, s)],
  ['ListTenants', (s) => unary(tenants.listTenants, { page: undefined }, s)],
  [
    'UpdateTenant',
    (s) =>
      unary(
        tenants.updateTenant,
        { tenant: Tenant.fromPartial({ name: 'beta', displayName: 'b' }), updateMask: ['display_name'] },
        s,
      ),
  ],
  ['DeleteTenant', (s) => unary(tenants.deleteTenant, { name: 'no-such-tenant' }, s)],
  ['CreateApiKey', (s) => unary(tenants.createApiKey, { tenant: 'beta', description: '' }, s)],
  ['ListApiKeys', (s) => unary(tenants.listApiKeys, { tenant: 'alpha', page: undefined }, s)],
  ['RevokeApiKey', (s) => unary(tenants.revokeApiKey, { id: 'ffffffffffffffff' }, s)],
  ['GetUsage', (s) => unary(tenants.getUsage, { tenant: 'alpha', start: undefined, end: undefined }, s)],
  [
    'ListAuditEvents',
    (s) =>
      unary(
        tenants.listAuditEvents,
        {
          tenant: 'alpha',
          action: '',
          actor: '',
          outcome: AuditOutcome.AUDIT_OUTCOME_UNSPECIFIED,
          since: undefined,
          until: undefined,
          page: undefined,
        },
        s,
      ),
  ],
];

describe('authorization matrix (secure mode)', () => {
  for (const who of WHO) {
    it(`Execute as tenant alpha with ${who} credentials → ${EXPECTED.tenantRpc[who]}`, async () => {
      const r = await execute(d.client, executeRequest({ tenant: 'alpha', code: '6 * 7' }), {
        metadata: md(secretOf(who)),
      });
      expect(verdict(r.error?.code ?? Status.OK)).toBe(EXPECTED.tenantRpc[who]);
      if (who === 'own') expect(r.events.at(-1)?.event?.$case).toBe('result');
    });
    for (const [rpc, callAs] of ADMIN_RPCS) {
      it(`TenantService/${rpc} with ${who} credentials → ${EXPECTED.adminRpc[who]}`, async () => {
        expect(verdict((await callAs(secretOf(who))).code)).toBe(EXPECTED.adminRpc[who]);
      });
    }
  }

  it("fills in the key's tenant when the request names none", async () => {
    const r = await execute(d.client, executeRequest({ tenant: '', code: '1' }), { metadata: md(keys.own) });
    expect(r.events.at(-1)?.event?.$case).toBe('result');
  });

  it('does not create unknown tenants in secure mode', async () => {
    const key = (await unary(tenants.createApiKey, { tenant: 'alpha', description: '' }, ADMIN_TOKEN)).res!
      .secret;
    await unary(tenants.deleteTenant, { name: 'alpha' }, ADMIN_TOKEN);
    const r = await execute(d.client, executeRequest({ tenant: 'alpha', code: '1' }), { metadata: md(key) });
    expect(r.error?.code).toBe(Status.UNAUTHENTICATED); // its keys went with it
  });

  it('never writes the admin token or a key secret to the log', () => {
    const log = d.logs.map((l) => JSON.stringify(l)).join('\n');
    expect(log).not.toContain(ADMIN_TOKEN);
    expect(log).not.toContain(keys.own);
    expect(log).not.toContain(keys.revoked);
    expect(log).not.toContain(keys.revoked.slice('vmd_0123456789abcdef_'.length));
  });

  it("names each RPC's principal on its log line: admin, key:<id> (also when refused), none", async () => {
    const idOf = (secret: string): string => /^vmd_([0-9a-f]{16})_/.exec(secret)![1]!;
    /** The access line of the next `method` call that `call` makes. */
    const lineOf = async (method: string, call: () => Promise<unknown>): Promise<Record<string, unknown>> => {
      const lines = (): Record<string, unknown>[] =>
        d.logs.filter((l) => l.msg === 'rpc' && l['rpc_method'] === method);
      // Lines reach the test through the daemon's stdout: let those of earlier calls arrive first.
      for (let seen = -1; seen !== lines().length;) {
        seen = lines().length;
        await new Promise((r) => setTimeout(r, 100));
      }
      const before = lines().length;
      await call();
      for (let i = 0; i < 100 && lines().length === before; i++) await new Promise((r) => setTimeout(r, 20));
      return lines()[before]!;
    };
    const execAs = (who: Who, tenant = 'beta') =>
      lineOf('Execute', () =>
        execute(d.client, executeRequest({ tenant, code: '1' }), { metadata: md(secretOf(who)) }),
      );
    expect(await execAs('other')).toMatchObject({ grpc_status: 'OK', principal: `key:${idOf(keys.other)}` });
    expect(await execAs('revoked')).toMatchObject({
      grpc_status: 'UNAUTHENTICATED',
      principal: `key:${idOf(keys.revoked)}`,
    });
    expect(await execAs('wrong')).toMatchObject({ grpc_status: 'UNAUTHENTICATED', principal: 'unknown' });
    expect(await execAs('none')).toMatchObject({ grpc_status: 'UNAUTHENTICATED', principal: 'none' });
    expect(await execAs('admin')).toMatchObject({ grpc_status: 'PERMISSION_DENIED', principal: 'admin' });
    expect(
      await lineOf('GetTenant', () => unary(tenants.getTenant, { name: 'beta' }, ADMIN_TOKEN)),
    ).toMatchObject({ grpc_status: 'OK', principal: 'admin' });
    // Credentials are checked before the request: a malformed one without them is UNAUTHENTICATED.
    expect(await execAs('none', 'NOT A TENANT')).toMatchObject({
      grpc_status: 'UNAUTHENTICATED',
      principal: 'none',
    });
  });
});

describe('the audit log (docs/configuration.md, "The audit log")', () => {
  it('names who did what: the admin, or the tenant and key id of an API key', async () => {
    const fns = new FunctionServiceClient(d.address, credentials.createInsecure());
    try {
      await unaryCall(
        fns,
        fns.deployFunction,
        {
          tenant: 'beta',
          name: 'audited',
          files: [{ path: 'index.js', content: 'module.exports = async () => 1;' }],
          entry: '',
          config: undefined,
        },
        md(keys.other),
      );
    } finally {
      fns.close();
    }
    const db = new DatabaseSync(join(d.dataDir, 'vmd.db'), { readOnly: true });
    const rows = db
      .prepare('SELECT actor, action, target, outcome, details FROM audit_log ORDER BY id')
      .all() as { actor: string; action: string; target: string; outcome: string; details: string }[];
    db.close();
    const keyId = (secret: string): string => /^vmd_([0-9a-f]{16})_/.exec(secret)![1]!;
    expect(rows).toContainEqual({
      actor: 'admin',
      action: 'tenant.create',
      target: 'alpha',
      outcome: 'ok',
      details: '{}',
    });
    expect(rows).toContainEqual({
      actor: 'admin',
      action: 'apikey.revoke',
      target: `tenant/alpha/key/${keyId(keys.revoked)}`,
      outcome: 'ok',
      details: '{}',
    });
    expect(rows).toContainEqual(
      expect.objectContaining({
        actor: `tenant:beta/key:${keyId(keys.other)}`,
        action: 'function.deploy',
        target: 'tenant/beta/function/audited',
        outcome: 'ok',
      }),
    );
    expect(JSON.stringify(rows)).not.toContain(keys.other);
  });
});

describe('secure mode start-up', () => {
  it('refuses --auth without an admin token, saying where to put one', () => {
    const env = { ...process.env };
    delete env['VMD_ADMIN_TOKEN'];
    const r = spawnSync(process.execPath, [DAEMON_MAIN, 'serve', '--auth', '--listen', '127.0.0.1:0'], {
      env,
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('--auth needs an admin token');
    expect(r.stderr).toContain('--admin-token-file');
  });

  /** Runs `vmd ARGS…` to its end with `env` added (VMD_ADMIN_TOKEN unset unless given). */
  function vmd(args: string[], env: Record<string, string> = {}) {
    const base = { ...process.env };
    delete base['VMD_ADMIN_TOKEN'];
    return spawnSync(process.execPath, [DAEMON_MAIN, ...args], {
      env: { ...base, ...env },
      encoding: 'utf8',
      timeout: 20_000,
    });
  }
  const dir = mkdtempSync(join(tmpdir(), 'vmd-admin-token-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const tokenFile = (name: string, contents: string, mode: number): string => {
    const file = join(dir, name);
    writeFileSync(file, contents);
    chmodSync(file, mode);
    return file;
  };

  it('config print reports a too-short admin token like serve does, and exits 2', () => {
    for (const command of [['config', 'print'], ['serve']]) {
      const r = vmd([...command, '--auth', '--listen', '127.0.0.1:0'], { VMD_ADMIN_TOKEN: 'abc' });
      expect(r.status, command.join(' ')).toBe(2);
      expect(r.stderr).toContain('the admin token in VMD_ADMIN_TOKEN is shorter than 16 characters');
      expect(r.stdout).toBe('');
    }
  });

  it('names the token file whose token is too short, instead of asking for a file', () => {
    const file = tokenFile('short', 'abcde\n', 0o600);
    for (const command of [['config', 'print'], ['serve']]) {
      const r = vmd([...command, '--auth', '--admin-token-file', file, '--listen', '127.0.0.1:0']);
      expect(r.status, command.join(' ')).toBe(2);
      expect(r.stderr).toContain(`the admin token in ${file} is shorter than 16 characters`);
      expect(r.stderr).not.toContain('put it in a file given with --admin-token-file');
      expect(r.stderr).not.toContain('abcde');
    }
  });

  it('config print says where the admin token comes from, never the token, and warns of a readable file', () => {
    const token = 'a-readable-admin-token-0123456789';
    const file = tokenFile('readable', `${token}\n`, 0o644);
    const r = vmd(['config', 'print', '--auth', '--admin-token-file', file]);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(`admin token from file ${file} (not shown)`);
    expect(r.stderr).toBe(
      `vmd: warning: the admin token file ${file} can be read by other users (mode 0644); chmod 600 ${file}\n`,
    );
    const json = vmd(['config', 'print', '--json', '--auth', '--admin-token-file', file]);
    expect(JSON.parse(json.stdout)).toMatchObject({
      adminToken: { kind: 'file', path: file },
      warnings: [expect.stringContaining('chmod 600')],
    });
    const fromEnv = vmd(['config', 'print', '--auth'], { VMD_ADMIN_TOKEN: token });
    expect(fromEnv.stdout).toContain('admin token from env VMD_ADMIN_TOKEN (not shown)');
    expect(fromEnv.stderr).toBe('');
    chmodSync(file, 0o600);
    expect(vmd(['config', 'print', '--auth', '--admin-token-file', file]).stderr).toBe('');
    for (const out of [r, json, fromEnv]) expect(out.stdout + out.stderr).not.toContain(token);
  });

  it('serve logs where the admin token came from and warns of a token file others can read', async () => {
    const token = 'another-readable-admin-token-0123456789';
    const file = tokenFile('served', `${token}\n`, 0o640);
    const served = await startTestDaemon({ workers: 1, args: ['--auth', '--admin-token-file', file] });
    try {
      expect(served.logs.find((l) => l.msg === 'starting')).toMatchObject({
        admin_token_from: `file ${file}`,
      });
      expect(
        served.logs.find((l) => l.msg === 'admin token file is readable by other users; chmod 600 it'),
      ).toMatchObject({
        level: 40,
        admin_token_file: file,
        mode: '0640',
      });
      expect(JSON.stringify(served.logs)).not.toContain(token);
    } finally {
      await served.stop();
    }
    expect(d.logs.find((l) => l.msg === 'starting')).toMatchObject({
      admin_token_from: 'env VMD_ADMIN_TOKEN',
    });
  });
});

describe('MonitorService (secure mode): the admin token only', () => {
  /** Calls `method` generically (unary or server-streaming) and returns the final status code. */
  function callGeneric(
    method: MethodDefinition<object, unknown>,
    request: object,
    secret: string | undefined,
  ): Promise<Status> {
    const client = new Client(d.address, credentials.createInsecure());
    const done = (code: Status): Status => {
      client.close();
      return code;
    };
    const serialize = (m: object): Buffer => method.requestSerialize(m);
    const deserialize = (b: Buffer): unknown => method.responseDeserialize(b);
    return new Promise<Status>((resolve) => {
      if (!method.responseStream) {
        client.makeUnaryRequest(method.path, serialize, deserialize, request, md(secret), (err) =>
          resolve(done(err ? err.code : Status.OK)),
        );
        return;
      }
      const stream = client.makeServerStreamRequest(method.path, serialize, deserialize, request, md(secret));
      // WatchStats streams until cancelled: a first snapshot is the answer.
      stream.on('data', () => {
        stream.cancel();
        resolve(done(Status.OK));
      });
      stream.on('error', (err: ServiceError) => resolve(done(err.code)));
      stream.on('end', () => resolve(done(Status.OK)));
    });
  }

  const RPCS: [string, MethodDefinition<object, unknown>, object][] = [
    [
      'MonitorService/GetStats',
      MonitorServiceService.getStats as MethodDefinition<object, unknown>,
      GetStatsRequest.fromPartial({ tenant: 'beta' }),
    ],
    [
      'MonitorService/WatchStats',
      MonitorServiceService.watchStats as MethodDefinition<object, unknown>,
      WatchStatsRequest.fromPartial({ tenant: 'beta' }),
    ],
  ];
  const CASES: [Who, Status][] = [
    ['none', Status.UNAUTHENTICATED],
    ['wrong', Status.UNAUTHENTICATED],
    ['revoked', Status.UNAUTHENTICATED],
    ['other', Status.PERMISSION_DENIED], // beta's key (alpha, and so `own`, was deleted above)
    ['admin', Status.OK],
  ];
  for (const [rpc, method, request] of RPCS) {
    for (const [who, expected] of CASES) {
      it(`${rpc} with ${who} credentials → ${Status[expected]}`, async () => {
        expect(Status[await callGeneric(method, request, secretOf(who))]).toBe(Status[expected]);
      });
    }
  }
});
