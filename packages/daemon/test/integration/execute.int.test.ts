import { createRequire } from 'node:module';
import path from 'node:path';
import { Client, credentials, loadPackageDefinition, Metadata, type ServiceError } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { ErrorKind, OutputStream, SourceType } from '@vmd/client/wire';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execute, healthStatus, sleep, startTestDaemon, Status, type TestDaemon } from './helpers.js';

let d: TestDaemon;

beforeAll(async () => {
  d = await startTestDaemon({ workers: 2 });
});

afterAll(async () => {
  await d?.stop();
});

describe('vmd serve', () => {
  it('logs the listening line with the bound address', () => {
    const line = d.logs.find((l) => l.msg === 'listening');
    expect(line).toMatchObject({ level: 30, msg: 'listening' });
    expect(line?.['address']).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(line?.['address']).not.toBe('127.0.0.1:0');
  });

  it('reports SERVING for "" and vmd.v1.ExecutionService', async () => {
    expect(await healthStatus(d.address)).toBe('SERVING');
    expect(await healthStatus(d.address, 'vmd.v1.ExecutionService')).toBe('SERVING');
  });

  it('lists vmd.v1.ExecutionService through server reflection', async () => {
    const require = createRequire(import.meta.url);
    const reflectionDir = path.join(
      path.dirname(require.resolve('@grpc/reflection/package.json')),
      'build',
      'proto',
    );
    const pkg = loadPackageDefinition(
      loadSync('grpc/reflection/v1/reflection.proto', { includeDirs: [reflectionDir], keepCase: true }),
    ) as unknown as {
      grpc: {
        reflection: {
          v1: {
            ServerReflection: new (
              a: string,
              c: unknown,
            ) => {
              ServerReflectionInfo(): NodeJS.EventEmitter & { write(x: unknown): void; end(): void };
              close(): void;
            };
          };
        };
      };
    };
    const client = new pkg.grpc.reflection.v1.ServerReflection(d.address, credentials.createInsecure());
    const call = client.ServerReflectionInfo();
    const names = await new Promise<string[]>((resolve, reject) => {
      call.on('data', (res: { list_services_response?: { service: { name: string }[] } }) => {
        resolve(res.list_services_response?.service.map((s) => s.name) ?? []);
        call.end();
      });
      call.on('error', reject);
      call.write({ list_services: '' });
    });
    client.close();
    expect(names).toContain('vmd.v1.ExecutionService');
    expect(names).toContain('vmd.v1.TenantService');
  });

  it('runs code: started, output in order, then exactly one result', async () => {
    const r = await execute(d.client, {
      code: 'console.log("one"); console.error("two"); console.log("three"); ({ sum: input.a + input.b })',
      inputJson: '{"a":1,"b":2}',
    });
    expect(r.error).toBeUndefined();
    const cases = r.events.map((e) => e.event?.$case);
    expect(cases).toEqual(['started', 'output', 'output', 'output', 'result']);
    const outputs = r.events.flatMap((e) => (e.event?.$case === 'output' ? [e.event.value] : []));
    expect(outputs.map((o) => o.text)).toEqual(['one', 'two', 'three']);
    expect(outputs.map((o) => o.stream)).toEqual([
      OutputStream.OUTPUT_STREAM_STDOUT,
      OutputStream.OUTPUT_STREAM_STDERR,
      OutputStream.OUTPUT_STREAM_STDOUT,
    ]);
    const started = r.events[0]!.event;
    expect(started?.$case === 'started' && started.value.executionId).toMatch(/^[0-9a-f-]{36}$/);
    const last = r.events.at(-1)!.event;
    expect(last?.$case).toBe('result');
    if (last?.$case !== 'result') return;
    expect(JSON.parse(last.value.value!.json)).toEqual({ sum: 3 });
    expect(last.value.value!.hasJson).toBe(true);
    expect(last.value.metrics!.workerId).toBeGreaterThan(0);
    expect(last.value.metrics!.queueWaitMs).toBeGreaterThanOrEqual(0);
  });

  it('reports a syntax error as an error event with kind SYNTAX and line/column', async () => {
    const r = await execute(d.client, { code: 'let x = 1;\nlet y = ;\n' });
    expect(r.error).toBeUndefined();
    const last = r.events.at(-1)!.event;
    expect(last?.$case).toBe('error');
    if (last?.$case !== 'error') return;
    expect(last.value.failure!.kind).toBe(ErrorKind.ERROR_KIND_SYNTAX);
    expect(last.value.failure!.line).toBe(2);
    expect(last.value.failure!.column).toBeGreaterThan(0);
  });

  it('answers a bad request with INVALID_ARGUMENT and the field in trailers', async () => {
    for (const [req, field] of [
      [{ inputJson: '{nope', code: '1' }, 'input_json'],
      [{ tenant: 'Not Valid', code: '1' }, 'tenant'],
      [
        {
          code: '1',
          limits: {
            memoryMib: 1,
            cpuTimeMs: 0,
            wallTimeMs: 0,
            outputBytes: 0,
            resultBytes: 0,
            consoleLinesPerSecond: 0,
          },
        },
        'limits.memory_mib',
      ],
    ] as const) {
      const r = await execute(d.client, req);
      expect(r.error?.code).toBe(Status.INVALID_ARGUMENT);
      expect(r.trailers?.get('vmd-error-field')).toEqual([field]);
      expect(r.trailers?.get('vmd-error-code')).toEqual(['INVALID_ARGUMENT']);
    }
  });

  it('runs an empty or whitespace-only program like Node runs an empty file: result undefined', async () => {
    for (const sourceType of [SourceType.SOURCE_TYPE_SCRIPT, SourceType.SOURCE_TYPE_MODULE]) {
      for (const code of ['', ' \n\t\n']) {
        const r = await execute(d.client, { code, sourceType });
        expect(r.error).toBeUndefined();
        const end = r.events.at(-1)?.event;
        expect(end?.$case, `${SourceType[sourceType]} ${JSON.stringify(code)}`).toBe('result');
        if (end?.$case !== 'result') continue;
        expect(end.value.value).toMatchObject({ hasJson: false, preview: 'undefined' });
      }
    }
  });

  it('answers code larger than the limit with CODE_TOO_LARGE on field code', async () => {
    const r = await execute(d.client, { code: `// ${'x'.repeat(1024 * 1024 + 10)}\n1` });
    expect(r.error?.code).toBe(Status.INVALID_ARGUMENT);
    expect(r.trailers?.get('vmd-error-code')).toEqual(['CODE_TOO_LARGE']);
    expect(r.trailers?.get('vmd-error-field')).toEqual(['code']);
  });

  it('rejects a message over maxMessageBytes with RESOURCE_EXHAUSTED and keeps serving', async () => {
    const r = await execute(d.client, { code: '1', inputJson: JSON.stringify('y'.repeat(9 * 1024 * 1024)) });
    expect(r.error?.code).toBe(Status.RESOURCE_EXHAUSTED);
    const ok = await execute(d.client, { code: '40 + 2' });
    expect(ok.events.at(-1)?.event?.$case).toBe('result');
  });

  it('runs 200 concurrent executions, each returning its own input', async () => {
    const results = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        execute(d.client, { tenant: `t${i % 4}`, code: 'input.n * 2', inputJson: JSON.stringify({ n: i }) }),
      ),
    );
    results.forEach((r, i) => {
      expect(r.error).toBeUndefined();
      const last = r.events.at(-1)!.event;
      expect(last?.$case).toBe('result');
      if (last?.$case === 'result') expect(JSON.parse(last.value.value!.json)).toBe(i * 2);
    });
  });

  it('turns a gRPC deadline shorter than a busy loop into DEADLINE_EXCEEDED and frees the worker', async () => {
    const started = Date.now();
    const r = await execute(
      d.client,
      {
        code: 'while (true) {}',
        limits: {
          memoryMib: 0,
          cpuTimeMs: 0,
          wallTimeMs: 60_000,
          outputBytes: 0,
          resultBytes: 0,
          consoleLinesPerSecond: 0,
        },
      },
      { deadlineMs: 300 },
    );
    expect(r.error?.code).toBe(Status.DEADLINE_EXCEEDED);
    expect(Date.now() - started).toBeLessThan(5_000);
    // The run was ended: workers are free again.
    const next = await Promise.all([
      execute(d.client, { code: '1' }, { deadlineMs: 5_000 }),
      execute(d.client, { code: '2' }, { deadlineMs: 5_000 }),
    ]);
    for (const n of next) expect(n.events.at(-1)?.event?.$case).toBe('result');
  });

  it('stops the run when the client cancels, so the next run proceeds at once', async () => {
    const ac = new AbortController();
    const pending = execute(
      d.client,
      {
        tenant: 'canceller',
        code: 'while (true) {}',
        limits: {
          memoryMib: 0,
          cpuTimeMs: 60_000,
          wallTimeMs: 60_000,
          outputBytes: 0,
          resultBytes: 0,
          consoleLinesPerSecond: 0,
        },
      },
      { signal: ac.signal, onEvent: (e) => e.event?.$case === 'started' && ac.abort() },
    );
    const r = await pending;
    expect(r.error?.code).toBe(Status.CANCELLED);
    const cancelledAt = Date.now();
    const next = await execute(d.client, { code: '"after"' }, { deadlineMs: 5_000 });
    expect(next.events.at(-1)?.event?.$case).toBe('result');
    // The access line of the cancelled call appears once the worker has ended the run.
    for (let i = 0; i < 40 && !d.logs.some((l) => l.msg === 'rpc' && l['tenant_id'] === 'canceller'); i++)
      await sleep(50);
    const line = d.logs.find((l) => l.msg === 'rpc' && l['tenant_id'] === 'canceller');
    // Written once the worker has ended the run: the run ended as CANCELLED, not by its limits.
    expect(line).toMatchObject({ grpc_code: Status.CANCELLED, rpc_method: 'Execute', outcome: 'CANCELLED' });
    expect(line?.['run_ms']).toBeLessThan(5_000);
    expect(Date.now() - cancelledAt).toBeLessThan(3_000);
  });

  it('answers an RPC the daemon does not know with UNIMPLEMENTED', async () => {
    const client = new Client(d.address, credentials.createInsecure());
    const err = await new Promise<ServiceError>((resolve) =>
      client.makeUnaryRequest(
        '/vmd.v1.MonitorService/NoSuchMethod',
        (x: Buffer) => x,
        (x: Buffer) => x,
        Buffer.alloc(0),
        new Metadata(),
        (e) => resolve(e!),
      ),
    );
    client.close();
    expect(err.code).toBe(Status.UNIMPLEMENTED);
  });

  it('writes one access line per RPC without code, input or output', () => {
    const lines = d.logs.filter((l) => l.msg === 'rpc');
    expect(lines.length).toBeGreaterThan(200);
    for (const l of lines) {
      expect(l).toHaveProperty('rpc_service');
      expect(l).toHaveProperty('rpc_method');
      expect(l).toHaveProperty('grpc_code');
      expect(l).toHaveProperty('duration_ms');
      expect(l).toHaveProperty('peer');
      expect(l, JSON.stringify(l)).toHaveProperty('principal', 'local');
      expect(JSON.stringify(l)).not.toContain('console.log');
    }
    const ok = lines.find((l) => l['rpc_method'] === 'Execute' && l['outcome'] === 'ok');
    expect(ok).toMatchObject({
      tenant_id: expect.any(String),
      queue_wait_ms: expect.any(Number),
      run_ms: expect.any(Number),
      worker_id: expect.any(Number),
    });
  });
});
