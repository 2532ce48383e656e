import {
  closeSync,
  mkdtempSync,
  openSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { ErrorCode, VmdError } from '@vmd/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StoreOpenError, type TenantQuotas, type UsageDelta } from '../store.js';
import { LATEST_SCHEMA_VERSION, MIGRATIONS } from './migrations.js';
import { openSqliteStore, SQLITE_FILE_NAME, type SqliteStore } from './sqlite-store.js';

function testQuotas(overrides: Partial<TenantQuotas> = {}): TenantQuotas {
  return {
    memoryMib: 64,
    cpuTimeMs: 5000,
    wallTimeMs: 10_000,
    maxConcurrent: 4,
    ratePerSecond: 50,
    burst: 100,
    queueDepth: 100,
    outputBytes: 1 << 20,
    resultBytes: 1 << 20,
    codeBytes: 1 << 20,
    replSessions: 4,
    functions: 50,
    kvBytes: 10 << 20,
    weight: 1,
    consoleLinesPerSecond: 1000,
    ...overrides,
  };
}

let dataDir: string;
let t: number;
const stores: SqliteStore[] = [];

async function open(dir = dataDir): Promise<SqliteStore> {
  const store = await openSqliteStore({ dataDir: dir, now: () => t });
  stores.push(store);
  return store;
}

beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'vmd-store-'));
  t = Date.UTC(2025, 0, 1, 12, 0, 0);
});

afterEach(async () => {
  for (const s of stores.splice(0)) await s.close();
  rmSync(dataDir, { recursive: true, force: true });
});

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error('expected a rejection');
}

