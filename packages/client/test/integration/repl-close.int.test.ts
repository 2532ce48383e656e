import { spawn } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VmdClient, VmdClientError } from '../../src/index.ts';
import { startDaemon, type RunningDaemon } from './start-daemon.ts';

/** `VmdClient.close()` ends the client's open REPL sessions: the real daemon over loopback. */
let daemon: RunningDaemon;
beforeAll(async () => {
  daemon = await startDaemon();
});
afterAll(async () => {
  await daemon.stop();
});

const CLOSED = 'CANCELLED: this client was closed; create a new VmdClient';

/** Settles within `ms`, else rejects with 'still pending'. */
const within = <T>(p: Promise<T>, ms = 3000): Promise<T> =>
  Promise.race([p, new Promise<T>((_, reject) => setTimeout(() => reject(new Error('still pending')), ms))]);
const caught = (p: Promise<unknown>): Promise<unknown> =>
  p.then(
    () => 'resolved',
    (e: unknown) => e,
  );

describe('VmdClient.close() with open REPL sessions', () => {
  it('ends them: pending and later requests reject with the closed-client error, ended says why', async () => {
    const client = new VmdClient({ address: daemon.address });
    const session = await client.repl({ tenant: 'close-a', limits: { wallTimeMs: 60_000 } });
    const idle = await client.repl({ tenant: 'close-a' });
    await session.eval('let kept = 1');
    const running = caught(session.eval('while (true) {}'));
    const queued = caught(session.eval('kept'));
    await new Promise((r) => setTimeout(r, 200));

    client.close();

    for (const err of await within(Promise.all([running, queued]))) {
      expect(err).toBeInstanceOf(VmdClientError);
      expect(err).toMatchObject({ code: 'CANCELLED', message: CLOSED });
    }
    for (const s of [session, idle]) {
      expect(await within(s.ended)).toEqual({ reason: 'client_closed', message: CLOSED });
      expect(await caught(s.eval('1'))).toMatchObject({ code: 'CANCELLED', message: CLOSED });
      await within(s.close());
    }
    // The daemon was asked to close them: their isolates are freed, they cannot be resumed.
    const other = new VmdClient({ address: daemon.address });
    try {
      for (const s of [session, idle]) {
        expect(await caught(other.repl({ tenant: 'close-a', resume: s.id }))).toMatchObject({
          code: 'SESSION_NOT_FOUND',
        });
      }
    } finally {
      other.close();
    }
  });

  it('rejects a repl() that is still opening with the same error', async () => {
    const client = new VmdClient({ address: daemon.address });
    const opening = caught(client.repl({ tenant: 'close-b' }));
    client.close();
    expect(await within(opening)).toMatchObject({ code: 'CANCELLED', message: CLOSED });
  });

  it('lets the process exit while an input was still running', async () => {
    const fixture = path.join(import.meta.dirname, '../fixtures/close-with-open-session.ts');
    const child = spawn(process.execPath, ['--import', 'tsx', fixture, daemon.address], {
      cwd: path.join(import.meta.dirname, '../..'),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const code = await within(exit, 15_000).catch((err: unknown) => {
      child.kill('SIGKILL');
      throw new Error(`the process did not exit after close() (${String(err)}); stdout: ${stdout}`);
    });
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(JSON.parse(stdout)).toEqual({ settled: 'rejected', code: 'CANCELLED' });
  });
});
