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

async function loopUntilStopped(processCpuNs?: () => bigint, hostNs = 0n): Promise<string> {
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
  limits.chargeHostNs(hostNs);
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

  it('charges work the host did for the run outside the isolate', async () => {
    // 60 ms of host work (acorn parsing the run's code) is past the 50 ms limit on its own. A
    // process clock racing ahead leaves the isolate's side, plus the host's work, as the lesser.
    let clock = 0n;
    const racing = (): bigint => (clock += 10n ** 12n);
    isolate = new ivm.Isolate({ memoryLimit: 32 });
    const limits = new RunLimits(isolate, DEFAULT_LIMITS, isolate.cpuTime, 1000, undefined, racing);
    const before = limits.cpuChargeNs();
    limits.chargeHostNs(60_000_000n);
    expect(limits.cpuChargeNs() - before).toBeGreaterThanOrEqual(60_000_000n);
    limits.clear();
    expect(await loopUntilStopped(racing, 60_000_000n)).toBe('cpu');
  });
});