describe('SqliteStore: opening', () => {
  it('creates <dataDir>/vmd.db in WAL mode with synchronous=FULL and foreign keys on', async () => {
    const nested = join(dataDir, 'a', 'b');
    const store = await open(nested);
    expect(store.file).toBe(join(nested, SQLITE_FILE_NAME));
    expect(await store.schemaVersion()).toBe(LATEST_SCHEMA_VERSION);
    expect(statSync(store.file).mode & 0o777).toBe(0o600);
    expect(statSync(nested).mode & 0o777).toBe(0o700);
    // Inspect the settings on the store's own connection.
    const db = (store as unknown as { db: DatabaseSync }).db;
    expect(db.prepare('PRAGMA journal_mode').get()).toEqual({ journal_mode: 'wal' });
    expect(db.prepare('PRAGMA synchronous').get()).toEqual({ synchronous: 2 }); // FULL
    expect(db.prepare('PRAGMA foreign_keys').get()).toEqual({ foreign_keys: 1 });
    expect((db.prepare('PRAGMA busy_timeout').get() as { timeout: number }).timeout).toBe(5000);
  });

  it('reopens an existing data dir with its data and without re-running migrations', async () => {
    const first = await open();
    await first.createTenant({ name: 'acme', displayName: 'Acme', quotas: testQuotas() });
    await first.close();
    const second = await open();
    expect((await second.getTenant('acme')).displayName).toBe('Acme');
    expect(await second.schemaVersion()).toBe(LATEST_SCHEMA_VERSION);
  });

  it('refuses a data dir written by a newer vmd, naming the dir and both versions', async () => {
    const store = await open();
    await store.close();
    const db = new DatabaseSync(join(dataDir, SQLITE_FILE_NAME));
    db.exec(`PRAGMA user_version = ${LATEST_SCHEMA_VERSION + 5}`);
    db.close();
    const err = await rejection(open());
    expect(err).toBeInstanceOf(StoreOpenError);
    expect(err).toMatchObject({ reason: 'newer-schema' });
    expect((err as Error).message).toBe(
      `data dir ${dataDir} was written by a newer vmd (schema ${LATEST_SCHEMA_VERSION + 5} > ${LATEST_SCHEMA_VERSION}); upgrade vmd or use another --data-dir`,
    );
  });

  it('refuses a corrupted file with an error naming it', async () => {
    writeFileSync(join(dataDir, SQLITE_FILE_NAME), Buffer.alloc(16_384, 0x5a));
    const err = await rejection(open());
    expect(err).toBeInstanceOf(StoreOpenError);
    expect(err).toMatchObject({ reason: 'corrupt', path: join(dataDir, SQLITE_FILE_NAME) });
    expect((err as Error).message).toContain(join(dataDir, SQLITE_FILE_NAME));
    expect((err as Error).message).toMatch(/corrupted or is not an SQLite database/);
    expect((err as Error).message).toMatch(/restore it from a backup/);
  });

  it('refuses a vmd.db whose pages were overwritten after a valid header', async () => {
    const store = await open();
    for (let i = 0; i < 50; i++) await store.createTenant({ name: `t${i}`, quotas: testQuotas() });
    await store.close();
    const file = join(dataDir, SQLITE_FILE_NAME);
    const size = statSync(file).size;
    // Keep the 100-byte header, trash everything else.
    const garbage = Buffer.alloc(size - 100, 0xa5);
    const fd = openSync(file, 'r+');
    writeSync(fd, garbage, 0, garbage.length, 100);
    closeSync(fd);
    const err = await rejection(openSqliteStore({ dataDir, checkIntegrity: true }));
    expect(err).toBeInstanceOf(StoreOpenError);
    expect(err).toMatchObject({ reason: 'corrupt' });
    expect((err as Error).message).toContain(file);
  });

  it("refuses someone else's SQLite database", async () => {
    const db = new DatabaseSync(join(dataDir, SQLITE_FILE_NAME));
    db.exec('CREATE TABLE photos (id INTEGER PRIMARY KEY)');
    db.close();
    const err = await rejection(open());
    expect(err).toMatchObject({ reason: 'not-vmd' });
    expect((err as Error).message).toMatch(/vmd did not create/);
  });

  it('refuses an unusable data dir with an io error', async () => {
    const file = join(dataDir, 'not-a-dir');
    writeFileSync(file, 'x');
    const err = await rejection(open(file));
    expect(err).toMatchObject({ reason: 'io' });
    expect((err as Error).message).toContain(file);
  });

  it('runs migrations in order and records each version', () => {
    expect(MIGRATIONS.map((m) => m.version)).toEqual(
      Array.from({ length: MIGRATIONS.length }, (_, i) => i + 1),
    );
  });

  it('rejects calls after close with SHUTTING_DOWN; close is idempotent', async () => {
    const store = await open();
    await store.close();
    await store.close();
    const err = await rejection(store.listTenants());
    expect(err).toBeInstanceOf(VmdError);
    expect(err).toMatchObject({ code: ErrorCode.SHUTTING_DOWN });
  });
});

