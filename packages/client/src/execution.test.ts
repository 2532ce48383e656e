import { EventEmitter } from 'node:events';
import { Metadata, status, type ClientReadableStream } from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import { VmdClientError } from './errors.js';
import { Execution, buildExecuteRequest } from './execution.js';
import type { ExecutionEvent } from './execution-types.js';
import { ErrorKind, OutputStream, SourceType } from './gen/vmd/v1/common.js';
import type { ExecuteResponse } from './gen/vmd/v1/execution.js';

/** A stand-in for grpc-js's ClientReadableStream: no sockets. */
class FakeCall extends EventEmitter {
  cancelled = false;
  paused = false;
  cancel(): void {
    if (this.cancelled) return;
    this.cancelled = true;
    queueMicrotask(() => this.fail(status.CANCELLED, 'Cancelled on client'));
  }
  pause(): this {
    this.paused = true;
    return this;
  }
  resume(): this {
    this.paused = false;
    return this;
  }
  send(event: ExecuteResponse['event']): void {
    this.emit('data', { event });
  }
  end(): void {
    this.emit('end');
  }
  fail(code: status, details: string, trailers: Record<string, string> = {}): void {
    const metadata = new Metadata();
    for (const [key, value] of Object.entries(trailers)) metadata.set(key, value);
    this.emit('error', Object.assign(new Error(details), { code, details, metadata }));
  }
  asStream(): ClientReadableStream<ExecuteResponse> {
    return this as unknown as ClientReadableStream<ExecuteResponse>;
  }
}

const metrics = {
  cpuTimeMs: 1.25,
  wallTimeMs: 2.5,
  queueWaitMs: 0.5,
  heapUsedBytes: 1024,
  heapPeakBytes: 2048,
  outputBytes: 6,
  workerId: 3,
};
const time = new Date('2026-01-02T03:04:05.678Z');
const out = (text: string, stream = OutputStream.OUTPUT_STREAM_STDOUT): ExecuteResponse['event'] => ({
  $case: 'output',
  value: { stream, level: stream === OutputStream.OUTPUT_STREAM_STDERR ? 'error' : 'log', text, time },
});
const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

async function collect(execution: Execution): Promise<ExecutionEvent[]> {
  const events: ExecutionEvent[] = [];
  for await (const event of execution) events.push(event);
  return events;
}

