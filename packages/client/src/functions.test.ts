import { PassThrough } from 'node:stream';
import { Metadata, status, type CallOptions } from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import { earliestDeadline, type CallScopeOptions } from './call-options.js';
import { VmdClientError } from './errors.js';
import { OutputStream } from './gen/vmd/v1/common.js';
import type {
  DeployFunctionRequest,
  InvokeFunctionRequest,
  InvokeFunctionResponse,
  InvokeFunctionStreamRequest,
  InvokeFunctionStreamResponse,
} from './gen/vmd/v1/function.js';
import { FunctionAdmin, INVOKE_DEADLINE_GRACE_MS } from './functions.js';

const done: InvokeFunctionResponse = {
  version: 1,
  outcome: { $case: 'result', value: { json: '1', preview: '1', hasJson: true } },
  logs: [],
  metrics: undefined,
  warm: true,
};

/** A stand-in for grpc-js's server-streaming call: an object stream with `cancel()`. */
class FakeStream extends PassThrough {
  cancelled = false;
  constructor() {
    super({ objectMode: true });
  }
  cancel(): void {
    if (this.cancelled) return;
    this.cancelled = true;
    const error = Object.assign(new Error('1 CANCELLED: Cancelled on client'), {
      code: status.CANCELLED,
      details: 'Cancelled on client',
      metadata: new Metadata(),
    });
    queueMicrotask(() => this.destroy(error));
  }
  send(event: InvokeFunctionStreamResponse['event']): void {
    this.write({ event });
  }
  log(text: string): void {
    this.send({
      $case: 'output',
      value: { stream: OutputStream.OUTPUT_STREAM_STDOUT, level: 'log', text, time: new Date(0) },
    });
  }
}

interface Sent {
  unary: Array<{ request: unknown; scope: CallScopeOptions; method: string }>;
  streams: Array<{ request: InvokeFunctionStreamRequest; options: Partial<CallOptions> }>;
}

/** A FunctionAdmin whose transport records requests (unary answers `done`; streams are fakes). */
function admin(stream = new FakeStream()): { functions: FunctionAdmin; sent: Sent; stream: FakeStream } {
  const sent: Sent = { unary: [], streams: [] };
  const functions = new FunctionAdmin({
    raw: () => {
      throw new Error('no daemon in unit tests');
    },
    rawFunctions: () =>
      ({
        invokeFunctionStream: (
          request: InvokeFunctionStreamRequest,
          _metadata: Metadata,
          options: Partial<CallOptions>,
        ) => {
          sent.streams.push({ request, options });
          return stream;
        },
      }) as never,
    address: () => 'h:1',
    tenant: () => 'acme',
    unary<Req, Res>(_invoke: unknown, request: Req, scope: CallScopeOptions, method: string): Promise<Res> {
      sent.unary.push({ request, scope, method });
      const res = method.endsWith('DeployFunction')
        ? { function: undefined, version: 1 }
        : method.endsWith('InvokeFunction')
          ? done
          : { function: undefined, functions: [], versions: [], page: undefined };
      return Promise.resolve(res as Res);
    },
  });
  return { functions, sent, stream };
}

/** The deadline the client's unary runner derives from `scope` (epoch ms). */
const effectiveDeadline = (scope: CallScopeOptions): number | undefined =>
  earliestDeadline(scope.deadline, scope.timeoutMs);

const caught = (p: Promise<unknown>): Promise<unknown> =>
  p.then(
    () => 'resolved',
    (e: unknown) => e,
  );

describe('FunctionAdmin deadlines', () => {
  it("deploy: timeoutMs is the function's wall time, never the call's deadline", async () => {
    const { functions, sent } = admin();
    const deadline = Date.now() + 5000;
    await functions.deploy('hello', 'export default () => 1', { timeoutMs: 1, deadline });
    const { request, scope } = sent.unary[0]!;
    expect((request as DeployFunctionRequest).config?.limits?.wallTimeMs).toBe(1);
    expect(scope.timeoutMs).toBeUndefined();
    expect(effectiveDeadline(scope)).toBe(deadline);
  });

  it("deploy: without deadline the call gets the client's default (no deadline in scope)", async () => {
    const { functions, sent } = admin();
    await functions.deploy('hello', 'export default () => 1', { timeoutMs: 1 });
    expect(effectiveDeadline(sent.unary[0]!.scope)).toBeUndefined();
  });

  it('invoke: the call deadline is timeoutMs + grace; an explicit deadline wins, even later', async () => {
    const { functions, sent } = admin();
    const before = Date.now();
    await functions.invoke('hello', null, { timeoutMs: 1000 });
    const derived = effectiveDeadline(sent.unary[0]!.scope)!;
    expect(derived).toBeGreaterThanOrEqual(before + 1000 + INVOKE_DEADLINE_GRACE_MS);
    expect(derived).toBeLessThanOrEqual(Date.now() + 1000 + INVOKE_DEADLINE_GRACE_MS);
    expect((sent.unary[0]!.request as InvokeFunctionRequest).limits?.wallTimeMs).toBe(1000);

    const later = Date.now() + 120_000;
    await functions.invoke('hello', null, { timeoutMs: 1000, deadline: later });
    expect(effectiveDeadline(sent.unary[1]!.scope)).toBe(later);
    const earlier = Date.now() + 100;
    await functions.invoke('hello', null, { timeoutMs: 1000, deadline: earlier });
    expect(effectiveDeadline(sent.unary[2]!.scope)).toBe(earlier);
  });

  it('invoke with onLog: the same rule for the stream', async () => {
    const { functions, sent, stream } = admin();
    const later = Date.now() + 120_000;
    const result = functions.invoke('hello', null, { timeoutMs: 1000, deadline: later, onLog: () => {} });
    stream.send({ $case: 'done', value: done });
    await result;
    expect((sent.streams[0]!.options.deadline as Date).getTime()).toBe(later);
    expect(sent.streams[0]!.request.invocation?.limits?.wallTimeMs).toBe(1000);
  });
});