describe('SqliteStore: tenants', () => {
  it('round-trips a tenant with every field', async () => {
    const store = await open();
    const quotas = testQuotas({ ratePerSecond: 2.5, weight: 3 });
    const created = await store.createTenant({
      name: 'acme',
      displayName: 'Acme Corp',
      quotas,
      capabilities: { kv: true, fetchOrigins: ['https://api.example.com'] },
      isolation: 'context',
    });
    const expected = {
      name: 'acme',
      displayName: 'Acme Corp',
      quotas,
      capabilities: { kv: true, fetchOrigins: ['https://api.example.com'] },
      isolation: 'context',
      createdAt: new Date(t),
      updatedAt: new Date(t),
    };
    expect(created).toEqual(expected);
    expect(await store.getTenant('acme')).toEqual(expected);
    expect(await store.findTenant('acme')).toEqual(expected);
    expect(await store.findTenant('nope')).toBeUndefined();
  });

  it('fills defaults for optional fields and keeps only known quota fields', async () => {
    const store = await open();
    const quotas = { ...testQuotas(), bogus: 7 } as TenantQuotas;
    const tenant = await store.createTenant({ name: 'min', quotas });
    expect(tenant).toMatchObject({
      displayName: '',
      capabilities: { kv: false, fetchOrigins: [] },
      isolation: 'isolate',
    });
    expect(Object.keys((await store.getTenant('min')).quotas)).not.toContain('bogus');
  });

  it('refuses a taken name with ALREADY_EXISTS', async () => {
    const store = await open();
    await store.createTenant({ name: 'acme', quotas: testQuotas() });
    const err = await rejection(store.createTenant({ name: 'acme', quotas: testQuotas() }));
    expect(err).toBeInstanceOf(VmdError);
    expect(err).toMatchObject({ code: ErrorCode.ALREADY_EXISTS, details: { resource: 'tenant' } });
    expect((err as Error).message).toMatch(/tenant 'acme' already exists/);
  });

  it('throws TENANT_NOT_FOUND for missing tenants', async () => {
    const store = await open();
    for (const p of [
      store.getTenant('ghost'),
      store.updateTenant('ghost', { displayName: 'x' }),
      store.deleteTenant('ghost'),
      store.listApiKeys('ghost'),
      store.getUsage('ghost', { start: new Date(0), end: new Date(t) }),
      store.createApiKey({ id: 'k1', tenant: 'ghost', hash: 'sha256:00' }),
    ]) {
      const err = await rejection(p);
      expect(err).toMatchObject({ code: ErrorCode.TENANT_NOT_FOUND, details: { resource: 'tenant' } });
      expect((err as Error).message).toMatch(/tenant 'ghost' was not found/);
    }
  });

  it('validates quotas, isolation and names with INVALID_ARGUMENT naming the field', async () => {
    const store = await open();
    const cases: Array<[Promise<unknown>, string]> = [
      [store.createTenant({ name: 'a', quotas: testQuotas({ memoryMib: -1 }) }), 'tenant.quotas.memory_mib'],
      [
        store.createTenant({ name: 'a', quotas: testQuotas({ ratePerSecond: Number.NaN }) }),
        'tenant.quotas.rate_per_second',
      ],
      [
        store.createTenant({ name: 'a', quotas: { memoryMib: 1 } as TenantQuotas }),
        'tenant.quotas.cpu_time_ms',
      ],
      [
        store.createTenant({ name: 'a', quotas: testQuotas(), isolation: 'vm' as 'isolate' }),
        'tenant.isolation',
      ],
      [store.createTenant({ name: '', quotas: testQuotas() }), 'tenant.name'],
    ];
    for (const [p, field] of cases) {
      expect(await rejection(p)).toMatchObject({ code: ErrorCode.INVALID_ARGUMENT, details: { field } });
    }
    expect((await store.listTenants()).items).toEqual([]);
  });

  it('updates only the given fields and bumps updatedAt', async () => {
    const store = await open();
    await store.createTenant({
      name: 'acme',
      displayName: 'Acme',
      quotas: testQuotas(),
      capabilities: { kv: false, fetchOrigins: ['https://a.example'] },
    });
    const created = t;
    t += 5000;
    const updated = await store.updateTenant('acme', {
      quotas: { memoryMib: 128, weight: undefined },
      capabilities: { kv: true },
    });
    expect(updated.quotas).toEqual(testQuotas({ memoryMib: 128 }));
    expect(updated.capabilities).toEqual({ kv: true, fetchOrigins: ['https://a.example'] });
    expect(updated.displayName).toBe('Acme');
    expect(updated.createdAt).toEqual(new Date(created));
    expect(updated.updatedAt).toEqual(new Date(t));
    expect(await store.getTenant('acme')).toEqual(updated);

    const again = await store.updateTenant('acme', { displayName: 'ACME', isolation: 'context' });
    expect(again).toMatchObject({ displayName: 'ACME', isolation: 'context', quotas: { memoryMib: 128 } });
    expect(await rejection(store.updateTenant('acme', { quotas: { burst: -5 } }))).toMatchObject({
      code: ErrorCode.INVALID_ARGUMENT,
      details: { field: 'tenant.quotas.burst' },
    });
    expect((await store.getTenant('acme')).quotas.burst).toBe(100);
  });

  it('lists tenants by name in pages', async () => {
    const store = await open();
    const names = Array.from({ length: 25 }, (_, i) => `tenant-${String(i).padStart(2, '0')}`);
    for (const name of [...names].reverse()) await store.createTenant({ name, quotas: testQuotas() });

    const seen: string[] = [];
    let token = '';
    let pages = 0;
    do {
      const page = await store.listTenants({ pageSize: 10, pageToken: token });
      seen.push(...page.items.map((x) => x.name));
      token = page.nextPageToken;
      pages++;
    } while (token !== '');
    expect(seen).toEqual(names);
    expect(pages).toBe(3);

    const exact = await store.listTenants({ pageSize: 25 });
    expect(exact.items).toHaveLength(25);
    expect(exact.nextPageToken).toBe('');
    expect((await store.listTenants()).items).toHaveLength(25); // default page size 100
  });

  it('keeps paging stable when tenants are added or removed between pages', async () => {
    const store = await open();
    for (const name of ['a', 'c', 'e', 'g']) await store.createTenant({ name, quotas: testQuotas() });
    const first = await store.listTenants({ pageSize: 2 });
    expect(first.items.map((x) => x.name)).toEqual(['a', 'c']);
    await store.createTenant({ name: 'b', quotas: testQuotas() });
    await store.deleteTenant('e');
    const second = await store.listTenants({ pageSize: 2, pageToken: first.nextPageToken });
    expect(second.items.map((x) => x.name)).toEqual(['g']);
  });

  it('rejects malformed page tokens and page sizes', async () => {
    const store = await open();
    await store.createTenant({ name: 'acme', quotas: testQuotas() });
    await store.appendAudit({ actor: 'admin', action: 'x', target: 'y', outcome: 'ok' });
    const auditToken = Buffer.from(JSON.stringify(['audit', 5])).toString('base64url');
    for (const p of [
      store.listTenants({ pageToken: 'not base64 json!' }),
      store.listTenants({ pageToken: auditToken }),
      store.listApiKeys('acme', { pageToken: auditToken }),
      store.listAudit({ pageToken: Buffer.from('[]').toString('base64url') }),
    ]) {
      expect(await rejection(p)).toMatchObject({
        code: ErrorCode.INVALID_ARGUMENT,
        details: { field: 'page.page_token' },
      });
    }
    expect(await rejection(store.listTenants({ pageSize: -1 }))).toMatchObject({
      details: { field: 'page.page_size' },
    });
    expect((await store.listTenants({ pageSize: 1_000_000 })).items).toHaveLength(1);
  });

  it('deletes a tenant with its keys and usage, keeping the audit log', async () => {
    const store = await open();
    await store.createTenant({ name: 'acme', quotas: testQuotas() });
    await store.createTenant({ name: 'other', quotas: testQuotas() });
    await store.createApiKey({ id: 'k-acme', tenant: 'acme', hash: 'sha256:aa' });
    await store.createApiKey({ id: 'k-other', tenant: 'other', hash: 'sha256:bb' });
    await store.recordUsage([
      { tenant: 'acme', time: new Date(t), executions: 3, errors: { RUNTIME: 1 } },
      { tenant: 'other', time: new Date(t), executions: 1 },
    ]);
    await store.appendAudit({ actor: 'admin', action: 'tenant.create', target: 'acme', outcome: 'ok' });

    await store.deleteTenant('acme');
    expect(await store.findTenant('acme')).toBeUndefined();
    expect(await store.getApiKey('k-acme')).toBeUndefined();
    expect(await store.getApiKey('k-other')).toBeDefined();
    expect((await store.listAudit({ target: 'acme' })).items).toHaveLength(1);

    // A new tenant with the same name starts clean.
    await store.createTenant({ name: 'acme', quotas: testQuotas() });
    expect((await store.listApiKeys('acme')).items).toEqual([]);
    const usage = await store.getUsage('acme', { start: new Date(t - 3_600_000), end: new Date(t + 60_000) });
    expect(usage).toMatchObject({ executions: 0, errors: {} });
    const db = (store as unknown as { db: DatabaseSync }).db;
    expect(db.prepare("SELECT count(*) AS n FROM usage_errors WHERE tenant = 'acme'").get()).toEqual({
      n: 0,
    });
  });
});

