/**
 * Host-side enforcement of one run's limits. Each stop reason disposes the isolate, which is the
 * only thing that reliably ends every kind of runaway work (DESIGN hazards: `timeout` is not a
 * wall clock under some callbacks, thrown objects with looping getters and FinalizationRegistry
 * callbacks outlive a call). The first reason recorded wins and decides the failure kind.
 *
 * - wall time: a host timer at `wallTimeMs`, plus the `timeout` option of the few synchronous
 *   calls and module evaluations (never of the driver calls a run makes by the thousand: see
 *   callDriverRaw in engine.ts);
 * - cpu time: `isolate.cpuTime` polled every `cpuPollIntervalMs` (it advances while code runs);
 * - memory: isolated-vm's `memoryLimit` (it disposes the isolate itself; classified from its
 *   message) — the worker's RSS ceiling is the supervisor's job;
 * - output: the in-isolate console reports its limit through the bridge; the host also counts;
 * - cancel: the caller's AbortSignal, or the engine shutting down.
 */
import type ivm from 'isolated-vm';
import type { Limits } from '../limits/limits.js';
import { hostCpuLedger, type HostCpuAccount, type HostCpuLedger } from './host-cpu-ledger.js';

/**
 * How long a call may take to end after `dispose()` before the isolate counts as unresponsive
 * (then: out of memory, stuck in V8's last-resort GC). A busy loop normally ends within a few ms,
 * but on a heavily loaded machine (load 10+ on 2 cores) the soak test saw about 1% of them take
 * longer than 200 ms, and be reported as MEMORY_LIMIT; a second is far from both.
 */
const UNRESPONSIVE_AFTER_MS = 1000;

/** Why the host stopped a run. */
export type StopReason = 'wall' | 'cpu' | 'output-bytes' | 'output-rate' | 'cancelled' | 'engine-disposed';

/** Thrown by {@link RunLimits.check} once the run was stopped. */
export class RunStoppedSignal extends Error {
  /**
   * @param unresponsive the isolate call had not ended a short while after `dispose()`: V8 was
   * not running interruptible JavaScript (in practice: stuck in last-resort GC, out of memory).
   */
  constructor(
    readonly reason: StopReason,
    readonly unresponsive = false,
  ) {
    super(`run stopped: ${reason}`);
    this.name = 'RunStoppedSignal';
  }
}

export class RunLimits {
  /** Set once, by the first limit that fires. */
  reason: StopReason | null = null;
  /** Largest heap seen by the poll, bytes. */
  heapPeakBytes = 0;
  /**
   * A heap read queued on the isolate's thread right behind the run's latest driver call (see
   * Engine.driverCalls), so reading the heap at the end of a run costs no extra round trip.
   */
  heapAfterLastCall: Promise<ivm.HeapStatistics> | undefined;
  /** Last cpu time read, ns (usable after the isolate is gone). */
  lastCpuNs: bigint;

  private readonly startMs = performance.now();
  private readonly wallTimer: NodeJS.Timeout;
  private readonly poll: NodeJS.Timeout;
  private readonly onAbort: () => void;
  private heapInFlight = false;
  private wakeups = new Set<() => void>();
  /** The isolate calls {@link guard} is waiting for: each is told when a limit fires. */
  private readonly pendingGuards = new Set<(reason: StopReason) => Promise<void>>();
  private resolveStopped!: (reason: StopReason) => void;
  /** Resolves with the reason once a limit fires. */
  readonly stopped: Promise<StopReason> = new Promise((resolve) => {
    this.resolveStopped = resolve;
  });

  /** The worker process's CPU when the run started, ns (see {@link cpuChargeNs}). */
  private readonly processCpuBaseNs: bigint;
  /** The run's share of the host thread's CPU (see HostCpuLedger). */
  private readonly account: HostCpuAccount;

  constructor(
    private readonly isolate: ivm.Isolate,
    private readonly limits: Limits,
    private readonly cpuBaseNs: bigint,
    pollIntervalMs: number,
    private readonly signal: AbortSignal | undefined,
    private readonly processCpuNs: () => bigint = processCpuNow,
    private readonly ledger: HostCpuLedger = hostCpuLedger,
  ) {
    this.lastCpuNs = cpuBaseNs;
    this.processCpuBaseNs = processCpuNs();
    this.account = ledger.openAccount();
    this.wallTimer = setTimeout(() => this.stop('wall'), limits.wallTimeMs);
    this.poll = setInterval(() => this.sample(), pollIntervalMs);
    this.onAbort = () => this.stop('cancelled');
    signal?.addEventListener('abort', this.onAbort, { once: true });
  }

  /**
   * Stops the run if its wall time is over. The wall timer cannot fire while the host's thread
   * works through a backlog of console batches (a tight console.log loop produces them faster
   * than they are delivered), so each batch checks the deadline itself.
   */
  checkWallDeadline(): void {
    if (this.reason === null && performance.now() - this.startMs >= this.limits.wallTimeMs) this.stop('wall');
  }

  /** Milliseconds of wall time left (at least 1: isolated-vm treats 0 as "no timeout"). */
  remainingMs(): number {
    return Math.max(1, Math.ceil(this.limits.wallTimeMs - (performance.now() - this.startMs)));
  }

  /** CPU time used by this run so far, ns. */
  cpuUsedNs(): bigint {
    try {
      if (!this.isolate.isDisposed) this.lastCpuNs = this.isolate.cpuTime;
    } catch {
      // disposed concurrently: keep the last value
    }
    return this.lastCpuNs - this.cpuBaseNs;
  }

