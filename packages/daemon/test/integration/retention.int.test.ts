import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { sleep, startTestDaemon } from './helpers.js';

/**
 * The daemon prunes audit entries older than `auditRetentionDays` at start: a real daemon on a
 * real SQLite file holding an old and a recent entry.
 */
let dataDir: string;

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'vmd-retention-'));
});
afterAll(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

function auditActions(): string[] {
  const db = new DatabaseSync(path.join(dataDir, 'vmd.db'), { readOnly: true });
  try {
    const rows = db.prepare("SELECT action FROM audit_log WHERE action LIKE 'test.%' ORDER BY id").all();
    return rows.map((r) => String(r.action));
  } finally {
    db.close();
  }
}

it('deletes audit entries older than auditRetentionDays at start and keeps the rest', async () => {
  const first = await startTestDaemon({ workers: 1, args: ['--data-dir', dataDir] });
  await first.stop();
  const db = new DatabaseSync(path.join(dataDir, 'vmd.db'));
  const insert = db.prepare(
    "INSERT INTO audit_log (time, actor, action, target, outcome, details) VALUES (?, 'admin', ?, 't', 'ok', '{}')",
  );
  insert.run(Date.now() - 40 * 86_400_000, 'test.old');
  insert.run(Date.now() - 86_400_000, 'test.recent');
  db.close();
  expect(auditActions()).toEqual(['test.old', 'test.recent']);

  const d = await startTestDaemon({
    workers: 1,
    args: ['--data-dir', dataDir, '--audit-retention-days', '30'],
  });
  try {
    const until = Date.now() + 5_000;
    while (!d.logs.some((l) => l.msg === 'pruned old audit entries') && Date.now() < until) await sleep(20);
    expect(d.logs.find((l) => l.msg === 'pruned old audit entries')).toMatchObject({
      deleted: 1,
      retention_days: 30,
    });
    expect(auditActions()).toEqual(['test.recent']);
  } finally {
    await d.stop();
  }
});