describe('SqliteStore: API keys', () => {
  it('creates, gets, lists (newest first, paged) and revokes keys', async () => {
    const store = await open();
    await store.createTenant({ name: 'acme', quotas: testQuotas() });
    await store.createTenant({ name: 'other', quotas: testQuotas() });
    const created = [];
    for (let i = 0; i < 5; i++) {
      created.push(
        await store.createApiKey({
          id: `key${i}`,
          tenant: 'acme',
          hash: `sha256:${i}`,
          description: `ci ${i}`,
        }),
      );
      if (i % 2 === 0) t += 1000; // some keys share a creation time
    }
    await store.createApiKey({ id: 'otherkey', tenant: 'other', hash: 'sha256:x' });

    expect(created[0]).toEqual({
      id: 'key0',
      tenant: 'acme',
      hash: 'sha256:0',
      description: 'ci 0',
      createdAt: new Date(Date.UTC(2025, 0, 1, 12, 0, 0)),
    });
    expect(await store.getApiKey('key0')).toEqual(created[0]);
    expect(await store.getApiKey('missing')).toBeUndefined();

    const ids: string[] = [];
    let token = '';
    do {
      const page = await store.listApiKeys('acme', { pageSize: 2, pageToken: token });
      ids.push(...page.items.map((k) => k.id));
      token = page.nextPageToken;
    } while (token !== '');
    expect(ids).toEqual(['key4', 'key3', 'key2', 'key1', 'key0']);

    // A token from one tenant's list is not valid for another's.
    const firstPage = await store.listApiKeys('acme', { pageSize: 1 });
    expect(await rejection(store.listApiKeys('other', { pageToken: firstPage.nextPageToken }))).toMatchObject(
      {
        code: ErrorCode.INVALID_ARGUMENT,
      },
    );

    t += 1000;
    const revoked = await store.revokeApiKey('key1');
    expect(revoked?.revokedAt).toEqual(new Date(t));
    expect(revoked?.alreadyRevoked).toBe(false);
    t += 1000;
    const again = await store.revokeApiKey('key1');
    expect(again?.revokedAt).toEqual(new Date(t - 1000)); // idempotent
    expect(again?.alreadyRevoked).toBe(true);
    expect(await store.revokeApiKey('missing')).toBeUndefined();
    expect((await store.getApiKey('key1'))?.revokedAt).toEqual(new Date(t - 1000));
  });

  it('refuses a duplicate key id with ALREADY_EXISTS', async () => {
    const store = await open();
    await store.createTenant({ name: 'acme', quotas: testQuotas() });
    await store.createApiKey({ id: 'k', tenant: 'acme', hash: 'sha256:1' });
    expect(await rejection(store.createApiKey({ id: 'k', tenant: 'acme', hash: 'sha256:2' }))).toMatchObject({
      code: ErrorCode.ALREADY_EXISTS,
    });
    expect((await store.getApiKey('k'))?.hash).toBe('sha256:1');
  });

  it('records last use, never moving it backwards', async () => {
    const store = await open();
    await store.createTenant({ name: 'acme', quotas: testQuotas() });
    await store.createApiKey({ id: 'k', tenant: 'acme', hash: 'sha256:1' });
    await store.markApiKeyUsed('k', new Date(t + 5000));
    await store.markApiKeyUsed('k', new Date(t + 1000));
    await store.markApiKeyUsed('missing');
    expect((await store.getApiKey('k'))?.lastUsedAt).toEqual(new Date(t + 5000));
  });
});

