import { credentials, type ServiceError } from '@grpc/grpc-js';
import {
  ErrorKind,
  Tenant,
  TenantServiceClient,
  type ExecuteRequest,
  type ExecutionFailure,
  type ExecutionMetrics,
  type Quotas,
} from '@vmd/client/wire';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  execute,
  startTestDaemon,
  Status,
  unaryCall,
  type ExecuteOutcome,
  type TestDaemon,
} from './helpers.js';

/**
 * Per-run tenant quotas on a real daemon (local mode, 1 worker running one run at a time): each
 * quota is set through TenantService (CreateTenant / UpdateTenant), takes effect on the next run,
 * and ends a run that passes it with the documented error kind or gRPC status (docs/errors.md).
 * A request asking for more than its tenant's quota is clamped to the quota.
 * Rate and concurrency admission are covered by tenants.int.test.ts.
 */
type Tenants = InstanceType<typeof TenantServiceClient>;
type RequestLimits = NonNullable<ExecuteRequest['limits']>;

let d: TestDaemon;
let tenants: Tenants;

beforeAll(async () => {
  // One worker with one run in flight: the scheduler's capacity is 1, so concurrent runs queue.
  d = await startTestDaemon({ workers: 1, args: ['--worker-max-in-flight', '1'] });
  tenants = new TenantServiceClient(d.address, credentials.createInsecure());
});

afterAll(async () => {
  tenants?.close();
  await d?.stop();
});

async function createTenant(name: string, quotas: Partial<Quotas> = {}): Promise<Quotas> {
  const { tenant } = await unaryCall(tenants, tenants.createTenant, {
    tenant: Tenant.fromPartial({ name, quotas }),
  });
  return tenant!.quotas!;
}

const snake = (field: string): string => field.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/** UpdateTenant with an update mask naming exactly the given quota fields. */
async function updateQuotas(name: string, quotas: Partial<Quotas>): Promise<Quotas> {
  const { tenant } = await unaryCall(tenants, tenants.updateTenant, {
    tenant: Tenant.fromPartial({ name, quotas }),
    updateMask: Object.keys(quotas).map((f) => `quotas.${snake(f)}`),
  });
  return tenant!.quotas!;
}

function limits(partial: Partial<RequestLimits>): RequestLimits {
  return {
    memoryMib: 0,
    cpuTimeMs: 0,
    wallTimeMs: 0,
    outputBytes: 0,
    resultBytes: 0,
    consoleLinesPerSecond: 0,
    ...partial,
  };
}

/** The run's terminal event, which must be an `error` event on an OK call. */
function failureOf(r: ExecuteOutcome): { failure: ExecutionFailure; metrics: ExecutionMetrics } {
  expect(r.error).toBeUndefined();
  const last = r.events.at(-1)?.event;
  if (last?.$case !== 'error') throw new Error(`expected an error event, got ${JSON.stringify(last)}`);
  return { failure: last.value.failure!, metrics: last.value.metrics! };
}

/** The run's result JSON, which must be a `result` event on an OK call. */
function resultOf(r: ExecuteOutcome): unknown {
  expect(r.error).toBeUndefined();
  const last = r.events.at(-1)?.event;
  if (last?.$case !== 'result') throw new Error(`expected a result event, got ${JSON.stringify(last)}`);
  return JSON.parse(last.value.value!.json);
}

/** The console lines a run delivered (the worker merges consecutive lines into one event). */
function consoleLines(r: ExecuteOutcome): string[] {
  return r.events.flatMap((e) => (e.event?.$case === 'output' ? e.event.value.text.split('\n') : []));
}

function rpcFailure(r: ExecuteOutcome): { code: number; vmdCode: string | undefined; details: string } {
  const e: ServiceError | undefined = r.error;
  if (e === undefined) throw new Error(`expected the call to fail, got ${JSON.stringify(r.events.at(-1))}`);
  return { code: e.code, vmdCode: r.trailers?.get('vmd-error-code')[0]?.toString(), details: e.details };
}

/** ~24 MiB of live heap: 30 double arrays of 100k elements (8 bytes each, with or without pointer compression). */
const ALLOC_24_MIB =
  'const a = []; for (let i = 0; i < 30; i++) a.push(new Array(100_000).fill(i + 0.5)); a.length';