describe('Execution', () => {
  it('streams output events in order, then resolves the outcome with the parsed value', async () => {
    const call = new FakeCall();
    const execution = new Execution(call.asStream(), { address: 'h:1' });
    const events = collect(execution);
    call.send({ $case: 'started', value: { executionId: 'ex-1', queueWaitMs: 0.5 } });
    call.send(out('hello'));
    call.send(out('careful', OutputStream.OUTPUT_STREAM_STDERR));
    call.send({
      $case: 'result',
      value: { value: { json: '{"n":42}', preview: '{ n: 42 }', hasJson: true }, metrics },
    });
    call.end();
    expect(await events).toEqual([
      { type: 'output', stream: 'stdout', level: 'log', text: 'hello', time },
      { type: 'output', stream: 'stderr', level: 'error', text: 'careful', time },
    ]);
    expect(await execution.outcome).toEqual({
      ok: true,
      value: { json: '{"n":42}', preview: '{ n: 42 }', hasJson: true, value: { n: 42 } },
      metrics,
      executionId: 'ex-1',
    });
    expect(execution.id).toBe('ex-1');
    expect(call.cancelled).toBe(false);
  });

  it('a tenant-code failure is a value, and the iteration ends normally', async () => {
    const call = new FakeCall();
    const execution = new Execution(call.asStream());
    call.send({
      $case: 'error',
      value: {
        failure: {
          kind: ErrorKind.ERROR_KIND_SYNTAX,
          name: 'SyntaxError',
          message: 'Unexpected token',
          stack: '',
          line: 3,
          column: 5,
        },
        metrics,
      },
    });
    call.end();
    expect(await collect(execution)).toEqual([]);
    expect(await execution.outcome).toMatchObject({
      ok: false,
      failure: {
        kind: 'SYNTAX',
        name: 'SyntaxError',
        message: 'Unexpected token',
        stack: '',
        line: 3,
        column: 5,
      },
    });
  });

  it('maps zero line/column to undefined and unknown kinds to UNKNOWN', async () => {
    const call = new FakeCall();
    const execution = new Execution(call.asStream());
    call.send({
      $case: 'error',
      value: {
        failure: { kind: 99 as ErrorKind, name: 'X', message: 'm', stack: '', line: 0, column: 0 },
        metrics: undefined,
      },
    });
    call.end();
    const outcome = await execution.outcome;
    expect(outcome.ok).toBe(false);
    if (!outcome.ok) {
      expect(outcome.failure).toMatchObject({ kind: 'UNKNOWN', line: undefined, column: undefined });
      expect(outcome.metrics.cpuTimeMs).toBe(0);
    }
  });

  it('a value without a JSON form has value undefined', async () => {
    const call = new FakeCall();
    const execution = new Execution(call.asStream());
    call.send({
      $case: 'result',
      value: { value: { json: '', preview: 'undefined', hasJson: false }, metrics },
    });
    call.end();
    const outcome = await execution.outcome;
    expect(outcome.ok && outcome.value).toEqual({
      json: '',
      preview: 'undefined',
      hasJson: false,
      value: undefined,
    });
  });

  it('a platform failure rejects the outcome and throws from the loop after the earlier output', async () => {
    const call = new FakeCall();
    const execution = new Execution(call.asStream(), { address: 'h:1' });
    const seen: string[] = [];
    const loop = (async () => {
      for await (const event of execution) seen.push(event.text);
    })();
    call.send(out('before'));
    await tick();
    call.fail(status.UNAVAILABLE, 'worker 2 died', {
      'vmd-error-code': 'WORKER_CRASHED',
      'vmd-trace-id': 't1',
    });
    await expect(loop).rejects.toMatchObject({ code: 'WORKER_CRASHED', traceId: 't1' });
    await expect(execution.outcome).rejects.toBeInstanceOf(VmdClientError);
    expect(seen).toEqual(['before']);
  });

  it('an unobserved rejected outcome is not an unhandled rejection', async () => {
    const call = new FakeCall();
    const execution = new Execution(call.asStream());
    const loop = collect(execution);
    call.fail(status.RESOURCE_EXHAUSTED, 'full', { 'vmd-error-code': 'QUEUE_FULL' });
    await expect(loop).rejects.toMatchObject({ code: 'QUEUE_FULL' });
    await tick(); // vitest fails the run on unhandled rejections
  });

  it('an aborted signal cancels the call; the outcome rejects CANCELLED with the reason as cause', async () => {
    const call = new FakeCall();
    const controller = new AbortController();
    const execution = new Execution(call.asStream(), { signal: controller.signal });
    call.send(out('working'));
    await tick();
    const reason = new Error('user pressed Ctrl-C');
    controller.abort(reason);
    expect(call.cancelled).toBe(true);
    const error = await execution.outcome.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VmdClientError);
    expect(error).toMatchObject({ code: 'CANCELLED', cause: reason });
  });

  it('leaving the loop early cancels the execution', async () => {
    const call = new FakeCall();
    const execution = new Execution(call.asStream());
    call.send(out('one'));
    call.send(out('two'));
    for await (const event of execution) {
      expect(event.text).toBe('one');
      break;
    }
    expect(call.cancelled).toBe(true);
    await expect(execution.outcome).rejects.toMatchObject({ code: 'CANCELLED' });
  });

  it('cancel() after the end changes nothing', async () => {
    const call = new FakeCall();
    const execution = new Execution(call.asStream());
    call.send({ $case: 'result', value: { value: { json: '1', preview: '1', hasJson: true }, metrics } });
    call.end();
    await execution.outcome;
    execution.cancel();
    expect(call.cancelled).toBe(false);
  });

  it('a stream that ends without a terminal event is an INTERNAL error', async () => {
    const call = new FakeCall();
    const execution = new Execution(call.asStream());
    call.send(out('x'));
    call.end();
    await expect(execution.outcome).rejects.toMatchObject({ code: 'INTERNAL' });
  });

  it('an error given instead of a call fails at once', async () => {
    const execution = new Execution(VmdClientError.invalidArgument('timeoutMs', 'bad'));
    await expect(execution.outcome).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', field: 'timeoutMs' });
    await expect(collect(execution)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });

  it('pauses the gRPC stream while too many messages wait', async () => {
    const call = new FakeCall();
    const execution = new Execution(call.asStream());
    for (let i = 0; i < 200; i += 1) call.send(out(String(i)));
    expect(call.paused).toBe(true);
    call.send({ $case: 'result', value: { value: { json: '1', preview: '1', hasJson: true }, metrics } });
    call.end();
    const events = await collect(execution);
    expect(events).toHaveLength(200);
    expect(call.paused).toBe(false);
    expect((await execution.outcome).ok).toBe(true);
  });
});

