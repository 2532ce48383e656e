import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defaultConfig } from '../config/schema.js';
import { defaultTenantQuotas } from '../daemon.js';
import { UsageRecorder } from '../tenants/usage-recorder.js';
import { StoreRetention, type RetentionRule } from './retention.js';
import { openSqliteStore, type SqliteStore } from './sqlite/sqlite-store.js';

/** The retention job against the real SQLite store in a temporary data dir. */
let dir: string;
let store: SqliteStore;
const DAY = 86_400_000;
const NOW = Date.UTC(2026, 10, 29, 12, 0, 0);
const everything = { start: new Date(0), end: new Date(NOW + DAY) };

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vmd-retention-'));
  store = await openSqliteStore({ dataDir: dir });
  await store.createTenant({ name: 'a', quotas: defaultTenantQuotas(defaultConfig()) });
});
afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

function rules(usageDays: number, auditDays: number): RetentionRule[] {
  return [
    { what: 'usage', days: usageDays, prune: (before) => store.pruneUsage(before) },
    { what: 'audit entries', days: auditDays, prune: (before) => store.pruneAudit(before) },
  ];
}

async function seed(): Promise<void> {
  for (const age of [10, 1]) {
    const usage = new UsageRecorder({ store: () => store, now: () => NOW - age * DAY });
    usage.recordRun('a', { cpuMs: 1, queueWaitMs: 0 });
    await usage.flush();
    await store.appendAudit({
      time: new Date(NOW - age * DAY),
      actor: 'admin',
      action: 'tenant.update',
      target: 'a',
      outcome: 'ok',
    });
  }
}

describe('StoreRetention', () => {
  it('deletes usage and audit entries older than their own retention, at start', async () => {
    await seed();
    const retention = new StoreRetention(rules(7, 30), { now: () => NOW });
    retention.start();
    await retention.stop();
    expect((await store.getUsage('a', everything)).executions).toBe(1); // the 10-day-old minute went
    expect((await store.listAudit()).items).toHaveLength(2); // both within 30 days

    const shorter = new StoreRetention(rules(7, 5), { now: () => NOW });
    shorter.start();
    await shorter.stop();
    const left = (await store.listAudit()).items;
    expect(left).toHaveLength(1);
    expect(left[0]!.time.getTime()).toBe(NOW - DAY);
  });

  it('0 days keeps everything', async () => {
    await seed();
    const retention = new StoreRetention(rules(0, 0), { now: () => NOW });
    retention.start();
    await retention.stop();
    expect((await store.getUsage('a', everything)).executions).toBe(2);
    expect((await store.listAudit()).items).toHaveLength(2);
  });

  it('logs a failed pruning and goes on with the next rule', async () => {
    await seed();
    const warnings: string[] = [];
    const retention = new StoreRetention(
      [
        { what: 'usage', days: 1, prune: () => Promise.reject(new Error('disk I/O error')) },
        ...rules(0, 5).slice(1),
      ],
      {
        now: () => NOW,
        logger: {
          info: () => undefined,
          warn: (_o: unknown, msg?: string) => void warnings.push(msg ?? ''),
        },
      },
    );
    retention.start();
    await retention.stop();
    expect(warnings).toEqual(['usage pruning failed']);
    expect((await store.listAudit()).items).toHaveLength(1);
  });
});
