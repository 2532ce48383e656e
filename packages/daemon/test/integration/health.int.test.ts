import { credentials, loadPackageDefinition, type ClientReadableStream } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { protoPath } from 'grpc-health-check';
import { expect, it } from 'vitest';
import { childPids, execute, healthStatus, sleep, startTestDaemon, type TestDaemon } from './helpers.js';

/** grpc.health.v1.Health follows the workers: NOT_SERVING while none can run code, not during a recycle. */

interface HealthClient {
  Watch(req: { service: string }): ClientReadableStream<{ status: string }>;
  close(): void;
}

/** Every status a Health.Watch stream of `service` has sent. */
function watchHealth(address: string, service: string): { statuses: string[]; close: () => void } {
  const pkg = loadPackageDefinition(loadSync(protoPath, { keepCase: true, enums: String })) as unknown as {
    grpc: {
      health: {
        v1: { Health: new (a: string, c: ReturnType<typeof credentials.createInsecure>) => HealthClient };
      };
    };
  };
  const client = new pkg.grpc.health.v1.Health(address, credentials.createInsecure());
  const statuses: string[] = [];
  const call = client.Watch({ service });
  call.on('data', (m: { status: string }) => statuses.push(m.status));
  call.on('error', () => undefined);
  return {
    statuses,
    close: () => {
      call.cancel();
      client.close();
    },
  };
}

async function until(
  check: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 20_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

const workerPid = (d: TestDaemon): number => {
  const pids = childPids(d.pid);
  expect(pids).toHaveLength(1);
  return pids[0]!;
};

it('NOT_SERVING while the only worker has crashed and is restarting, SERVING again once it is ready; TenantService stays SERVING', async () => {
  const d = await startTestDaemon({ workers: 1 });
  const overall = watchHealth(d.address, '');
  const execution = watchHealth(d.address, 'vmd.v1.ExecutionService');
  const tenants = watchHealth(d.address, 'vmd.v1.TenantService');
  try {
    await until(() => overall.statuses.length > 0 && tenants.statuses.length > 0, 'the first statuses');
    process.kill(workerPid(d), 'SIGKILL');
    await until(() => overall.statuses.length >= 3, 'NOT_SERVING, then SERVING');
    expect(overall.statuses).toEqual(['SERVING', 'NOT_SERVING', 'SERVING']);
    await until(() => execution.statuses.length >= 3, 'the ExecutionService statuses');
    expect(execution.statuses).toEqual(['SERVING', 'NOT_SERVING', 'SERVING']);
    expect(tenants.statuses).toEqual(['SERVING']);
    const warned = d.logs.find((l) => l.msg === 'no worker can run code; health NOT_SERVING until one can');
    expect(warned).toMatchObject({ level: 40, component: 'lifecycle' });
    expect(d.logs.map((l) => l.msg)).toContain('a worker can run code again; health SERVING');
    expect((await execute(d.client, { code: '1 + 1' })).error).toBeUndefined();
  } finally {
    overall.close();
    execution.close();
    tenants.close();
    await d.stop();
  }
});

it('NOT_SERVING while the only worker is frozen (pings unanswered), SERVING once it answers again', async () => {
  const d = await startTestDaemon({
    workers: 1,
    env: { VMD_WORKER_PING_INTERVAL_MS: '100', VMD_WORKER_PING_TIMEOUT_MS: '6000' },
  });
  const pid = workerPid(d);
  try {
    process.kill(pid, 'SIGSTOP');
    await until(async () => (await healthStatus(d.address)) === 'NOT_SERVING', 'NOT_SERVING');
    expect(await healthStatus(d.address, 'vmd.v1.TenantService')).toBe('SERVING');
    process.kill(pid, 'SIGCONT');
    await until(async () => (await healthStatus(d.address)) === 'SERVING', 'SERVING again');
    expect((await execute(d.client, { code: '1 + 1' })).error).toBeUndefined();
  } finally {
    try {
      process.kill(pid, 'SIGCONT');
    } catch {
      // gone
    }
    await d.stop();
  }
});

it('stays SERVING while its only worker is recycled past its RSS ceiling', async () => {
  const d = await startTestDaemon({ workers: 1, args: ['--worker-rss-ceiling-mib', '64'] });
  const overall = watchHealth(d.address, '');
  try {
    await until(() => overall.statuses.length > 0, 'the first status');
    // Enough memory to take the worker past 64 MiB (not past 1.5× that).
    const r = await execute(d.client, {
      code: 'const a = new Float64Array(4e6).fill(1.5); new Promise((r) => setTimeout(() => r(a.length), 500))',
    });
    expect(r.error).toBeUndefined();
    await until(
      () => d.logs.filter((l) => l.msg === 'worker ready').length >= 2,
      'the worker to be recycled and replaced',
    );
    expect(d.logs.map((l) => l.msg)).toContain('worker passed its RSS ceiling; draining it to recycle');
    expect(overall.statuses).toEqual(['SERVING']);
    expect((await execute(d.client, { code: '1 + 1' })).error).toBeUndefined();
  } finally {
    overall.close();
    await d.stop();
  }
});
