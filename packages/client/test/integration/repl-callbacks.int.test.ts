import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VmdClient, VmdClientError, type ExecutionOutputEvent } from '../../src/index.ts';
import { startDaemon, type RunningDaemon } from './start-daemon.ts';

/**
 * What a REPL session does when one of its output callbacks throws: the real daemon over
 * loopback. vitest fails the file on any uncaught exception or unhandled rejection.
 */
let daemon: RunningDaemon;
let client: VmdClient;
beforeAll(async () => {
  daemon = await startDaemon();
  client = new VmdClient({ address: daemon.address });
});
afterAll(async () => {
  client.close();
  await daemon.stop();
});

/** Settles within `ms`, else rejects with 'still pending'. */
const within = <T>(p: Promise<T>, ms = 5000): Promise<T> =>
  Promise.race([p, new Promise<T>((_, reject) => setTimeout(() => reject(new Error('still pending')), ms))]);
const caught = (p: Promise<unknown>): Promise<unknown> =>
  p.then(
    () => 'resolved',
    (e: unknown) => e,
  );

describe('a REPL output callback that throws', () => {
  it("eval's onOutput: eval rejects with that exception; the session keeps its state and goes on", async () => {
    const background: ExecutionOutputEvent[] = [];
    const session = await client.repl({ tenant: 'callbacks', onBackgroundOutput: (e) => background.push(e) });
    await session.eval('let n = 1');
    const thrown = new Error('the consumer went away');
    const seen: string[] = [];
    const err = await within(
      caught(
        session.eval(
          'console.log("first"); await new Promise((r) => setTimeout(r, 100)); console.log("second"); n = 2; n',
          {
            onOutput: (event) => {
              seen.push(event.text);
              throw thrown;
            },
          },
        ),
      ),
    );
    expect(err).toBe(thrown);
    const after = await within(session.eval('n'));
    expect(after).toMatchObject({ status: 'ok', value: { value: 2 } });
    expect(seen).toEqual(['first']);
    expect(background).toEqual([]);
    await session.close();
  });

  it('onBackgroundOutput: the session is closed; requests reject with CANCELLED, cause the exception', async () => {
    const thrown = new Error('no one listens');
    const session = await client.repl({
      tenant: 'callbacks',
      onBackgroundOutput: () => {
        throw thrown;
      },
    });
    await session.eval('setTimeout(() => console.log("later"), 20); 1');
    const ended = await within(session.ended);
    expect(ended.reason).toBe('callback_error');
    expect(ended.message).toMatch(/onBackgroundOutput threw \(no one listens\)/);
    const err = await caught(session.eval('1'));
    expect(err).toBeInstanceOf(VmdClientError);
    expect(err).toMatchObject({ code: 'CANCELLED', cause: thrown });
    expect(await caught(client.repl({ tenant: 'callbacks', resume: session.id }))).toMatchObject({
      code: 'SESSION_NOT_FOUND',
    });
  });
});
