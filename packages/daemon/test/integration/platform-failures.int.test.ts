import { createServer } from 'node:net';
import { credentials, type ServiceError } from '@grpc/grpc-js';
import { FunctionServiceClient, MonitorServiceClient, TenantServiceClient } from '@vmd/client/wire';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { childPids, execute, sleep, startTestDaemon, Status, unaryCall, type TestDaemon } from './helpers.js';

/**
 * Runs lost to a platform failure (here: their worker process is SIGKILLed) on a real daemon:
 * the client gets UNAVAILABLE/WORKER_CRASHED, and the run is counted in the metrics
 * (`outcome="platform_error"`, `code`), in MonitorService's errors and in GetUsage's platform
 * errors; every RPC is counted by method and status in `vmd_rpc_total`.
 */
let d: TestDaemon;
let metricsUrl: string;
let fns: InstanceType<typeof FunctionServiceClient>;
let tenants: InstanceType<typeof TenantServiceClient>;
let monitor: InstanceType<typeof MonitorServiceClient>;

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

const LONG = {
  memoryMib: 0,
  cpuTimeMs: 60_000,
  wallTimeMs: 60_000,
  outputBytes: 0,
  resultBytes: 0,
  consoleLinesPerSecond: 0,
};

/** SIGKILLs the daemon's only worker once it is busy, then waits until a new one serves. */
async function killTheWorkerWhileBusy(): Promise<void> {
  await sleep(400);
  const [pid] = childPids(d.pid);
  expect(pid).toBeGreaterThan(0);
  process.kill(pid!, 'SIGKILL');
}

async function waitUntilServing(): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const r = await execute(d.client, { tenant: 'probe', code: '1' }, { deadlineMs: 5_000 });
    if (r.error === undefined) return;
    await sleep(100);
  }
  throw new Error('no worker came back');
}

beforeAll(async () => {
  const port = await freePort();
  metricsUrl = `http://127.0.0.1:${port}/metrics`;
  d = await startTestDaemon({ workers: 1, args: ['--metrics', `127.0.0.1:${port}`] });
  fns = new FunctionServiceClient(d.address, credentials.createInsecure());
  tenants = new TenantServiceClient(d.address, credentials.createInsecure());
  monitor = new MonitorServiceClient(d.address, credentials.createInsecure());
});
afterAll(async () => {
  fns.close();
  tenants.close();
  monitor.close();
  await d.stop();
});

describe('runs lost to a worker crash', () => {
  it('are counted in metrics, statistics and usage, apart from failures of tenant code', async () => {
    // An execution.
    const victim = execute(d.client, { tenant: 'crashy', code: 'while (true) {}', limits: LONG });
    await killTheWorkerWhileBusy();
    const r = await victim;
    expect(r.error?.code).toBe(Status.UNAVAILABLE);
    expect(r.trailers?.get('vmd-error-code')).toEqual(['WORKER_CRASHED']);
    await waitUntilServing();

    // An invocation of a deployed function.
    await unaryCall(fns, fns.deployFunction, {
      tenant: 'crashy-fn',
      name: 'spin',
      files: [{ path: 'index.js', content: 'module.exports = async () => { while (true) {} };' }],
      entry: '',
      config: { limits: LONG, env: {}, capabilities: [], freshIsolatePerInvocation: false },
    });
    const invoked = unaryCall(fns, fns.invokeFunction, {
      tenant: 'crashy-fn',
      name: 'spin',
      version: 0,
      eventJson: '{}',
      limits: undefined,
    });
    await killTheWorkerWhileBusy();
    const invokeError = (await invoked.then(
      () => undefined,
      (err: unknown) => err,
    )) as ServiceError | undefined;
    expect(invokeError?.code).toBe(Status.UNAVAILABLE);
    expect(invokeError?.metadata.get('vmd-error-code')).toEqual(['WORKER_CRASHED']);
    await waitUntilServing();

    // A failure of tenant code, for contrast, and an RPC refused with NOT_FOUND.
    const thrown = await execute(d.client, { tenant: 'crashy', code: 'null.x' });
    expect(thrown.events.at(-1)?.event?.$case).toBe('error');
    const missing = await unaryCall(tenants, tenants.getTenant, { name: 'never-used' }).then(
      () => undefined,
      (err: unknown) => err as ServiceError,
    );
    expect(missing?.code).toBe(Status.NOT_FOUND);

    const text = await (await fetch(metricsUrl)).text();
    expect(text).toMatch(
      /^vmd_executions_total\{tenant="crashy",kind="execute",outcome="platform_error",code="WORKER_CRASHED"\} 1$/m,
    );
    expect(text).toMatch(
      /^vmd_executions_total\{tenant="crashy-fn",kind="invoke",outcome="platform_error",code="WORKER_CRASHED"\} 1$/m,
    );
    expect(text).toMatch(/^vmd_executions_total\{tenant="crashy",kind="execute",outcome="RUNTIME"\} 1$/m);
    expect(text).toMatch(
      /^vmd_rpc_total\{method="vmd.v1.ExecutionService\/Execute",code="UNAVAILABLE"\} 1$/m,
    );
    expect(text).toMatch(
      /^vmd_rpc_total\{method="vmd.v1.FunctionService\/InvokeFunction",code="UNAVAILABLE"\} 1$/m,
    );
    expect(text).toMatch(/^vmd_rpc_total\{method="vmd.v1.TenantService\/GetTenant",code="NOT_FOUND"\} 1$/m);
    expect(text).toMatch(/^vmd_rpc_total\{method="vmd.v1.FunctionService\/DeployFunction",code="OK"\} 1$/m);

    // MonitorService (vmctl stats): the crashes are errors, of the daemon and of the tenant.
    const { stats } = await unaryCall(monitor, monitor.getStats, { tenant: '' });
    const probes = stats!.tenants.find((t) => t.tenant === 'probe')?.runsTotal ?? 0;
    expect(stats!.daemon!.errorsTotal).toBe(3); // two crashes, one exception
    expect(stats!.daemon!.runsTotal).toBe(3 + probes);

    // GetUsage (vmctl usage): platform errors by vmd error code, apart from failure kinds.
    const usage = await unaryCall(tenants, tenants.getUsage, {
      tenant: 'crashy',
      start: undefined,
      end: undefined,
    });
    expect(usage.executions).toBe(2);
    expect(usage.platformErrors).toEqual([{ code: 'WORKER_CRASHED', count: 1 }]);
    expect(usage.errors).toHaveLength(1); // the RUNTIME failure only
    const fnUsage = await unaryCall(tenants, tenants.getUsage, {
      tenant: 'crashy-fn',
      start: undefined,
      end: undefined,
    });
    expect(fnUsage.executions).toBe(1);
    expect(fnUsage.platformErrors).toEqual([{ code: 'WORKER_CRASHED', count: 1 }]);
  });
});
