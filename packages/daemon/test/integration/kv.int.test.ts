import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DatabaseSync } from 'node:sqlite';
import { credentials, type ServiceError } from '@grpc/grpc-js';
import {
  FunctionServiceClient,
  Tenant,
  TenantServiceClient,
  type InvokeFunctionResponse,
} from '@vmd/client/wire';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestDaemon, Status, unaryCall, type TestDaemon } from './helpers.js';

/**
 * The kv and fetch capabilities through a real daemon: granted per tenant by an admin, requested per
 * function at deploy, checked again at every call, stored in the tenant's part of the SQLite
 * store, audited, and isolated between tenants.
 */
let dataDir: string;
let d: TestDaemon;
let fns: InstanceType<typeof FunctionServiceClient>;
let admin: InstanceType<typeof TenantServiceClient>;

const STORE = `module.exports = async (event) => {
  if (event.op === 'put') { await kv.put(event.key, event.value); return 'stored'; }
  if (event.op === 'get') return (await kv.get(event.key)) ?? null;
  if (event.op === 'list') return kv.list({ prefix: event.prefix, limit: event.limit, cursor: event.cursor });
  if (event.op === 'delete') return kv.delete(event.key);
  if (event.op === 'big') { try { await kv.put('big', 'x'.repeat(event.size)); return 'stored'; } catch (e) { return e.name + ': ' + e.message; } }
  return null;
};`;

const config = (capabilities: string[]) => ({
  limits: undefined,
  env: {},
  capabilities,
  freshIsolatePerInvocation: false,
});
const deploy = (tenant: string, name: string, capabilities = ['kv']) =>
  unaryCall(fns, fns.deployFunction, {
    tenant,
    name,
    files: [{ path: 'index.js', content: STORE }],
    entry: '',
    config: config(capabilities),
  });
const invoke = (tenant: string, name: string, event: unknown): Promise<InvokeFunctionResponse> =>
  unaryCall(fns, fns.invokeFunction, {
    tenant,
    name,
    version: 0,
    eventJson: JSON.stringify(event),
    limits: undefined,
  });
const value = (r: InvokeFunctionResponse): unknown =>
  r.outcome?.$case === 'result' ? JSON.parse(r.outcome.value.json) : r.outcome?.value;
const grant = (name: string, kv: boolean, kvBytes = 0) =>
  unaryCall(admin, admin.updateTenant, {
    tenant: Tenant.fromPartial({ name, capabilities: { kv }, quotas: { kvBytes } }),
    updateMask: kvBytes > 0 ? ['capabilities.kv', 'quotas.kv_bytes'] : ['capabilities.kv'],
  });

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'vmd-kv-'));
  d = await startTestDaemon({ workers: 1, args: ['--data-dir', dataDir] });
  fns = new FunctionServiceClient(d.address, credentials.createInsecure());
  admin = new TenantServiceClient(d.address, credentials.createInsecure());
  for (const name of ['shop', 'other']) {
    await unaryCall(admin, admin.createTenant, {
      tenant: Tenant.fromPartial({ name, capabilities: { kv: true } }),
    });
  }
});
afterAll(async () => {
  fns.close();
  admin.close();
  await d.stop();
  await rm(dataDir, { recursive: true, force: true });
});