const ALLOC_FOREVER = 'const a = []; for (;;) a.push(new Array(100_000).fill(0.5));';
const SLEEP_10_S = 'new Promise((r) => setTimeout(() => r("woke"), 10_000))';
const LOG_100_LINES = 'for (let i = 0; i < 100; i++) console.log("x".repeat(50)); "logged"';

describe('per-run quotas set through TenantService', () => {
  it('memory_mib: a run that fits the default quota ends with MEMORY_LIMIT once the quota is lowered', async () => {
    const q = await createTenant('quota-memory');
    expect(q.memoryMib).toBe(64);
    expect(resultOf(await execute(d.client, { tenant: 'quota-memory', code: ALLOC_24_MIB }))).toBe(30);

    expect((await updateQuotas('quota-memory', { memoryMib: 16 })).memoryMib).toBe(16);
    const { failure } = failureOf(await execute(d.client, { tenant: 'quota-memory', code: ALLOC_24_MIB }));
    expect(failure.kind).toBe(ErrorKind.ERROR_KIND_MEMORY_LIMIT);
    expect(failure.message).toContain('16 MiB');
    // The worker survives: the tenant's next small run succeeds.
    expect(resultOf(await execute(d.client, { tenant: 'quota-memory', code: '6 * 7' }))).toBe(42);
  });

  it('cpu_time_ms: a busy loop ends with CPU_LIMIT naming the cpu limit', async () => {
    await createTenant('quota-cpu');
    expect((await updateQuotas('quota-cpu', { cpuTimeMs: 100 })).cpuTimeMs).toBe(100);
    const { failure, metrics } = failureOf(
      await execute(d.client, { tenant: 'quota-cpu', code: 'while (true) {}' }),
    );
    expect(failure.kind).toBe(ErrorKind.ERROR_KIND_CPU_LIMIT);
    expect(failure.name).toBe('CpuLimitError');
    expect(failure.message).toContain('cpu limit of 100 ms');
    // Stopped by the cpu quota, long before the default 10 s wall limit.
    expect(metrics.cpuTimeMs).toBeGreaterThan(0);
    expect(metrics.wallTimeMs).toBeLessThan(5_000);
  });

  it('wall_time_ms: a run awaiting a 10 s timer ends with TIMEOUT naming the wall-time limit', async () => {
    await createTenant('quota-wall');
    expect((await updateQuotas('quota-wall', { wallTimeMs: 300 })).wallTimeMs).toBe(300);
    const { failure, metrics } = failureOf(
      await execute(d.client, { tenant: 'quota-wall', code: SLEEP_10_S }),
    );
    expect(failure.kind).toBe(ErrorKind.ERROR_KIND_TIMEOUT);
    expect(failure.message).toContain('wall-time limit of 300 ms');
    expect(metrics.wallTimeMs).toBeLessThan(5_000);
  });

  it('output_bytes: console output past the quota ends with OUTPUT_LIMIT, the output capped', async () => {
    await createTenant('quota-output');
    const before = await execute(d.client, { tenant: 'quota-output', code: LOG_100_LINES });
    expect(resultOf(before)).toBe('logged');
    expect(consoleLines(before)).toEqual(Array.from({ length: 100 }, () => 'x'.repeat(50)));

    expect((await updateQuotas('quota-output', { outputBytes: 1000 })).outputBytes).toBe(1000);
    const after = await execute(d.client, { tenant: 'quota-output', code: LOG_100_LINES });
    const { failure } = failureOf(after);
    expect(failure.kind).toBe(ErrorKind.ERROR_KIND_OUTPUT_LIMIT);
    expect(failure.message).toContain('limit of 1000 bytes');
    // Only whole lines within the budget (each counts its bytes plus a newline) were delivered.
    const lines = consoleLines(after);
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.length * 51).toBeLessThanOrEqual(1000);
    expect(lines.every((t) => t === 'x'.repeat(50))).toBe(true);
  });

  it('code_bytes: code longer than the quota is refused with INVALID_ARGUMENT / CODE_TOO_LARGE naming the size', async () => {
    const q = await createTenant('quota-code', { codeBytes: 100 });
    expect(q.codeBytes).toBe(100);
    const fits = `${'1 + '.repeat(24)}1`;
    expect(Buffer.byteLength(fits)).toBe(97);
    expect(resultOf(await execute(d.client, { tenant: 'quota-code', code: fits }))).toBe(25);

    const tooLong = `// ${'x'.repeat(195)}\n1`;
    expect(Buffer.byteLength(tooLong)).toBe(200);
    const r = await execute(d.client, { tenant: 'quota-code', code: tooLong });
    const f = rpcFailure(r);
    expect([f.code, f.vmdCode]).toEqual([Status.INVALID_ARGUMENT, 'CODE_TOO_LARGE']);
    expect(r.trailers?.get('vmd-error-field')).toEqual(['code']);
    expect(f.details).toContain('code is 200 bytes');
    expect(f.details).toContain("tenant 'quota-code'");
    expect(f.details).toContain('(100 bytes)');
    expect(r.events).toEqual([]);

    // Raising it by UpdateTenant lets the same code run.
    await updateQuotas('quota-code', { codeBytes: 1000 });
    expect(resultOf(await execute(d.client, { tenant: 'quota-code', code: tooLong }))).toBe(1);
  });

  it('queue_depth: with one run slot, requests past the queue depth get RESOURCE_EXHAUSTED / QUEUE_FULL and a retry hint', async () => {
    const q = await createTenant('quota-queue', { maxConcurrent: 100, queueDepth: 1 });
    expect([q.maxConcurrent, q.queueDepth]).toEqual([100, 1]);
    const n = 6;
    const runs = await Promise.all(
      Array.from({ length: n }, (_, i) =>
        execute(d.client, {
          tenant: 'quota-queue',
          code: `new Promise((r) => setTimeout(() => r(${i}), 500))`,
        }),
      ),
    );
    const ran = runs.filter((r) => r.error === undefined);
    const refused = runs.filter((r) => r.error !== undefined);
    // One run holds the only slot, one waits in the queue, the rest are refused at once.
    expect(ran).toHaveLength(2);
    for (const r of ran) expect(r.events.at(-1)?.event?.$case).toBe('result');
    expect(refused).toHaveLength(n - 2);
    for (const r of refused) {
      const f = rpcFailure(r);
      expect([f.code, f.vmdCode]).toEqual([Status.RESOURCE_EXHAUSTED, 'QUEUE_FULL']);
      expect(f.details).toContain("tenant 'quota-queue' already has 1 requests queued");
      expect(Number(r.trailers?.get('vmd-retry-after-ms')[0])).toBeGreaterThan(0);
      expect(r.events).toEqual([]);
    }
  });
});

