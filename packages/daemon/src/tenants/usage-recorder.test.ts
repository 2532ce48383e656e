import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defaultConfig } from '../config/schema.js';
import { defaultTenantQuotas } from '../daemon.js';
import { openSqliteStore, type SqliteStore } from '../store/sqlite/sqlite-store.js';
import {
  ErrorCode,
  InvalidArgumentError,
  ResourceExhaustedError,
  UnavailableError,
  VmdError,
} from '@vmd/core';
import { UsageRecorder, platformFailureCode } from './usage-recorder.js';

/** The recorder against the real SQLite store in a temporary data dir. */
let dir: string;
let store: SqliteStore | undefined;
const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 10, 28, 10, 0, 30);
let now = T0;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vmd-usage-'));
  store = await openSqliteStore({ dataDir: dir });
  for (const name of ['a', 'b']) {
    await store.createTenant({ name, quotas: defaultTenantQuotas(defaultConfig()) });
  }
  now = T0;
});
afterEach(async () => {
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
});

const windowAround = (t: number) => ({ start: new Date(t - HOUR), end: new Date(t + HOUR) });

describe('UsageRecorder', () => {
  it('sums runs, failures by kind and refusals per tenant, written in one flush', async () => {
    const usage = new UsageRecorder({ store: () => store, now: () => now });
    usage.recordRun('a', { cpuMs: 2, queueWaitMs: 1 });
    usage.recordRun('a', { cpuMs: 3, queueWaitMs: 0.5, failureKind: 'TIMEOUT' });
    now += 60_000; // the next minute: a second bucket
    usage.recordRun('a', { cpuMs: 5, queueWaitMs: 0, failureKind: 'TIMEOUT' });
    usage.recordRun('a', { cpuMs: Number.NaN, queueWaitMs: -1, failureKind: 'SYNTAX' });
    usage.recordRejected('a');
    usage.recordRun('b', { cpuMs: 7, queueWaitMs: 2 });

    expect((await store!.getUsage('a', windowAround(T0))).executions).toBe(0); // nothing written yet
    await usage.flush();
    const a = await store!.getUsage('a', windowAround(T0));
    expect(a).toMatchObject({ executions: 4, cpuMs: 10, queueWaitMs: 1.5, rejected: 1 });
    expect(a.errors).toEqual({ SYNTAX: 1, TIMEOUT: 2 });
    expect((await store!.getUsage('b', windowAround(T0))).executions).toBe(1);
    // Only the first minute.
    const first = await store!.getUsage('a', { start: new Date(T0 - HOUR), end: new Date(T0 + 20_000) });
    expect(first).toMatchObject({ executions: 2, errors: { TIMEOUT: 1 } });
  });

  it('counts platform failures by vmd error code, apart from failure kinds', async () => {
    const usage = new UsageRecorder({ store: () => store, now: () => now });
    usage.recordRun('a', { cpuMs: 0, queueWaitMs: 1, platformError: 'WORKER_CRASHED' });
    usage.recordRun('a', { cpuMs: 0, queueWaitMs: 0, platformError: 'WORKER_CRASHED' });
    usage.recordRun('a', { cpuMs: 0, queueWaitMs: 0, platformError: 'SHUTTING_DOWN' });
    usage.recordRun('a', { cpuMs: 1, queueWaitMs: 0, failureKind: 'RUNTIME' });
    await usage.flush();
    expect(await store!.getUsage('a', windowAround(T0))).toMatchObject({
      executions: 4,
      errors: { RUNTIME: 1 },
      platformErrors: { WORKER_CRASHED: 2, SHUTTING_DOWN: 1 },
    });
  });

  it('adds later flushes to the same minute and drops usage of a deleted tenant', async () => {
    const usage = new UsageRecorder({ store: () => store, now: () => now });
    usage.recordRun('a', { cpuMs: 1, queueWaitMs: 0 });
    await usage.flush();
    usage.recordRun('a', { cpuMs: 1, queueWaitMs: 0 });
    usage.recordRun('gone', { cpuMs: 1, queueWaitMs: 0 });
    await usage.flush();
    expect((await store!.getUsage('a', windowAround(T0))).executions).toBe(2);
  });

  it('keeps counters while the store is unavailable and writes them once it is back', async () => {
    let available = false;
    const usage = new UsageRecorder({ store: () => (available ? store : undefined), now: () => now });
    usage.recordRun('a', { cpuMs: 1, queueWaitMs: 0 });
    await usage.flush();
    available = true;
    usage.recordRun('a', { cpuMs: 1, queueWaitMs: 0 });
    await usage.flush();
    expect((await store!.getUsage('a', windowAround(T0))).executions).toBe(2);
  });

  it('retries a failed write with the counters merged into newer ones', async () => {
    const real = store!;
    await real.close();
    const usage = new UsageRecorder({ store: () => store, now: () => now });
    usage.recordRun('a', { cpuMs: 1, queueWaitMs: 0, failureKind: 'RUNTIME' });
    await usage.flush(); // the closed store refuses: kept
    store = await openSqliteStore({ dataDir: dir });
    usage.recordRun('a', { cpuMs: 1, queueWaitMs: 0, failureKind: 'RUNTIME' });
    await usage.flush();
    expect(await store.getUsage('a', windowAround(T0))).toMatchObject({
      executions: 2,
      errors: { RUNTIME: 2 },
    });
  });

  it('stop() writes what is pending; concurrent flushes write each run once', async () => {
    const usage = new UsageRecorder({ store: () => store, now: () => now });
    usage.start();
    for (let i = 0; i < 10; i++) usage.recordRun('a', { cpuMs: 1, queueWaitMs: 0 });
    const first = usage.flush();
    usage.recordRun('a', { cpuMs: 1, queueWaitMs: 0 });
    await Promise.all([first, usage.flush(), usage.stop()]);
    expect((await store!.getUsage('a', windowAround(T0))).executions).toBe(11);
  });
});

describe('platformFailureCode', () => {
  it('names the platform failures that end an admitted run, and nothing else', () => {
    const crashed = new UnavailableError(ErrorCode.WORKER_CRASHED, 'the worker died');
    expect(platformFailureCode(crashed)).toBe('WORKER_CRASHED');
    expect(platformFailureCode(new UnavailableError(ErrorCode.SHUTTING_DOWN, 'x'))).toBe('SHUTTING_DOWN');
    expect(platformFailureCode(new UnavailableError(ErrorCode.NO_HEALTHY_WORKER, 'x'))).toBe(
      'NO_HEALTHY_WORKER',
    );
    expect(platformFailureCode(new VmdError(ErrorCode.INTERNAL, 'x'))).toBe('INTERNAL');
    expect(platformFailureCode(new TypeError('a bug'))).toBe('INTERNAL');
    expect(platformFailureCode(new ResourceExhaustedError(ErrorCode.QUEUE_FULL, 'x'))).toBeUndefined();
    expect(platformFailureCode(new VmdError(ErrorCode.DEADLINE_EXCEEDED, 'x'))).toBeUndefined();
    expect(platformFailureCode(new VmdError(ErrorCode.CANCELLED, 'x'))).toBeUndefined();
    expect(platformFailureCode(new InvalidArgumentError('code', 'x'))).toBeUndefined();
    expect(platformFailureCode(Object.assign(new Error('x'), { name: 'AbortError' }))).toBeUndefined();
  });
});