describe('SqliteStore: audit log', () => {
  it('appends and lists newest first with filters and paging', async () => {
    const store = await open();
    const base = t;
    for (let i = 0; i < 12; i++) {
      t = base + i * 1000;
      await store.appendAudit({
        actor: i % 2 === 0 ? 'admin' : 'tenant:acme/key:k1',
        action: i % 3 === 0 ? 'tenant.update' : 'kv.put',
        target: i < 6 ? 'acme' : 'other',
        outcome: i === 11 ? 'denied' : 'ok',
        details: { i },
      });
    }
    const all = await store.listAudit();
    expect(all.items.map((e) => e.details.i)).toEqual([11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0]);
    expect(all.items[0]).toMatchObject({
      time: new Date(base + 11_000),
      actor: 'tenant:acme/key:k1',
      action: 'kv.put',
      target: 'other',
      outcome: 'denied',
    });

    expect((await store.listAudit({ target: 'acme', actor: 'admin' })).items.map((e) => e.details.i)).toEqual(
      [4, 2, 0],
    );
    expect((await store.listAudit({ action: 'tenant.update' })).items.map((e) => e.details.i)).toEqual([
      9, 6, 3, 0,
    ]);
    expect((await store.listAudit({ outcome: 'denied' })).items).toHaveLength(1);
    expect(
      (await store.listAudit({ since: new Date(base + 3000), until: new Date(base + 6000) })).items.map(
        (e) => e.details.i,
      ),
    ).toEqual([5, 4, 3]);

    const paged: unknown[] = [];
    let token = '';
    do {
      const page = await store.listAudit({ target: 'other', pageSize: 4, pageToken: token });
      paged.push(...page.items.map((e) => e.details.i));
      token = page.nextPageToken;
    } while (token !== '');
    expect(paged).toEqual([11, 10, 9, 8, 7, 6]);

    expect(await store.pruneAudit(new Date(base + 6000))).toBe(6);
    expect((await store.listAudit()).items).toHaveLength(6);
  });

  it('lists the audit entries about one tenant: its own record and what is under tenant/<name>/', async () => {
    const store = await open();
    for (const target of [
      'ac',
      'acme',
      'tenant/acme/kv',
      'tenant/acme/key/k1',
      'tenant/acme-2/kv',
      'tenant/ac/fetch',
      'tenant/acmeX',
    ]) {
      await store.appendAudit({ actor: 'admin', action: 'x', target, outcome: 'ok' });
    }
    const targets = async (tenant: string): Promise<string[]> =>
      (await store.listAudit({ tenant })).items.map((e) => e.target).sort();
    expect(await targets('acme')).toEqual(['acme', 'tenant/acme/key/k1', 'tenant/acme/kv']);
    expect(await targets('ac')).toEqual(['ac', 'tenant/ac/fetch']);
    expect(await targets('nobody')).toEqual([]);
  });

  it('redacts secret-looking detail keys and caps detail size', async () => {
    const store = await open();
    const entry = await store.appendAudit({
      actor: 'admin',
      action: 'apikey.create',
      target: 'acme',
      outcome: 'ok',
      details: {
        keyId: 'abc',
        secret: 'vmd_abc_xyz',
        nested: { adminToken: 't0p', Authorization: 'Bearer x', apiKey: 'k', password: 'p', count: 2 },
        list: [{ hash: 'sha256:...' }],
      },
    });
    expect(entry.details).toEqual({
      keyId: 'abc',
      secret: '[redacted]',
      nested: {
        adminToken: '[redacted]',
        Authorization: '[redacted]',
        apiKey: '[redacted]',
        password: '[redacted]',
        count: 2,
      },
      list: [{ hash: '[redacted]' }],
    });
    const stored = (await store.listAudit()).items[0]!;
    expect(JSON.stringify(stored)).not.toMatch(/vmd_abc_xyz|t0p|Bearer x/);

    const big = await store.appendAudit({
      actor: 'admin',
      action: 'x',
      target: 'y',
      outcome: 'failed',
      details: { blob: 'x'.repeat(20_000) },
    });
    expect(big.details).toEqual({ truncated: true, bytes: expect.any(Number) as number });
    const odd = await store.appendAudit({
      actor: 'a',
      action: 'b',
      target: 'c',
      outcome: 'ok',
      details: { n: 10n },
    });
    expect(odd.details).toEqual({ n: '10' });
  });

  it('rejects an unknown outcome', async () => {
    const store = await open();
    expect(
      await rejection(store.appendAudit({ actor: 'a', action: 'b', target: 'c', outcome: 'maybe' as 'ok' })),
    ).toMatchObject({ code: ErrorCode.INVALID_ARGUMENT, details: { field: 'audit.outcome' } });
  });
});

