import { EventEmitter } from 'node:events';
import type { ClientDuplexStream } from '@grpc/grpc-js';
import { describe, expect, it, vi } from 'vitest';
import { closedClientError } from './connection.js';
import { VmdClientError } from './errors.js';
import type { SessionRequest, SessionResponse } from './gen/vmd/v1/repl.js';
import { CLIENT_CLOSE_GRACE_MS, ReplSessionClient, buildOpenSession } from './repl.js';

/** A stand-in for grpc-js's duplex stream: records writes, no sockets. */
class FakeDuplex extends EventEmitter {
  written: SessionRequest[] = [];
  write(message: SessionRequest): boolean {
    this.written.push(message);
    return true;
  }
  end(): void {
    queueMicrotask(() => this.emit('end'));
  }
  cancelled = 0;
  cancel(): void {
    this.cancelled++;
  }
  respond(response: SessionResponse['response']): void {
    this.emit('data', { response });
  }
  asStream(): ClientDuplexStream<SessionRequest, SessionResponse> {
    return this as unknown as ClientDuplexStream<SessionRequest, SessionResponse>;
  }
}

/** Settles within `ms`, else rejects with 'still pending' (a promise that never settles fails fast). */
const settled = <T>(p: Promise<T>, ms = 200): Promise<T> =>
  Promise.race([p, new Promise<T>((_, reject) => setTimeout(() => reject(new Error('still pending')), ms))]);
const caught = (p: Promise<unknown>): Promise<unknown> =>
  p.then(
    () => 'resolved',
    (e: unknown) => e,
  );

async function openSession(): Promise<{ session: ReplSessionClient; call: FakeDuplex }> {
  const call = new FakeDuplex();
  const session = new ReplSessionClient(call.asStream(), { address: 'h:1' }, undefined);
  const ready = session.open(buildOpenSession({}, 'acme'));
  call.respond({
    $case: 'ready',
    value: { sessionId: 's1', limits: undefined, resumed: false, idleTtlMs: 0 },
  });
  await ready;
  return { session, call };
}

describe('ReplSessionClient on an ended session', () => {
  it.each([
    [
      'closed by close()',
      async (s: ReplSessionClient, c: FakeDuplex) => {
        const closing = s.close();
        c.respond({ $case: 'ended', value: { reason: 'closed', message: 'bye' } });
        await closing;
      },
    ],
    [
      'ended by the daemon',
      (_s: ReplSessionClient, c: FakeDuplex) => {
        c.respond({ $case: 'ended', value: { reason: 'idle_timeout', message: 'idle' } });
        return Promise.resolve();
      },
    ],
  ])(
    'eval, complete and reset reject at once with the same error; interrupt sends nothing (%s)',
    async (_what, end) => {
      const { session, call } = await openSession();
      await end(session, call);
      const writes = call.written.length;
      const errors = await Promise.all([
        caught(settled(session.eval('1'))),
        caught(settled(session.reset())),
        caught(settled(session.complete('Ma'))),
      ]);
      for (const err of errors) {
        expect(err).toBeInstanceOf(VmdClientError);
        expect(err).toMatchObject({ code: 'SESSION_NOT_FOUND' });
        expect((err as Error).message).toBe((errors[0] as Error).message);
      }
      session.interrupt();
      expect(call.written).toHaveLength(writes);
    },
  );

  it('a completion in flight rejects like eval when the session ends', async () => {
    const { session, call } = await openSession();
    const pending = caught(session.complete('Ma'));
    const input = caught(session.eval('1'));
    call.respond({ $case: 'ended', value: { reason: 'max_lifetime', message: 'old' } });
    expect(await pending).toMatchObject({ code: 'SESSION_NOT_FOUND' });
    expect(await input).toMatchObject({ code: 'SESSION_NOT_FOUND' });
  });
});

describe('ReplSessionClient when its client closes', () => {
  it('asks the daemon to close, and cancels the stream if the daemon does not end it in time', async () => {
    const { session, call } = await openSession();
    vi.useFakeTimers();
    try {
      const input = caught(session.eval('1'));
      session.closeWithClient(closedClientError('h:1'));
      expect(await input).toMatchObject({ code: 'CANCELLED' });
      expect(call.written.at(-1)?.request).toEqual({ $case: 'close', value: {} });
      vi.advanceTimersByTime(CLIENT_CLOSE_GRACE_MS - 1);
      expect(call.cancelled).toBe(0);
      vi.advanceTimersByTime(1);
      expect(call.cancelled).toBe(1);
    } finally {
      vi.useRealTimers();
    }
  });

  it('does not cancel a stream the daemon ended', async () => {
    const { session, call } = await openSession();
    vi.useFakeTimers();
    try {
      session.closeWithClient(closedClientError('h:1'));
      call.emit('status', { code: 0 });
      vi.advanceTimersByTime(CLIENT_CLOSE_GRACE_MS);
      expect(call.cancelled).toBe(0);
      expect(await session.ended).toMatchObject({ reason: 'client_closed' });
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('ReplSessionClient validation (INVALID_ARGUMENT, nothing sent, the session lives on)', () => {
  it('eval of a non-string rejects like execute(42)', async () => {
    const { session, call } = await openSession();
    const writes = call.written.length;
    const err = await caught(session.eval(42 as unknown as string));
    expect(err).toBeInstanceOf(VmdClientError);
    expect(err).toMatchObject({ code: 'INVALID_ARGUMENT', field: 'code' });
    expect(call.written).toHaveLength(writes);
    const next = session.eval('1');
    expect(call.written).toHaveLength(writes + 1);
    const sent = call.written.at(-1)?.request;
    const inputId = sent?.$case === 'input' ? sent.value.inputId : '';
    call.respond({
      $case: 'result',
      value: { inputId, value: { json: '1', preview: '1', hasJson: true }, metrics: undefined },
    });
    expect(await settled(next)).toMatchObject({ status: 'ok' });
  });

  it('complete with a cursor out of range', async () => {
    const { session } = await openSession();
    await expect(session.complete('x', -1)).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      field: 'cursor',
    });
  });

  it.each<[Parameters<typeof buildOpenSession>[0], string]>([
    [{ limits: { memoryMib: -5 } }, 'limits.memoryMib'],
    [{ limits: { cpuTimeMs: 1.5 } }, 'limits.cpuTimeMs'],
    [{ limits: { wallTimeMs: 2 ** 32 } }, 'limits.wallTimeMs'],
    [{ limits: { outputBytes: -1 } }, 'limits.outputBytes'],
    [{ idleTtlMs: -1 }, 'idleTtlMs'],
  ])('open options %j are checked on the client', (options, field) => {
    expect(() => buildOpenSession(options, 'acme')).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT', field }) as Error,
    );
  });
});