describe('request limits above the quota', () => {
  it('are clamped to the quota: memory, wall time and output still fail at the quota', async () => {
    await createTenant('quota-clamp', { memoryMib: 16, wallTimeMs: 300, outputBytes: 1000 });

    const memory = failureOf(
      await execute(d.client, {
        tenant: 'quota-clamp',
        code: ALLOC_FOREVER,
        limits: limits({ memoryMib: 256 }),
      }),
    );
    expect(memory.failure.kind).toBe(ErrorKind.ERROR_KIND_MEMORY_LIMIT);
    expect(memory.failure.message).toContain('16 MiB');

    const wall = failureOf(
      await execute(d.client, {
        tenant: 'quota-clamp',
        code: SLEEP_10_S,
        limits: limits({ wallTimeMs: 60_000 }),
      }),
    );
    expect(wall.failure.kind).toBe(ErrorKind.ERROR_KIND_TIMEOUT);
    expect(wall.failure.message).toContain('wall-time limit of 300 ms');

    const output = failureOf(
      await execute(d.client, {
        tenant: 'quota-clamp',
        code: LOG_100_LINES,
        limits: limits({ outputBytes: 1_000_000 }),
      }),
    );
    expect(output.failure.kind).toBe(ErrorKind.ERROR_KIND_OUTPUT_LIMIT);
    expect(output.failure.message).toContain('limit of 1000 bytes');
  });

  it('a request asking for less than the quota gets what it asked for', async () => {
    await createTenant('quota-below', { wallTimeMs: 5_000 });
    const { failure } = failureOf(
      await execute(d.client, {
        tenant: 'quota-below',
        code: SLEEP_10_S,
        limits: limits({ wallTimeMs: 200 }),
      }),
    );
    expect(failure.kind).toBe(ErrorKind.ERROR_KIND_TIMEOUT);
    expect(failure.message).toContain('wall-time limit of 200 ms');
  });
});
