import ivm from 'isolated-vm';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../limits/limits.js';
import { RunLimits, RunStoppedSignal } from './run-limits.js';

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

describe('RunLimits wall deadline', () => {
  it('stops the run when asked past its deadline, while the host thread is too busy for the timer', () => {
    // A backlog of console batches keeps the host's thread from running timers; each batch
    // checks the deadline instead (engine sinkFor).
    isolate = new ivm.Isolate({ memoryLimit: 32 });
    const limits = new RunLimits(
      isolate,
      { ...DEFAULT_LIMITS, wallTimeMs: 30 },
      isolate.cpuTime,
      1000,
      undefined,
    );
    limits.checkWallDeadline();
    expect(limits.reason).toBeNull();
    const until = performance.now() + 50;
    while (performance.now() < until) {
      // the thread is busy: the 30 ms timer cannot fire
    }
    limits.checkWallDeadline();
    expect(limits.reason).toBe('wall');
    expect(isolate.isDisposed).toBe(true);
    limits.clear();
  });
});

describe('RunLimits guard', () => {
  it('keeps nothing for a guarded call once it has settled', async () => {
    // A run whose timer loop makes 100,000 isolate calls once kept a waiter per call until it
    // ended: the worker's heap grew ~30 MB a second, and the process crashed at the wall limit.
    // vitest.config.base.ts runs the tests with --expose-gc.
    const gc = (globalThis as { gc?: () => void }).gc;
    if (gc === undefined) throw new Error('run with node --expose-gc (vitest.config.base.ts does)');
    isolate = new ivm.Isolate({ memoryLimit: 32 });
    const limits = new RunLimits(isolate, DEFAULT_LIMITS, isolate.cpuTime, 1000, undefined);
    gc();
    const before = process.memoryUsage().heapUsed;
    for (let i = 0; i < 200_000; i++) await limits.guard(Promise.resolve(i), 1000, () => undefined);
    gc();
    const grown = process.memoryUsage().heapUsed - before;
    limits.clear();
    expect(grown).toBeLessThan(10 * 2 ** 20);
  });

  it('still ends a pending call when a limit fires', async () => {
    isolate = new ivm.Isolate({ memoryLimit: 32 });
    const limits = new RunLimits(isolate, DEFAULT_LIMITS, isolate.cpuTime, 1000, undefined);
    const never = new Promise<never>(() => undefined);
    const guarded = limits.guard(never, 10_000, () => undefined);
    limits.stop('cancelled');
    await expect(guarded).rejects.toBeInstanceOf(RunStoppedSignal);
    await expect(limits.guard(Promise.resolve(1), 1000, () => undefined)).rejects.toMatchObject({
      reason: 'cancelled',
    });
    limits.clear();
  });
});