describe('kv capability', () => {
  it('stores values across invocations in the tenant own store, lists by prefix with paging', async () => {
    await deploy('shop', 'store');
    expect(value(await invoke('shop', 'store', { op: 'put', key: 'cart:1', value: { items: 2 } }))).toBe(
      'stored',
    );
    await invoke('shop', 'store', { op: 'put', key: 'cart:2', value: 5 });
    await invoke('shop', 'store', { op: 'put', key: 'user:1', value: 'ada' });
    expect(value(await invoke('shop', 'store', { op: 'get', key: 'cart:1' }))).toEqual({ items: 2 });
    const page1 = value(await invoke('shop', 'store', { op: 'list', prefix: 'cart:', limit: 1 })) as {
      keys: string[];
      cursor: string;
    };
    expect(page1).toEqual({ keys: ['cart:1'], cursor: 'cart:1' });
    expect(
      value(await invoke('shop', 'store', { op: 'list', prefix: 'cart:', limit: 1, cursor: page1.cursor })),
    ).toEqual({
      keys: ['cart:2'],
      cursor: null,
    });
    expect(value(await invoke('shop', 'store', { op: 'delete', key: 'cart:2' }))).toBe(true);
  });

  it("keeps tenants apart: another tenant's function sees its own empty store", async () => {
    await deploy('other', 'store');
    expect(value(await invoke('other', 'store', { op: 'get', key: 'cart:1' }))).toBeNull();
  });

  it('refuses a deploy that requests kv for a tenant without the grant; a revoked grant fails inside the sandbox', async () => {
    await unaryCall(admin, admin.createTenant, { tenant: Tenant.fromPartial({ name: 'nogrant' }) });
    const refused = await deploy('nogrant', 'store').catch((e: ServiceError) => e);
    expect((refused as ServiceError).code).toBe(Status.PERMISSION_DENIED);
    expect((refused as ServiceError).details).toContain('vmctl tenant update TENANT --kv');

    await grant('other', false);
    const r = await invoke('other', 'store', { op: 'get', key: 'x' });
    expect(r.outcome?.$case === 'error' && [r.outcome.value.name, r.outcome.value.message]).toEqual([
      'PermissionError',
      "kv is not granted to tenant 'other'",
    ]);
    await grant('other', true);
  });

  it('fails inside the sandbox for a function that did not request kv', async () => {
    await deploy('shop', 'plain', []);
    const r = await invoke('shop', 'plain', { op: 'get', key: 'cart:1' });
    expect(r.outcome?.$case === 'error' && r.outcome.value.name).toBe('PermissionError');
  });

  it('holds the tenant to its kv size quota, with a typed error inside the sandbox', async () => {
    await grant('shop', true, 4096);
    expect(value(await invoke('shop', 'store', { op: 'big', size: 10_000 }))).toMatch(
      /^QuotaExceededError: the kv store of tenant 'shop' would hold \d+ bytes, more than its quota of 4096/,
    );
  });

  it('writes every call to the audit log, with the key but never the value', async () => {
    const db = new DatabaseSync(path.join(dataDir, 'vmd.db'), { readOnly: true });
    try {
      const rows = db
        .prepare(
          "SELECT actor, action, target, outcome, details FROM audit_log WHERE action LIKE 'kv.%' ORDER BY id",
        )
        .all() as Array<{ actor: string; action: string; target: string; outcome: string; details: string }>;
      expect(rows.length).toBeGreaterThanOrEqual(8);
      expect(rows[0]).toMatchObject({
        actor: 'function:store',
        action: 'kv.put',
        target: 'tenant/shop/kv',
        outcome: 'ok',
      });
      expect(JSON.parse(rows[0]!.details)).toEqual({ key: 'cart:1' });
      expect(rows.some((r) => r.outcome === 'failed')).toBe(true);
      expect(rows.map((r) => r.details).join('\n')).not.toContain('items');
      // A call the daemon refuses is written too (a revoked grant). A function that did not
      // request kv has no kv in its sandbox: its calls never reach the daemon.
      expect(rows.filter((r) => r.outcome === 'denied')).toEqual([
        {
          actor: 'function:store',
          action: 'kv.get',
          target: 'tenant/other/kv',
          outcome: 'denied',
          details: '{}',
        },
      ]);
    } finally {
      db.close();
    }
  });
});

describe('fetch capability', () => {
  let api: Server;
  let origin: string;
  beforeAll(async () => {
    api = createServer((req, res) => {
      if (req.url === '/price') {
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ price: 42 }));
      } else res.writeHead(302, { location: 'http://127.0.0.1:9/' }).end();
    });
    await new Promise<void>((r) => api.listen(0, '127.0.0.1', r));
    origin = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
  });
  afterAll(() => {
    api.close();
  });

  const FETCHER = `module.exports = async (event) => {
    try {
      const res = await fetch(event.url, { headers: { accept: 'application/json' } });
      return { status: res.status, ok: res.ok, type: res.headers.get('Content-Type'), body: res.status === 200 ? await res.json() : null };
    } catch (e) { return { error: e.name + ': ' + e.message }; }
  };`;

  it('fetches only from the origins an admin allow-listed, with a Response-like answer', async () => {
    await unaryCall(admin, admin.createTenant, {
      tenant: Tenant.fromPartial({ name: 'fetcher', capabilities: { fetchOrigins: [origin + '/'] } }),
    });
    const got = await unaryCall(admin, admin.getTenant, { name: 'fetcher' });
    expect(got.tenant?.capabilities?.fetchOrigins).toEqual([origin]);
    await unaryCall(fns, fns.deployFunction, {
      tenant: 'fetcher',
      name: 'prices',
      files: [{ path: 'index.js', content: FETCHER }],
      entry: '',
      config: config(['fetch']),
    });
    expect(value(await invoke('fetcher', 'prices', { url: `${origin}/price` }))).toEqual({
      status: 200,
      ok: true,
      type: 'application/json',
      body: { price: 42 },
    });
    expect(value(await invoke('fetcher', 'prices', { url: 'http://127.0.0.1:9/elsewhere' }))).toEqual({
      error: expect.stringMatching(
        /^PermissionError: fetch: http:\/\/127\.0\.0\.1:9 is not an allowed origin/,
      ),
    });
    expect(value(await invoke('fetcher', 'prices', { url: `${origin}/redirect` }))).toEqual({
      error: expect.stringContaining('(reached by a redirect)'),
    });
  });

  it('refuses a deploy requesting fetch without allowed origins, and an origin that is not one', async () => {
    const refused = await unaryCall(fns, fns.deployFunction, {
      tenant: 'shop',
      name: 'fetcher',
      files: [{ path: 'index.js', content: FETCHER }],
      entry: '',
      config: config(['fetch']),
    }).catch((e: ServiceError) => e);
    expect((refused as ServiceError).code).toBe(Status.PERMISSION_DENIED);
    const bad = await unaryCall(admin, admin.createTenant, {
      tenant: Tenant.fromPartial({
        name: 'badorigin',
        capabilities: { fetchOrigins: ['https://example.com/api'] },
      }),
    }).catch((e: ServiceError) => e);
    expect((bad as ServiceError).code).toBe(Status.INVALID_ARGUMENT);
    expect((bad as ServiceError).details).toContain('is not an origin');
  });
});
