import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ErrorCode, VmdError } from '@vmd/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defaultConfig } from '../../config/schema.js';
import { defaultTenantQuotas } from '../../daemon.js';
import { openSqliteStore, type SqliteStore } from './sqlite-store.js';

/** The kv capability's storage and deployed functions, on the real SQLite file. */
let dir: string;
let store: SqliteStore;
beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vmd-kv-'));
  store = await openSqliteStore({ dataDir: dir });
  for (const name of ['a', 'b'])
    await store.createTenant({ name, quotas: defaultTenantQuotas(defaultConfig()) });
});
afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('kv', () => {
  it('puts, gets, overwrites and deletes, per tenant', async () => {
    await store.kvPut('a', 'user:1', '{"n":1}', 1 << 20);
    await store.kvPut('a', 'user:1', '{"n":2}', 1 << 20);
    expect(await store.kvGet('a', 'user:1')).toBe('{"n":2}');
    expect(await store.kvGet('b', 'user:1')).toBeUndefined();
    expect(await store.kvDelete('a', 'user:1')).toBe(true);
    expect(await store.kvDelete('a', 'user:1')).toBe(false);
  });

  it('lists keys by prefix in order, page by page', async () => {
    for (const k of ['user:3', 'user:1', 'order:1', 'user:2', 'users'])
      await store.kvPut('a', k, '1', 1 << 20);
    expect(await store.kvList('a', 'user:', '', 2)).toEqual(['user:1', 'user:2']);
    expect(await store.kvList('a', 'user:', 'user:2', 2)).toEqual(['user:3']);
    expect(await store.kvList('a', '', '', 10)).toEqual(['order:1', 'user:1', 'user:2', 'user:3', 'users']);
    expect(await store.kvList('b', '', '', 10)).toEqual([]);
  });

  it("holds a tenant to its total size, counting an overwritten key's new size only", async () => {
    await store.kvPut('a', 'k', JSON.stringify('x'.repeat(50)), 100);
    await store.kvPut('a', 'k', JSON.stringify('y'.repeat(90)), 100);
    const err = await store.kvPut('a', 'other', '"more"', 100).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(VmdError);
    expect((err as VmdError).code).toBe(ErrorCode.QUOTA_EXCEEDED);
    expect((err as VmdError).message).toContain('quota of 100');
  });

  it('goes with its tenant', async () => {
    await store.kvPut('a', 'k', '1', 100);
    await store.deleteTenant('a');
    await store.createTenant({ name: 'a', quotas: defaultTenantQuotas(defaultConfig()) });
    expect(await store.kvGet('a', 'k')).toBeUndefined();
  });
});

describe('functions', () => {
  const input = (name: string, maxFunctions = 10) => ({
    tenant: 'a',
    name,
    files: [{ path: 'index.js', content: 'module.exports = () => 1' }],
    entry: 'index.js',
    config: { limits: {}, env: {}, capabilities: [], freshIsolatePerInvocation: false },
    sha256: 'x',
    maxFunctions,
  });

  it('versions each deploy, rolls back, lists, deletes', async () => {
    expect((await store.deployFunction(input('f'))).version.version).toBe(1);
    const v2 = await store.deployFunction(input('f'));
    expect(v2.function).toMatchObject({ activeVersion: 2, latestVersion: 2 });
    expect((await store.rollbackFunction('a', 'f', 1)).activeVersion).toBe(1);
    expect((await store.getFunctionVersion('a', 'f')).version).toBe(1);
    const page1 = await store.listFunctionVersions('a', 'f', { pageSize: 1 });
    expect(page1.items.map((v) => v.version)).toEqual([2]);
    const page2 = await store.listFunctionVersions('a', 'f', { pageSize: 1, pageToken: page1.nextPageToken });
    expect(page2.items.map((v) => v.version)).toEqual([1]);
    await store.deleteFunction('a', 'f');
    const gone = await store.getFunction('a', 'f').catch((e: unknown) => e);
    expect((gone as VmdError).code).toBe(ErrorCode.FUNCTION_NOT_FOUND);
  });

  it('refuses a new function past the quota, but not a new version of an existing one', async () => {
    await store.deployFunction(input('one', 1));
    const err = await store.deployFunction(input('two', 1)).catch((e: unknown) => e);
    expect((err as VmdError).code).toBe(ErrorCode.QUOTA_EXCEEDED);
    expect((await store.deployFunction(input('one', 1))).version.version).toBe(2);
    const missing = await store.rollbackFunction('a', 'one', 9).catch((e: unknown) => e);
    expect((missing as VmdError).code).toBe(ErrorCode.FUNCTION_NOT_FOUND);
  });
});