  /**
   * The CPU a run is charged, ns: the lesser of two measures of it.
   *
   * - The run's own: its isolate's clock plus its share of the host thread's CPU (HostCpuLedger:
   *   the calls into the isolate, the timer turns, acorn parsing its code). Without the host's
   *   share a run whose timers fire by the thousand was charged a quarter of what it cost.
   *   isolated-vm's `cpuTime` advances with the wall clock while the isolate runs (a 300 ms busy
   *   loop under six busy processes: 301 ms, while the whole worker used 88-100 ms of CPU), so on
   *   a machine with more runnable threads than cores this side overcharges.
   * - The worker process's CPU since the run started, which includes the run's own and
   *   overcharges only by what other runs of the worker used meanwhile.
   */
  cpuChargeNs(): bigint {
    const ownNs = this.cpuUsedNs() + this.ledger.chargedNs(this.account);
    const processNs = this.processCpuNs() - this.processCpuBaseNs;
    return processNs < ownNs ? processNs : ownNs;
  }

  /**
   * Adds `ns` of work the host did for this run alone to its own side of {@link cpuChargeNs}
   * (what {@link onHost} measures; for tests).
   */
  chargeHostNs(ns: bigint): void {
    if (ns > 0n) this.account.chargedNs += ns;
  }

  /** One host event of this run (an isolate call, a console batch): its weight in the host's CPU. */
  noteHostEvent(): void {
    this.account.events++;
  }

  /** Runs `work` on the host's thread for this run alone (acorn parsing its code), charging its CPU. */
  onHost<T>(work: () => T): T {
    return this.ledger.charge(this.account, work);
  }

  /** Runs `work`, which the run's isolate clock already counts (a synchronous isolate call). */
  offLedger<T>(work: () => T): T {
    return this.ledger.exclude(work);
  }

  /** Records `reason` (if none yet) and disposes the isolate, ending whatever runs in it. */
  stop(reason: StopReason): void {
    if (this.reason !== null) return;
    this.reason = reason;
    this.cpuUsedNs();
    try {
      if (!this.isolate.isDisposed) this.ledger.exclude(() => this.isolate.dispose());
    } catch {
      // already disposed by isolated-vm (memory limit): nothing left to stop
    }
    for (const wake of this.wakeups) wake();
    this.wakeups.clear();
    for (const onStop of this.pendingGuards) void onStop(reason);
    this.pendingGuards.clear();
    this.resolveStopped(reason);
  }

  /**
   * Races an isolated-vm call against the limits: once a limit fires, the run answers at once
   * even if the call never settles (seen with thrown objects whose getters loop during
   * isolated-vm's conversion, and with V8 stuck in last-resort GC — `dispose()` ends neither).
   * `onStuck` is called if the call is still unsettled `graceMs` after the stop.
   */
  guard<T>(call: Promise<T>, graceMs: number, onStuck: () => void): Promise<T> {
    if (this.reason !== null) {
      call.catch(() => undefined);
      return Promise.reject(new RunStoppedSignal(this.reason));
    }
    return new Promise<T>((resolve, reject) => {
      let settled = false;
      let onSettled = (): void => undefined;
      // Kept only while the call is pending: a run that makes a hundred thousand calls (a timer
      // loop) must not keep a hundred thousand waiters until it ends.
      const onStop = async (reason: StopReason): Promise<void> => {
        // A disposed isolate normally ends its call at once; wait briefly to tell that apart
        // from an isolate that no longer responds.
        if (!settled) {
          await new Promise<void>((wake) => {
            const t = setTimeout(wake, UNRESPONSIVE_AFTER_MS);
            onSettled = () => {
              clearTimeout(t);
              wake();
            };
          });
        }
        if (!settled) {
          setTimeout(() => {
            if (!settled) onStuck();
          }, graceMs).unref();
        }
        reject(new RunStoppedSignal(reason, !settled));
      };
      this.pendingGuards.add(onStop);
      const done = (): void => {
        settled = true;
        this.pendingGuards.delete(onStop);
        onSettled();
      };
      call.then(
        (value) => {
          done();
          resolve(value);
        },
        (err: unknown) => {
          done();
          // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- the call's own rejection, passed on unchanged
          reject(err);
        },
      );
    });
  }

  /** Throws {@link RunStoppedSignal} if a limit has fired. */
  check(): void {
    if (this.reason !== null) throw new RunStoppedSignal(this.reason);
  }

  /** Waits `ms` (for the next tenant timer), returning early if the run is stopped. */
  sleep(ms: number): Promise<void> {
    if (this.reason !== null) return Promise.resolve();
    return new Promise((resolve) => {
      const wake = (): void => {
        clearTimeout(timer);
        this.wakeups.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.wakeups.add(wake);
    });
  }

  /** Stops the timers and the abort listener, and closes the run's host CPU account. */
  clear(): void {
    this.ledger.closeAccount(this.account);
    clearTimeout(this.wallTimer);
    clearInterval(this.poll);
    this.signal?.removeEventListener('abort', this.onAbort);
    for (const wake of this.wakeups) wake();
  }

  private sample(): void {
    if (this.reason !== null || this.isolate.isDisposed) return;
    if (this.cpuChargeNs() > BigInt(this.limits.cpuTimeMs) * 1_000_000n) {
      this.stop('cpu');
      return;
    }
    if (!this.heapInFlight) {
      this.heapInFlight = true;
      this.isolate.getHeapStatistics().then(
        (h) => {
          this.heapInFlight = false;
          this.heapPeakBytes = Math.max(this.heapPeakBytes, h.used_heap_size + h.externally_allocated_size);
        },
        () => {
          this.heapInFlight = false;
        },
      );
    }
  }
}

/** CPU used by this process so far (every thread), ns. */
function processCpuNow(): bigint {
  const { user, system } = process.cpuUsage();
  return BigInt(user + system) * 1000n;
}
