import ivm from 'isolated-vm';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../limits/limits.js';
import { RunLimits } from './run-limits.js';

/** RunLimits on a real isolate running a busy loop. */
let isolate: ivm.Isolate | undefined;
afterEach(() => {
  if (isolate !== undefined && !isolate.isDisposed) isolate.dispose();
  isolate = undefined;
});

async function loopUntilStopped(processCpuNs?: () => bigint): Promise<string> {
  isolate = new ivm.Isolate({ memoryLimit: 32 });
  const context = await isolate.createContext();
  const limits = new RunLimits(
    isolate,
    { ...DEFAULT_LIMITS, cpuTimeMs: 50, wallTimeMs: 400 },
    isolate.cpuTime,
    5,
    undefined,
    ...(processCpuNs ? [processCpuNs] : []),
  );
  context.eval('for (;;) {}').catch(() => undefined); // ended by the limit's dispose
  const reason = await limits.stopped;
  limits.clear();
  return reason;
}

describe('RunLimits cpu', () => {
  it('stops a busy loop at its CPU limit', async () => {
    expect(await loopUntilStopped()).toBe('cpu');
  });

  it('does not charge a run the wall time of a call the OS kept off the CPU', async () => {
    // isolated-vm's cpuTime advances with the wall clock while a call runs; a worker process
    // that got no CPU meanwhile (here: a process CPU clock that stands still) shows the run
    // did not use its 50 ms, so only the wall limit ends it.
    expect(await loopUntilStopped(() => 0n)).toBe('wall');
  });
});