describe('SqliteStore: usage', () => {
  it('adds deltas per minute and sums them over a window', async () => {
    const store = await open();
    await store.createTenant({ name: 'acme', quotas: testQuotas() });
    await store.createTenant({ name: 'other', quotas: testQuotas() });
    const m0 = Date.UTC(2025, 0, 1, 12, 0, 0);
    const at = (minute: number, second = 0): Date => new Date(m0 + minute * 60_000 + second * 1000);
    await store.recordUsage([
      { tenant: 'acme', time: at(0, 1), executions: 10, cpuMs: 12.5, queueWaitMs: 3, errors: { RUNTIME: 2 } },
      {
        tenant: 'acme',
        time: at(0, 59),
        executions: 5,
        cpuMs: 0.5,
        rejected: 1,
        errors: { RUNTIME: 1, TIMEOUT: 1 },
        platformErrors: { WORKER_CRASHED: 1 },
      },
      { tenant: 'acme', time: at(1), executions: 1 },
      { tenant: 'acme', time: at(2), executions: 100, errors: { SYNTAX: 4 } },
      { tenant: 'other', time: at(0), executions: 1000 },
    ]);

    expect(await store.getUsage('acme', { start: at(0), end: at(2) })).toEqual({
      tenant: 'acme',
      start: at(0),
      end: at(2),
      executions: 16,
      errors: { RUNTIME: 3, TIMEOUT: 1 },
      platformErrors: { WORKER_CRASHED: 1 },
      cpuMs: 13,
      queueWaitMs: 3,
      rejected: 1,
    });
    // The minute containing `start` counts; a minute starting at `end` does not.
    expect((await store.getUsage('acme', { start: at(0, 30), end: at(1, 30) })).executions).toBe(16);
    expect((await store.getUsage('acme', { start: at(1), end: at(3) })).executions).toBe(101);
    expect((await store.getUsage('acme', { start: at(5), end: at(6) })).executions).toBe(0);

    expect(await store.pruneUsage(at(2))).toBe(3); // acme m0, m1; other m0
    expect(await store.getUsage('acme', { start: at(0), end: at(10) })).toMatchObject({
      executions: 100,
      errors: { SYNTAX: 4 },
    });
  });

  it('drops deltas of tenants that do not exist, in the same batch as valid ones', async () => {
    const store = await open();
    await store.createTenant({ name: 'acme', quotas: testQuotas() });
    await store.recordUsage([
      { tenant: 'gone', time: new Date(t), executions: 1, errors: { RUNTIME: 1 } },
      { tenant: 'acme', time: new Date(t), executions: 2 },
    ]);
    expect((await store.getUsage('acme', { start: new Date(t), end: new Date(t + 60_000) })).executions).toBe(
      2,
    );
  });

  it('rejects bad deltas without writing any of the batch', async () => {
    const store = await open();
    await store.createTenant({ name: 'acme', quotas: testQuotas() });
    const bads: Array<Partial<UsageDelta>> = [
      { executions: -1 },
      { executions: 1.5 },
      { cpuMs: Number.POSITIVE_INFINITY },
      { errors: { 'not a kind': 1 } },
      { errors: { RUNTIME: -2 } },
      { platformErrors: { NOT_A_CODE: 1 } },
      { platformErrors: { WORKER_CRASHED: -1 } },
    ];
    for (const bad of bads) {
      const err = await rejection(
        store.recordUsage([
          { tenant: 'acme', time: new Date(t), executions: 1 },
          { tenant: 'acme', time: new Date(t), ...bad },
        ]),
      );
      expect(err).toMatchObject({ code: ErrorCode.INVALID_ARGUMENT });
    }
    expect((await store.getUsage('acme', { start: new Date(t), end: new Date(t + 60_000) })).executions).toBe(
      0,
    );
  });
});

describe('SqliteStore: files', () => {
  it('keeps only vmd.db and its WAL files in the data dir', async () => {
    const store = await open();
    await store.createTenant({ name: 'acme', quotas: testQuotas() });
    expect(readdirSync(dataDir).sort()).toEqual(['vmd.db', 'vmd.db-shm', 'vmd.db-wal']);
    await store.close();
    // A clean close checkpoints and removes the WAL.
    expect(readdirSync(dataDir)).toEqual(['vmd.db']);
  });
});
