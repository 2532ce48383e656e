import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { credentials, type ServiceError } from '@grpc/grpc-js';
import { VmdClient } from '@vmd/client';
import {
  AuditOutcome,
  FunctionServiceClient,
  IsolationMode,
  Tenant,
  TenantServiceClient,
} from '@vmd/client/wire';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DAEMON_MAIN,
  execute,
  startTestDaemon,
  Status,
  unaryCall,
  type TestDaemon,
  type UnaryMethod,
} from './helpers.js';

/**
 * TenantService on a real daemon (local mode) over gRPC, stored in the real SQLite file of its
 * data directory: CRUD, API keys (secret shown once, never listed), typed errors, and that what
 * an RPC reported as done survives a restart and a kill -9.
 */
type Tenants = InstanceType<typeof TenantServiceClient>;

function call<Req, Res>(client: Tenants, method: UnaryMethod<Req, Res>, req: Req): Promise<Res> {
  return unaryCall(client, method, req);
}

async function failure(
  p: Promise<unknown>,
): Promise<{ code: number; vmdCode: string | undefined; details: string }> {
  try {
    await p;
  } catch (err) {
    const e = err as ServiceError;
    return { code: e.code, vmdCode: e.metadata?.get('vmd-error-code')[0]?.toString(), details: e.details };
  }
  throw new Error('expected the call to fail');
}

let dataDir: string;
let d: TestDaemon;
let tenants: Tenants;

const open = async (): Promise<void> => {
  d = await startTestDaemon({ workers: 1, args: ['--data-dir', dataDir] });
  tenants = new TenantServiceClient(d.address, credentials.createInsecure());
};

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'vmd-tenants-'));
  await open();
});
afterAll(async () => {
  tenants.close();
  await d.stop();
  await rm(dataDir, { recursive: true, force: true });
});