const circular: Record<string, unknown> = {};
circular.self = circular;

describe('buildExecuteRequest', () => {
  it('maps options to the wire request', () => {
    expect(
      buildExecuteRequest(
        'input.a + 1',
        {
          input: { a: 1 },
          sourceType: 'module',
          timeoutMs: 500,
          memoryMib: 32,
          cpuTimeMs: 100,
          outputBytes: 4096,
          filename: 'x.mjs',
        },
        'acme',
      ),
    ).toEqual({
      tenant: 'acme',
      code: 'input.a + 1',
      sourceType: SourceType.SOURCE_TYPE_MODULE,
      inputJson: '{"a":1}',
      limits: {
        memoryMib: 32,
        cpuTimeMs: 100,
        wallTimeMs: 500,
        outputBytes: 4096,
        resultBytes: 0,
        consoleLinesPerSecond: 0,
      },
      filename: 'x.mjs',
    });
  });

  it('takes memoryMb as the same limit as memoryMib', () => {
    expect(buildExecuteRequest('1', { memoryMb: 48 }, undefined).limits?.memoryMib).toBe(48);
  });

  it('defaults: script, no input, limits from the quota, tenant from the call over the client', () => {
    const request = buildExecuteRequest('1', { tenant: 'beta', inputJson: '[1]' }, 'acme');
    expect(request).toMatchObject({
      tenant: 'beta',
      sourceType: SourceType.SOURCE_TYPE_SCRIPT,
      inputJson: '[1]',
      filename: '',
    });
    expect(request.limits).toMatchObject({ wallTimeMs: 0, memoryMib: 0 });
    expect(buildExecuteRequest('1', {}, undefined).tenant).toBe('');
  });

  it.each([
    [{ timeoutMs: 0 }, 'timeoutMs'],
    [{ memoryMib: 1.5 }, 'memoryMib'],
    [{ memoryMb: 0.5 }, 'memoryMb'],
    [{ memoryMb: 32, memoryMib: 32 }, 'memoryMb'],
    [{ cpuTimeMs: -1 }, 'cpuTimeMs'],
    [{ timeoutMs: 2 ** 32 }, 'timeoutMs'],
    [{ input: () => 1 }, 'input'],
    [{ input: circular }, 'input'],
    [{ input: 1, inputJson: '1' }, 'input'],
    [{ sourceType: 'commonjs' as 'script' }, 'sourceType'],
  ])('rejects %j (field %s)', (options, field) => {
    expect(() => buildExecuteRequest('1', options, undefined)).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT', field }) as Error,
    );
  });
});