describe('FunctionAdmin.invoke cancellation', () => {
  it.each([
    ['without onLog', {}],
    ['with onLog', { onLog: () => {} }],
  ])('an already-aborted signal rejects with CANCELLED and sends nothing (%s)', async (_what, extra) => {
    const { functions, sent } = admin();
    const reason = new Error('stop');
    const err = await caught(
      functions.invoke('hello', null, { signal: AbortSignal.abort(reason), ...extra }),
    );
    expect(err).toBeInstanceOf(VmdClientError);
    expect(err).toMatchObject({ code: 'CANCELLED', cause: reason });
    expect(sent.unary).toHaveLength(0);
    expect(sent.streams).toHaveLength(0);
  });

  it('an abort mid-stream cancels the call and rejects with CANCELLED (cause: the reason)', async () => {
    const { functions, stream } = admin();
    const controller = new AbortController();
    const reason = new Error('enough');
    const result = caught(
      functions.invoke('hello', null, { signal: controller.signal, onLog: () => controller.abort(reason) }),
    );
    stream.log('one');
    const err = await result;
    expect(err).toMatchObject({ code: 'CANCELLED', cause: reason });
    expect(stream.cancelled).toBe(true);
  });

  it('an onLog that throws cancels the call and its own exception propagates, unwrapped', async () => {
    const { functions, stream } = admin();
    const bug = new TypeError('handler bug');
    const result = caught(
      functions.invoke('hello', null, {
        onLog: () => {
          throw bug;
        },
      }),
    );
    stream.log('one');
    expect(await result).toBe(bug);
    expect(stream.cancelled).toBe(true);
  });
});

describe('FunctionAdmin validation (INVALID_ARGUMENT, nothing sent)', () => {
  it.each<[string, unknown]>([
    ['a BigInt', 1n],
    ['a function', () => 1],
    ['a symbol', Symbol('x')],
    [
      'a cycle',
      (() => {
        const o: Record<string, unknown> = {};
        o['self'] = o;
        return o;
      })(),
    ],
  ])('invoke refuses an event without a JSON form: %s', async (_what, event) => {
    for (const extra of [{}, { onLog: () => {} }]) {
      const { functions, sent } = admin();
      const err = await caught(functions.invoke('hello', event, extra));
      expect(err).toBeInstanceOf(VmdClientError);
      expect(err).toMatchObject({ code: 'INVALID_ARGUMENT', field: 'event' });
      expect(sent.unary).toHaveLength(0);
      expect(sent.streams).toHaveLength(0);
    }
  });

  it.each<[string, (f: FunctionAdmin) => Promise<unknown>, string]>([
    ['invoke memoryMb -5', (f) => f.invoke('hello', null, { memoryMb: -5 }), 'memoryMb'],
    ['invoke timeoutMs 1.5', (f) => f.invoke('hello', null, { timeoutMs: 1.5 }), 'timeoutMs'],
    ['invoke cpuTimeMs 2^32', (f) => f.invoke('hello', null, { cpuTimeMs: 2 ** 32 }), 'cpuTimeMs'],
    ['invoke version -1', (f) => f.invoke('hello', null, { version: -1 }), 'version'],
    ['deploy memoryMb -1', (f) => f.deploy('hello', 'x', { memoryMb: -1 }), 'memoryMb'],
    ['deploy timeoutMs NaN', (f) => f.deploy('hello', 'x', { timeoutMs: NaN }), 'timeoutMs'],
    ['rollback version -2', (f) => f.rollback('hello', -2), 'version'],
    ['list pageSize -1', (f) => f.list({ pageSize: -1 }), 'pageSize'],
    ['versions pageSize 1.5', (f) => f.versions('hello', { pageSize: 1.5 }), 'pageSize'],
  ])('%s', async (_what, call, field) => {
    const { functions, sent } = admin();
    const err = await caught(call(functions));
    expect(err).toBeInstanceOf(VmdClientError);
    expect(err).toMatchObject({ code: 'INVALID_ARGUMENT', field });
    expect(sent.unary).toHaveLength(0);
  });
});
