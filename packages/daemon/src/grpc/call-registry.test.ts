import { ErrorCode, UnavailableError } from '@vmd/core';
import { describe, expect, it } from 'vitest';
import { CallRegistry, type RegisteredCall } from './call-registry.js';

const shuttingDown = new UnavailableError(ErrorCode.SHUTTING_DOWN, 'vmd is shutting down');

/** A call that leaves the registry when terminated, like the adapters' calls do. */
function call(registry: CallRegistry, endless = false): RegisteredCall & { ended: unknown[] } {
  const c = {
    endless,
    ended: [] as unknown[],
    terminate(error: unknown) {
      c.ended.push(error);
      registry.delete(c);
    },
  };
  registry.add(c);
  return c;
}

describe('CallRegistry', () => {
  it('is idle at once with no call, and once the last call the drain waits for ends', async () => {
    const r = new CallRegistry();
    expect(await r.whenIdle(10_000)).toBe(true);
    const a = call(r);
    const b = call(r);
    call(r, true); // endless: not waited for
    expect(r.pending).toBe(2);
    const idle = r.whenIdle(10_000);
    r.delete(a);
    r.delete(b);
    expect(await idle).toBe(true);
  });

  it('whenIdle answers false when the time runs out first', async () => {
    const r = new CallRegistry();
    call(r);
    expect(await r.whenIdle(5)).toBe(false);
  });

  it('endEndless ends the endless streams, and later ones as they arrive; the others run on', async () => {
    const r = new CallRegistry();
    const work = call(r);
    const watch = call(r, true);
    r.endEndless(shuttingDown);
    expect(watch.ended).toEqual([shuttingDown]);
    expect(work.ended).toEqual([]);
    const late = call(r, true);
    await Promise.resolve();
    expect(late.ended).toEqual([shuttingDown]);
    expect(r.pending).toBe(1);
  });

  it('terminateAll ends every call with the error', () => {
    const r = new CallRegistry();
    const calls = [call(r), call(r), call(r, true)];
    expect(r.terminateAll(shuttingDown)).toBe(3);
    for (const c of calls) expect(c.ended).toEqual([shuttingDown]);
    expect(r.pending).toBe(0);
  });
});
