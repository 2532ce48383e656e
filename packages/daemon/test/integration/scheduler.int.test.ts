import { afterAll, beforeAll, expect, it } from 'vitest';
import { execute, sleep, startTestDaemon, Status, type TestDaemon } from './helpers.js';

// One worker, one run in flight, one queued request per tenant: easy to fill.
let d: TestDaemon;
const busy = { code: 'const end = Date.now() + 1500; while (Date.now() < end) {} "busy"' };

beforeAll(async () => {
  d = await startTestDaemon({
    workers: 1,
    args: ['--worker-max-in-flight', '1', '--queue-depth-per-tenant', '1'],
  });
});

afterAll(async () => {
  await d?.stop();
});

it('drops a request whose deadline passes while queued (never run) and answers QUEUE_FULL with retry-after', async () => {
  const running = execute(d.client, { ...busy, tenant: 'hog' });
  await sleep(200);
  const queued = execute(d.client, { tenant: 'late', code: '"should not run"' }, { deadlineMs: 300 });
  const queuedOther = execute(d.client, { tenant: 'hog', code: '"queued"' });
  await sleep(50);
  const full = await execute(d.client, { tenant: 'hog', code: '"rejected"' });
  expect(full.error?.code).toBe(Status.RESOURCE_EXHAUSTED);
  expect(full.trailers?.get('vmd-error-code')).toEqual(['QUEUE_FULL']);
  expect(Number(full.trailers?.get('vmd-retry-after-ms')[0])).toBeGreaterThan(0);

  const late = await queued;
  expect(late.error?.code).toBe(Status.DEADLINE_EXCEEDED);
  expect(late.events).toHaveLength(0);

  expect((await running).events.at(-1)?.event?.$case).toBe('result');
  expect((await queuedOther).events.at(-1)?.event?.$case).toBe('result');
  await sleep(100);
  const lateLine = d.logs.find((l) => l.msg === 'rpc' && l['tenant_id'] === 'late');
  expect(lateLine).toMatchObject({ grpc_code: Status.DEADLINE_EXCEEDED });
  expect(lateLine).not.toHaveProperty('worker_id');
  expect(lateLine).not.toHaveProperty('execution_id');
});
