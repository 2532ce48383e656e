import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Metadata } from '@grpc/grpc-js';
import { ErrorCode, InvalidArgumentError, LIMIT_BOUNDS } from '@vmd/core';
import { Tenant } from '@vmd/client/wire';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CallContext } from '../grpc/adapt-handlers.js';
import { openSqliteStore, type SqliteStore } from '../store/sqlite/sqlite-store.js';
import type { TenantQuotas } from '../store/store.js';
import { checkQuota } from '../tenants/quota-range.js';
import { createTenantService, tenantUpdate } from './tenant-service.js';

/** The InvalidArgumentError `fn` throws (fails the test if it throws nothing or something else). */
function invalid(fn: () => unknown): InvalidArgumentError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(InvalidArgumentError);
    return err as InvalidArgumentError;
  }
  throw new Error('expected an InvalidArgumentError');
}

describe('tenantUpdate', () => {
  const withCaps = Tenant.fromPartial({
    name: 'acme',
    displayName: 'Acme',
    quotas: { memoryMib: 128 },
    capabilities: { kv: true, fetchOrigins: ['https://api.example.com'] },
  });

  it('refuses an empty update mask instead of replacing every field (capabilities were cleared)', () => {
    const err = invalid(() => tenantUpdate(Tenant.fromPartial({ name: 'acme' }), []));
    expect(err.code).toBe(ErrorCode.INVALID_ARGUMENT);
    expect(err.details.field).toBe('update_mask');
    expect(err.message).toMatch(/^the update changes nothing: update_mask is empty/);
    // Even when the request carries values: the mask says which of them to apply.
    expect(invalid(() => tenantUpdate(withCaps, [])).details.field).toBe('update_mask');
  });

  it('changes exactly the fields the mask names', () => {
    expect(tenantUpdate(withCaps, ['quotas.memory_mib'])).toEqual({ quotas: { memoryMib: 128 } });
    expect(tenantUpdate(withCaps, ['display_name', 'capabilities.kv'])).toEqual({
      displayName: 'Acme',
      capabilities: { kv: true },
    });
    expect(tenantUpdate(withCaps, ['capabilities'])).toEqual({
      capabilities: { kv: true, fetchOrigins: ['https://api.example.com'] },
    });
  });

  it('refuses a mask of `quotas` whose quotas are all 0, and unknown paths', () => {
    const none = invalid(() => tenantUpdate(Tenant.fromPartial({ name: 'acme' }), ['quotas']));
    expect(none.message).toContain('the update changes nothing');
    expect(invalid(() => tenantUpdate(withCaps, ['owner'])).message).toContain("unknown field path 'owner'");
  });

  it('checks the quota values it sets against their ranges', () => {
    const small = invalid(() =>
      tenantUpdate(Tenant.fromPartial({ name: 'a', quotas: { memoryMib: 2 } }), ['quotas.memory_mib']),
    );
    expect(small.details.field).toBe('tenant.quotas.memory_mib');
    expect(small.message).toBe('tenant.quotas.memory_mib is 2; use a value from 8 to 4096 MiB');
    // A quota named in the mask but left at 0 is a value of 0, out of range for memory.
    expect(
      invalid(() => tenantUpdate(Tenant.fromPartial({ name: 'a' }), ['quotas.memory_mib'])).details.field,
    ).toBe('tenant.quotas.memory_mib');
    const big = invalid(() =>
      tenantUpdate(Tenant.fromPartial({ name: 'a', quotas: { memoryMib: 99_999 } }), ['quotas']),
    );
    expect(big.details.field).toBe('tenant.quotas.memory_mib');
  });
});

describe('checkQuota', () => {
  it.each(Object.entries(LIMIT_BOUNDS))('accepts %s at its bounds and refuses just outside', (key, b) => {
    const field = key as keyof TenantQuotas;
    expect(checkQuota(field, b.min)).toBe(b.min);
    expect(checkQuota(field, b.max)).toBe(b.max);
    const above = invalid(() => checkQuota(field, b.max + 1));
    expect(above.message).toContain(`use a value from ${b.min} to ${b.max}`);
    if (b.min > 0)
      expect(invalid(() => checkQuota(field, b.min - 1)).details.field).toMatch(/^tenant\.quotas\./);
  });

  it.each<[keyof TenantQuotas, number]>([
    ['ratePerSecond', 0],
    ['ratePerSecond', -1],
    ['ratePerSecond', Number.NaN],
    ['ratePerSecond', Number.POSITIVE_INFINITY],
    ['burst', 0],
    ['weight', 0],
    ['cpuTimeMs', 1.5],
  ])('refuses %s = %s', (field, value) => {
    expect(invalid(() => checkQuota(field, value)).details.field).toBe(
      `tenant.quotas.${field.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)}`,
    );
  });

  it.each<[keyof TenantQuotas, number]>([
    ['ratePerSecond', 0.5],
    ['maxConcurrent', 0],
    ['functions', 0],
    ['kvBytes', 0],
    ['outputBytes', 0],
    ['weight', 3],
  ])('accepts %s = %s', (field, value) => {
    expect(checkQuota(field, value)).toBe(value);
  });
});

describe('TenantService.CreateTenant quotas', () => {
  let dir: string;
  let store: SqliteStore;
  const ctx = (): CallContext => ({
    signal: new AbortController().signal,
    metadata: new Metadata(),
    peer: 'test',
    deadlineMs: Number.POSITIVE_INFINITY,
    logFields: {},
  });
  const defaults: TenantQuotas = {
    memoryMib: 64,
    cpuTimeMs: 5000,
    wallTimeMs: 10_000,
    maxConcurrent: 1024,
    ratePerSecond: 2000,
    burst: 4000,
    queueDepth: 256,
    outputBytes: 1 << 20,
    resultBytes: 1 << 20,
    codeBytes: 1 << 20,
    replSessions: 16,
    functions: 100,
    kvBytes: 64 << 20,
    weight: 1,
    consoleLinesPerSecond: 1000,
  };

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'vmd-tenant-service-'));
    store = await openSqliteStore({ dataDir: dir });
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses a quota out of range, naming the field and range, and stores nothing', async () => {
    const service = createTenantService({ store: () => store, defaultQuotas: defaults });
    const err = await service
      .createTenant({ tenant: Tenant.fromPartial({ name: 'big', quotas: { memoryMib: 99_999 } }) }, ctx())
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidArgumentError);
    expect(err).toMatchObject({ details: { field: 'tenant.quotas.memory_mib' } });
    expect((err as Error).message).toContain('from 8 to 4096');
    expect(await store.findTenant('big')).toBeUndefined();
  });

  it('keeps 0 meaning "the default" and stores valid quotas as given', async () => {
    const service = createTenantService({ store: () => store, defaultQuotas: defaults });
    const { tenant } = await service.createTenant(
      { tenant: Tenant.fromPartial({ name: 'ok', quotas: { memoryMib: 8, ratePerSecond: 0.5 } }) },
      ctx(),
    );
    expect(tenant?.quotas).toMatchObject({ memoryMib: 8, ratePerSecond: 0.5, cpuTimeMs: 5000, weight: 1 });
  });
});
