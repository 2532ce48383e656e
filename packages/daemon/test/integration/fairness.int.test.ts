import { credentials } from '@grpc/grpc-js';
import { Tenant, TenantServiceClient } from '@vmd/client/wire';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { execute, sleep, startTestDaemon, unaryCall, type TestDaemon } from './helpers.js';

/**
 * Fairness across tenants: tenant A floods the daemon with 500 runs at once, tenant B then
 * sends one. The order the scheduler handed runs to the worker (the access log's
 * `dispatch_seq`, recorded by the daemon) must show B's run after at most a few of A's that
 * were still waiting — not after A's whole backlog. Weighted tenants share the slots by their
 * weight quota (deficit round robin). No wall-time assertion.
 */
let d: TestDaemon;
beforeAll(async () => {
  d = await startTestDaemon({
    workers: 1,
    args: ['--worker-max-in-flight', '1', '--queue-depth-per-tenant', '600'],
  });
});
afterAll(async () => {
  await d.stop();
});

it('a flooding tenant delays another tenant by about one execution slot', async () => {
  let aDone = 0;
  const flood = Array.from({ length: 500 }, (_, i) =>
    execute(d.client, { tenant: 'flood-a', code: `${i}` }).then((r) => {
      aDone++;
      return r;
    }),
  );
  while (aDone < 20) await sleep(5);
  const doneWhenBSent = aDone;
  const b = await execute(d.client, { tenant: 'quiet-b', code: '"b"' });
  expect(b.events.at(-1)?.event?.$case).toBe('result');
  const results = await Promise.all(flood);
  expect(results.every((r) => r.events.at(-1)?.event?.$case === 'result')).toBe(true);
  await sleep(200);

  const rpc = d.logs.filter((l) => l.msg === 'rpc' && typeof l['dispatch_seq'] === 'number');
  const bSeq = rpc.find((l) => l['tenant_id'] === 'quiet-b')!['dispatch_seq'] as number;
  const aSeqs = rpc.filter((l) => l['tenant_id'] === 'flood-a').map((l) => l['dispatch_seq'] as number);
  expect(aSeqs).toHaveLength(500);
  // A's runs handed out before B's: those finished when B was sent, plus at most a few more
  // (the one running, round robin's turn for A, and results still in flight to this client).
  const aBeforeB = aSeqs.filter((s) => s < bSeq).length;
  expect(aBeforeB - doneWhenBSent).toBeLessThanOrEqual(5);
  // And A's backlog was not simply empty: most of it ran after B.
  expect(aSeqs.filter((s) => s > bSeq).length).toBeGreaterThan(400);
});

it('two backlogged tenants share the slots by their weights (3:1)', async () => {
  const admin = new TenantServiceClient(d.address, credentials.createInsecure());
  try {
    for (const [name, weight] of [
      ['heavy', 3],
      ['light', 1],
    ] as const) {
      await unaryCall(admin, admin.createTenant, {
        tenant: Tenant.fromPartial({ name, quotas: { weight, queueDepth: 500 } }),
      });
    }
  } finally {
    admin.close();
  }
  const runs: Promise<unknown>[] = [];
  for (let i = 0; i < 120; i++) {
    runs.push(execute(d.client, { tenant: 'heavy', code: `${i}` }));
    runs.push(execute(d.client, { tenant: 'light', code: `${i}` }));
  }
  await Promise.all(runs);
  await sleep(200);

  const order = d.logs
    .filter((l) => l.msg === 'rpc' && typeof l['dispatch_seq'] === 'number')
    .filter((l) => l['tenant_id'] === 'heavy' || l['tenant_id'] === 'light')
    .sort((x, y) => (x['dispatch_seq'] as number) - (y['dispatch_seq'] as number))
    .map((l) => l['tenant_id'] as string);
  expect(order).toHaveLength(240);
  // While both are backlogged heavy gets 3 of every 4 slots: about 120 of the first 160 (round
  // robin would give 80). The first few runs arrive before any queue forms, hence the margin.
  const heavyFirst160 = order.slice(0, 160).filter((t) => t === 'heavy').length;
  expect(heavyFirst160).toBeGreaterThanOrEqual(105);
  expect(heavyFirst160).toBeLessThanOrEqual(125);
  // Light's remaining backlog runs last, once heavy's queue is empty.
  expect(order.slice(-30).every((t) => t === 'light')).toBe(true);
});
