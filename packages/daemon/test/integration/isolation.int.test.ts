import { credentials } from '@grpc/grpc-js';
import { ExecutionServiceClient, IsolationMode, Tenant, TenantServiceClient } from '@vmd/client/wire';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execute, sleep, startTestDaemon, unaryCall, type LogLine, type TestDaemon } from './helpers.js';

/**
 * A tenant's isolation mode, set by an admin, on a real daemon (one worker, so every run of every
 * tenant lands in the same process and a shared isolate would be caught): `context` tenants run
 * in fresh contexts of a warm isolate of their own (the rpc log line says `warm`), nothing of one
 * run reaches the next, and two `context` tenants never share an isolate. Switching back to
 * `isolate` takes effect on the next run.
 */
let d: TestDaemon;
let tenants: InstanceType<typeof TenantServiceClient>;
let exec: InstanceType<typeof ExecutionServiceClient>;

beforeAll(async () => {
  d = await startTestDaemon({ workers: 1 });
  tenants = new TenantServiceClient(d.address, credentials.createInsecure());
  exec = new ExecutionServiceClient(d.address, credentials.createInsecure());
  for (const name of ['ctx-a', 'ctx-b']) {
    await unaryCall(tenants, tenants.createTenant, {
      tenant: Tenant.fromPartial({ name, isolation: IsolationMode.ISOLATION_MODE_CONTEXT }),
    });
  }
});

afterAll(async () => {
  tenants?.close();
  exec?.close();
  await d?.stop();
});

/** Runs `code` for `tenant`; returns its result JSON and the daemon's rpc log line for it. */
async function run(tenant: string, code: string): Promise<{ json: string; log: LogLine }> {
  const r = await execute(exec, { tenant, code });
  expect(r.error).toBeUndefined();
  const started = r.events.find((e) => e.event?.$case === 'started')?.event;
  const last = r.events.at(-1)?.event;
  if (started?.$case !== 'started') throw new Error('no started event');
  if (last?.$case !== 'result') throw new Error(`expected a result, got ${JSON.stringify(last)}`);
  const id = started.value.executionId;
  let log: LogLine | undefined;
  for (let i = 0; i < 100 && log === undefined; i++) {
    log = d.logs.find((l) => l.msg === 'rpc' && l['execution_id'] === id);
    if (log === undefined) await sleep(10);
  }
  if (log === undefined) throw new Error(`no rpc log line for execution ${id}`);
  return { json: last.value.value?.json ?? '', log };
}

const PLANT = `
  globalThis.planted = 'a';
  Object.prototype.polluted = 'yes';
  Array.prototype.map = function () { return ['hijacked']; };
  JSON.stringify = () => '"hijacked"';
  Error.prepareStackTrace = () => 'hijacked';
  'planted'
`;
const PROBE = `[typeof planted, ({}).polluted === undefined, [1, 2].map((x) => x * 2), new Error('e').stack.startsWith('Error: e')]`;
const PRISTINE = JSON.stringify(['undefined', true, [2, 4], true]);

describe('isolation: context', () => {
  it('runs a context tenant in a warm isolate of its own, and nothing of a run reaches the next', async () => {
    const first = await run('ctx-a', PLANT);
    expect(first.json).toBe('"planted"');
    const second = await run('ctx-a', PROBE);
    expect(second.log['warm']).toBe(true); // the same isolate, a fresh context
    expect(second.json).toBe(PRISTINE);
  });

  it('never shares an isolate between two context tenants', async () => {
    await run('ctx-a', '1');
    await run('ctx-a', PLANT);
    // The first run of ctx-b on this (only) worker takes a fresh isolate: ctx-a's is not lent.
    const b1 = await run('ctx-b', PROBE);
    expect(b1.log['warm']).toBe(false);
    expect(b1.json).toBe(PRISTINE);
    const b2 = await run('ctx-b', PROBE);
    expect(b2.log['warm']).toBe(true);
    expect(b2.json).toBe(PRISTINE);
  });

  it('recycles the isolate after a run that fails', async () => {
    await run('ctx-a', '1');
    const failed = await execute(exec, { tenant: 'ctx-a', code: 'throw new Error("boom")' });
    expect(failed.events.at(-1)?.event?.$case).toBe('error');
    const next = await run('ctx-a', '2');
    expect(next.log['warm']).toBe(false);
    expect(next.json).toBe('2');
  });

  it("never lends a deleted tenant's warm isolate to a tenant created later under its name", async () => {
    const create = () =>
      unaryCall(tenants, tenants.createTenant, {
        tenant: Tenant.fromPartial({ name: 'reborn', isolation: IsolationMode.ISOLATION_MODE_CONTEXT }),
      });
    await create();
    await run('reborn', '1');
    expect((await run('reborn', '1')).log['warm']).toBe(true);
    await unaryCall(tenants, tenants.deleteTenant, { name: 'reborn' });
    await create();
    const first = await run('reborn', '1');
    expect(first.log['warm']).toBe(false);
  });

  it('leaves isolate tenants on a fresh isolate per run, and a switch back takes effect at once', async () => {
    const plain = await run('plain', '1');
    expect(plain.log['warm']).toBeUndefined();
    await unaryCall(tenants, tenants.updateTenant, {
      tenant: Tenant.fromPartial({ name: 'ctx-b', isolation: IsolationMode.ISOLATION_MODE_ISOLATE }),
      updateMask: ['isolation'],
    });
    const after = await run('ctx-b', PROBE);
    expect(after.log['warm']).toBeUndefined();
    expect(after.json).toBe(PRISTINE);
  });
});