describe('TenantService', () => {
  it('creates a tenant, filling quotas it leaves at 0 from the defaults', async () => {
    const { tenant } = await call(tenants, tenants.createTenant, {
      tenant: Tenant.fromPartial({
        name: 'acme',
        displayName: 'Acme Corp',
        quotas: { memoryMib: 32, weight: 3 },
        capabilities: { kv: true },
      }),
    });
    expect(tenant).toMatchObject({ name: 'acme', displayName: 'Acme Corp', capabilities: { kv: true } });
    expect(tenant?.quotas).toMatchObject({ memoryMib: 32, weight: 3, cpuTimeMs: 5000, wallTimeMs: 10_000 });
    expect(tenant?.isolation).toBe(IsolationMode.ISOLATION_MODE_ISOLATE);
    expect(tenant?.createdAt).toBeInstanceOf(Date);
  });

  it('answers ALREADY_EXISTS for a second tenant of the same name, INVALID_ARGUMENT for a bad name', async () => {
    const again = await failure(
      call(tenants, tenants.createTenant, { tenant: Tenant.fromPartial({ name: 'acme' }) }),
    );
    expect([again.code, again.vmdCode]).toEqual([Status.ALREADY_EXISTS, 'ALREADY_EXISTS']);
    const bad = await failure(
      call(tenants, tenants.createTenant, { tenant: Tenant.fromPartial({ name: 'Bad Name!' }) }),
    );
    expect(bad.code).toBe(Status.INVALID_ARGUMENT);
  });

  it('gets, lists with paging, updates by mask, and deletes', async () => {
    await call(tenants, tenants.createTenant, { tenant: Tenant.fromPartial({ name: 'beta' }) });
    await call(tenants, tenants.createTenant, { tenant: Tenant.fromPartial({ name: 'gamma' }) });
    const first = await call(tenants, tenants.listTenants, { page: { pageSize: 2, pageToken: '' } });
    expect(first.tenants.map((t) => t.name)).toEqual(['acme', 'beta']);
    const second = await call(tenants, tenants.listTenants, {
      page: { pageSize: 2, pageToken: first.page!.nextPageToken },
    });
    expect(second.tenants.map((t) => t.name)).toEqual(['gamma']);
    expect(second.page?.nextPageToken).toBe('');

    const { tenant } = await call(tenants, tenants.updateTenant, {
      tenant: Tenant.fromPartial({ name: 'beta', quotas: { cpuTimeMs: 250 } }),
      updateMask: ['quotas.cpu_time_ms'],
    });
    expect(tenant?.quotas?.cpuTimeMs).toBe(250);
    expect(tenant?.quotas?.memoryMib).toBe(64);
    const unknownPath = await failure(
      call(tenants, tenants.updateTenant, {
        tenant: Tenant.fromPartial({ name: 'beta' }),
        updateMask: ['owner'],
      }),
    );
    expect(unknownPath.code).toBe(Status.INVALID_ARGUMENT);
    expect(unknownPath.details).toContain("'owner'");

    await call(tenants, tenants.deleteTenant, { name: 'gamma' });
    const gone = await failure(call(tenants, tenants.getTenant, { name: 'gamma' }));
    expect([gone.code, gone.vmdCode]).toEqual([Status.NOT_FOUND, 'TENANT_NOT_FOUND']);
  });

  it('creates an API key whose secret is returned once and never listed; revokes it', async () => {
    const created = await call(tenants, tenants.createApiKey, { tenant: 'acme', description: 'ci' });
    expect(created.secret).toMatch(/^vmd_[0-9a-f]{16}_/);
    expect(created.secret).toContain(created.key!.id);
    const listed = await call(tenants, tenants.listApiKeys, { tenant: 'acme', page: undefined });
    expect(listed.keys.map((k) => k.id)).toEqual([created.key!.id]);
    expect(JSON.stringify(listed)).not.toContain(created.secret.slice(-20));
    const revoked = await call(tenants, tenants.revokeApiKey, { id: created.key!.id });
    expect(revoked.key?.revokedAt).toBeInstanceOf(Date);
    expect(revoked.alreadyRevoked).toBe(false);
    // Idempotent: revoking again succeeds, says it changed nothing and keeps the first time.
    const again = await call(tenants, tenants.revokeApiKey, { id: created.key!.id });
    expect(again.alreadyRevoked).toBe(true);
    expect(again.key?.revokedAt).toEqual(revoked.key?.revokedAt);
    const missing = await failure(call(tenants, tenants.revokeApiKey, { id: '0123456789abcdef' }));
    expect([missing.code, missing.vmdCode]).toEqual([Status.NOT_FOUND, 'API_KEY_NOT_FOUND']);
    const noTenant = await failure(
      call(tenants, tenants.createApiKey, { tenant: 'nobody-here', description: '' }),
    );
    expect(noTenant.vmdCode).toBe('TENANT_NOT_FOUND');
    // The secret never reaches the daemon's log.
    expect(d.logs.map((l) => JSON.stringify(l)).join('\n')).not.toContain(created.secret);
  });

  it('lists the audit log: filtered by tenant, action and outcome, newest first, in pages', async () => {
    const base = {
      tenant: '',
      action: '',
      actor: '',
      outcome: AuditOutcome.AUDIT_OUTCOME_UNSPECIFIED,
      since: undefined,
      until: undefined,
      page: undefined,
    };
    const start = new Date();
    await call(tenants, tenants.createTenant, { tenant: Tenant.fromPartial({ name: 'audited' }) });
    const key = await call(tenants, tenants.createApiKey, { tenant: 'audited', description: '' });
    await call(tenants, tenants.revokeApiKey, { id: key.key!.id });
    await call(tenants, tenants.createTenant, { tenant: Tenant.fromPartial({ name: 'audited-2' }) });

    const mine = await call(tenants, tenants.listAuditEvents, { ...base, tenant: 'audited', since: start });
    expect(mine.events.map((e) => [e.action, e.target])).toEqual([
      ['apikey.revoke', `tenant/audited/key/${key.key!.id}`],
      ['apikey.create', `tenant/audited/key/${key.key!.id}`],
      ['tenant.create', 'audited'],
    ]);
    expect(mine.events[0]).toMatchObject({
      actor: 'local',
      outcome: AuditOutcome.AUDIT_OUTCOME_OK,
      detailsJson: '{}',
    });
    expect(mine.events[0]!.time!.getTime()).toBeGreaterThanOrEqual(start.getTime() - 1);
    expect(mine.events[0]!.id).toBeGreaterThan(mine.events[1]!.id);

    const creates = await call(tenants, tenants.listAuditEvents, {
      ...base,
      action: 'tenant.create',
      since: start,
    });
    expect(creates.events.map((e) => e.target)).toEqual(['audited-2', 'audited']);
    const denied = await call(tenants, tenants.listAuditEvents, {
      ...base,
      since: start,
      outcome: AuditOutcome.AUDIT_OUTCOME_DENIED,
    });
    expect(denied.events).toEqual([]);

    const first = await call(tenants, tenants.listAuditEvents, {
      ...base,
      since: start,
      page: { pageSize: 3, pageToken: '' },
    });
    expect(first.events).toHaveLength(3);
    const second = await call(tenants, tenants.listAuditEvents, {
      ...base,
      since: start,
      page: { pageSize: 3, pageToken: first.page!.nextPageToken },
    });
    expect(second.events.map((e) => e.target)).toEqual(['audited']);
    expect(second.page!.nextPageToken).toBe('');

    const backwards = await failure(
      call(tenants, tenants.listAuditEvents, { ...base, since: new Date(), until: start }),
    );
    expect([backwards.code, backwards.details]).toEqual([
      Status.INVALID_ARGUMENT,
      expect.stringContaining('must be before until'),
    ]);
    const badOutcome = await failure(
      call(tenants, tenants.listAuditEvents, { ...base, outcome: 7 as AuditOutcome }),
    );
    expect(badOutcome.code).toBe(Status.INVALID_ARGUMENT);
    const badTenant = await failure(
      call(tenants, tenants.listAuditEvents, { ...base, tenant: 'Not A Tenant' }),
    );
    expect(badTenant.code).toBe(Status.INVALID_ARGUMENT);
    // The tenants of this test are gone again (a later test lists every tenant); their entries stay.
    await call(tenants, tenants.deleteTenant, { name: 'audited' });
    await call(tenants, tenants.deleteTenant, { name: 'audited-2' });
    const after = await call(tenants, tenants.listAuditEvents, { ...base, tenant: 'audited', since: start });
    expect(after.events.map((e) => e.action)).toEqual([
      'tenant.delete',
      'apikey.revoke',
      'apikey.create',
      'tenant.create',
    ]);
  });

  it("clamps a run to its tenant's stored quota, and sees an update at once", async () => {
    await call(tenants, tenants.createTenant, {
      tenant: Tenant.fromPartial({ name: 'tight', quotas: { cpuTimeMs: 50, wallTimeMs: 2_000 } }),
    });
    const loop = {
      tenant: 'tight',
      code: 'while (true) {}',
      limits: {
        memoryMib: 0,
        cpuTimeMs: 5_000,
        wallTimeMs: 0,
        outputBytes: 0,
        resultBytes: 0,
        consoleLinesPerSecond: 0,
      },
    };
    const first = await execute(d.client, loop);
    expect(first.error).toBeUndefined();
    const end = first.events.at(-1)?.event;
    expect(end?.$case).toBe('error');
    if (end?.$case === 'error') expect(end.value.failure?.message).toContain('cpu limit of 50 ms');
    await call(tenants, tenants.updateTenant, {
      tenant: Tenant.fromPartial({ name: 'tight', quotas: { cpuTimeMs: 80 } }),
      updateMask: ['quotas.cpu_time_ms'],
    });
    const second = (await execute(d.client, loop)).events.at(-1)?.event;
    if (second?.$case !== 'error') throw new Error('expected an error event');
    expect(second.value.failure?.message).toContain('cpu limit of 80 ms');
  });

  it('creates an unknown tenant on first use (local mode) and stores it', async () => {
    const r = await execute(d.client, { tenant: 'first-use', code: '1 + 1' });
    expect(r.events.at(-1)?.event?.$case).toBe('result');
    const { tenant } = await call(tenants, tenants.getTenant, { name: 'first-use' });
    expect(tenant?.quotas?.memoryMib).toBe(64);
  });

  it('refuses an update with an empty mask and keeps the capabilities it used to clear', async () => {
    await call(tenants, tenants.createTenant, {
      tenant: Tenant.fromPartial({
        name: 'caps',
        capabilities: { kv: true, fetchOrigins: ['https://api.example.com'] },
      }),
    });
    // What `client.tenants.update('caps', {})` used to send: every field at its zero value.
    const empty = await failure(
      call(tenants, tenants.updateTenant, {
        tenant: Tenant.fromPartial({ name: 'caps', capabilities: { kv: false, fetchOrigins: [] } }),
        updateMask: [],
      }),
    );
    expect([empty.code, empty.vmdCode]).toEqual([Status.INVALID_ARGUMENT, 'INVALID_ARGUMENT']);
    expect(empty.details).toContain('the update changes nothing');
    // The client refuses it before sending anything.
    const client = new VmdClient({ address: d.address });
    try {
      const local = await client.tenants.update('caps', {}).catch((e: unknown) => e);
      expect(local).toMatchObject({ code: 'INVALID_ARGUMENT', field: 'fields' });
      const { capabilities } = await client.tenants.update('caps', { displayName: 'Caps' });
      expect(capabilities).toEqual({ kv: true, fetchOrigins: ['https://api.example.com'] });
    } finally {
      client.close();
    }
    const { tenant } = await call(tenants, tenants.getTenant, { name: 'caps' });
    expect(tenant?.capabilities).toEqual({ kv: true, fetchOrigins: ['https://api.example.com'] });
    await call(tenants, tenants.deleteTenant, { name: 'caps' });
  });

  it('refuses quotas outside the run-time bounds on create and update, naming field and range', async () => {
    const tooBig = await failure(
      call(tenants, tenants.createTenant, {
        tenant: Tenant.fromPartial({ name: 'huge', quotas: { memoryMib: 99_999 } }),
      }),
    );
    expect([tooBig.code, tooBig.vmdCode]).toEqual([Status.INVALID_ARGUMENT, 'INVALID_ARGUMENT']);
    expect(tooBig.details).toBe('tenant.quotas.memory_mib is 99999; use a value from 8 to 4096 MiB');
    expect((await failure(call(tenants, tenants.getTenant, { name: 'huge' }))).vmdCode).toBe(
      'TENANT_NOT_FOUND',
    );

    const tooSmall = await failure(
      call(tenants, tenants.updateTenant, {
        tenant: Tenant.fromPartial({ name: 'beta', quotas: { memoryMib: 2 } }),
        updateMask: ['quotas.memory_mib'],
      }),
    );
    expect(tooSmall.code).toBe(Status.INVALID_ARGUMENT);
    expect(tooSmall.details).toContain('tenant.quotas.memory_mib is 2; use a value from 8 to 4096');
    const { tenant } = await call(tenants, tenants.getTenant, { name: 'beta' });
    expect(tenant?.quotas?.memoryMib).toBe(64);

    // Values inside the bounds are kept exactly as before.
    const { tenant: edge } = await call(tenants, tenants.updateTenant, {
      tenant: Tenant.fromPartial({ name: 'beta', quotas: { memoryMib: 8, outputBytes: 0 } }),
      updateMask: ['quotas.memory_mib', 'quotas.output_bytes'],
    });
    expect(edge?.quotas).toMatchObject({ memoryMib: 8, outputBytes: 0 });
  });

  it('does not create a tenant for read-only calls in local mode; they answer as for an empty tenant', async () => {
    const functions = new FunctionServiceClient(d.address, credentials.createInsecure());
    try {
      const listed = await unaryCall(functions, functions.listFunctions, {
        tenant: 'nobody-here',
        page: undefined,
      });
      expect(listed.functions).toEqual([]);
      const missing = await failure(
        unaryCall(functions, functions.invokeFunction, {
          tenant: 'nobody-here',
          name: 'nope',
          version: 0,
          eventJson: '',
          limits: undefined,
        }),
      );
      expect(missing.vmdCode).toBe('FUNCTION_NOT_FOUND');
    } finally {
      functions.close();
    }
    const usage = await failure(
      call(tenants, tenants.getUsage, { tenant: 'nobody-here', start: undefined, end: undefined }),
    );
    expect(usage.vmdCode).toBe('TENANT_NOT_FOUND');
    const names = (await call(tenants, tenants.listTenants, { page: undefined })).tenants.map((t) => t.name);
    expect(names).not.toContain('nobody-here');
  });

  it('keeps every acknowledged write across a restart and a kill -9', async () => {
    await call(tenants, tenants.updateTenant, {
      tenant: Tenant.fromPartial({ name: 'acme', displayName: 'Acme after restart' }),
      updateMask: ['display_name'],
    });
    tenants.close();
    await d.stop();
    await open();
    expect((await call(tenants, tenants.getTenant, { name: 'acme' })).tenant?.displayName).toBe(
      'Acme after restart',
    );
    await call(tenants, tenants.createTenant, {
      tenant: Tenant.fromPartial({ name: 'written-before-kill' }),
    });
    d.child.kill('SIGKILL');
    await d.exited;
    tenants.close();
    await d.stop();
    await open();
    const names = (await call(tenants, tenants.listTenants, { page: undefined })).tenants.map((t) => t.name);
    expect(names).toEqual(['acme', 'beta', 'first-use', 'tight', 'written-before-kill']);
  });
});

