import { afterAll, beforeAll, expect, it } from 'vitest';
import { execute, sleep, startTestDaemon, type TestDaemon } from './helpers.js';

/**
 * Fairness across tenants: tenant A floods the daemon with 500 runs at once, tenant B then
 * sends one. The order the scheduler handed runs to the worker (the access log's
 * `dispatch_seq`, recorded by the daemon) must show B's run after at most a few of A's that
 * were still waiting — not after A's whole backlog. No wall-time assertion.
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
