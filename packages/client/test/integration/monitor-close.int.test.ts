import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VmdClient, VmdClientError } from '../../src/index.ts';
import { startDaemon, type RunningDaemon } from './start-daemon.ts';

/** `VmdClient.close()` ends a `monitor.watch()` stream: the real daemon over loopback. */
let daemon: RunningDaemon;
beforeAll(async () => {
  daemon = await startDaemon();
});
afterAll(async () => {
  await daemon.stop();
});

describe('VmdClient.close() with a monitor.watch() open', () => {
  it('ends the iteration with the closed-client error instead of leaving the stream open', async () => {
    const client = new VmdClient({ address: daemon.address });
    const seen: number[] = [];
    const watching = (async () => {
      for await (const snapshot of client.monitor.watch({ intervalMs: 200 })) {
        seen.push(snapshot.daemon.uptimeSeconds);
        if (seen.length === 2) client.close();
      }
      return 'ended quietly';
    })().then(
      (v) => v,
      (e: unknown) => e,
    );
    const outcome = await Promise.race([
      watching,
      new Promise((resolve) => setTimeout(() => resolve('still open'), 5000)),
    ]);
    expect(seen).toHaveLength(2);
    expect(outcome).toBeInstanceOf(VmdClientError);
    expect(outcome).toMatchObject({
      code: 'CANCELLED',
      message: 'CANCELLED: this client was closed; create a new VmdClient',
    });
  });
});