describe('admission quotas', () => {
  it('answers RATE_LIMITED with a retry-after hint past the burst, at once', async () => {
    await call(tenants, tenants.createTenant, {
      tenant: Tenant.fromPartial({ name: 'slow', quotas: { ratePerSecond: 0.5, burst: 2 } }),
    });
    const runs = [];
    for (let i = 0; i < 3; i++) runs.push(await execute(d.client, { tenant: 'slow', code: '1' }));
    expect(runs.slice(0, 2).map((r) => r.events.at(-1)?.event?.$case)).toEqual(['result', 'result']);
    const refused = runs[2]!;
    expect(refused.error?.code).toBe(Status.RESOURCE_EXHAUSTED);
    expect(refused.trailers?.get('vmd-error-code')[0]).toBe('RATE_LIMITED');
    expect(Number(refused.trailers?.get('vmd-retry-after-ms')[0])).toBeGreaterThan(0);
  });

  it('answers CONCURRENCY_LIMITED while the tenant has maxConcurrent requests in flight', async () => {
    await call(tenants, tenants.createTenant, {
      tenant: Tenant.fromPartial({ name: 'single', quotas: { maxConcurrent: 1 } }),
    });
    const long = execute(d.client, { tenant: 'single', code: 'new Promise((r) => setTimeout(r, 1500))' });
    await new Promise((r) => setTimeout(r, 300));
    const second = await execute(d.client, { tenant: 'single', code: '1' });
    expect(second.error?.code).toBe(Status.RESOURCE_EXHAUSTED);
    expect(second.trailers?.get('vmd-error-code')[0]).toBe('CONCURRENCY_LIMITED');
    expect((await long).events.at(-1)?.event?.$case).toBe('result');
    const after = await execute(d.client, { tenant: 'single', code: '1' });
    expect(after.events.at(-1)?.event?.$case).toBe('result');
  });
});

describe('data directory at start-up', () => {
  it('refuses a corrupted store with a message naming the file and what to do', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'vmd-corrupt-'));
    try {
      await writeFile(path.join(dir, 'vmd.db'), 'this is not a database '.repeat(20));
      const r = spawnSync(
        process.execPath,
        [DAEMON_MAIN, 'serve', '--listen', '127.0.0.1:0', '--data-dir', dir, '--workers', '1'],
        { encoding: 'utf8', timeout: 20_000 },
      );
      expect(r.status).not.toBe(0);
      expect(r.stderr).toContain(`vmd: cannot use the data directory ${dir}`);
      expect(r.stderr).toContain('is corrupted or is not an SQLite database');
      expect(r.stderr).toContain('restore it from a backup');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
