/**
 * Charges runs for the CPU the host's own thread spends on them.
 *
 * `isolate.cpuTime` counts only the time tenant code holds its isolate. Every call into the
 * isolate also costs the host's thread: isolated-vm captures a stack trace, copies the answer
 * out, resolves a promise, and the thread wakes from its sleep for each timer turn. A run whose
 * `setInterval(f, 0)` fired 3,000 times used ~700 ms of the worker's CPU, ~450 ms of it on the
 * host's thread, and its isolates' clock showed ~180 ms. The run was charged that.
 *
 * The ledger reads this thread's CPU clock (`process.threadCpuUsage`) whenever a run starts or
 * ends and whenever a run's charge is read (the limits' poll, every few ms), and splits the CPU
 * used since the last reading among the runs open at the time, in proportion to the host events
 * (isolate calls, console batches) each made in that span. A span in which no run made one
 * (the host's own timers and GC, a run busy inside its isolate) is charged to nobody: a run that
 * only computes is charged its isolate's clock, whatever else the worker does. CPU the host spends
 * on no run in particular (making and disposing pooled isolates, synchronous calls whose time
 * the isolate's clock already counts) is measured with {@link exclude} and goes to nobody; CPU
 * spent on one run alone (parsing its code with acorn) is measured with {@link charge} and goes
 * to that run. While no run is open, the thread's CPU goes to nobody.
 *
 * One ledger per process: the host's thread is shared by every engine in it.
 */

/** One run's account: what it was charged, and its host events since the last split. */
export interface HostCpuAccount {
  /** Host-thread CPU charged to the run so far, ns (read through {@link HostCpuLedger.chargedNs}). */
  chargedNs: bigint;
  /** Host events since the last split: the weight of this run's share of it. */
  events: number;
}

export class HostCpuLedger {
  private readonly open = new Set<HostCpuAccount>();
  private lastNs: bigint;
  /** CPU measured by {@link exclude} or {@link charge} since the last split: nobody's to share. */
  private setAsideNs = 0n;

  constructor(private readonly threadCpuNs: () => bigint = threadCpuNow) {
    this.lastNs = threadCpuNs();
  }

  /** Opens an account for a run that starts now: it shares nothing of the CPU used before. */
  openAccount(): HostCpuAccount {
    this.split();
    const account: HostCpuAccount = { chargedNs: 0n, events: 0 };
    this.open.add(account);
    return account;
  }

  /** Closes a run's account, with its share of the CPU used up to now. Idempotent. */
  closeAccount(account: HostCpuAccount): void {
    if (!this.open.has(account)) return;
    this.split();
    this.open.delete(account);
  }

  /** The account's charge so far, its share of the CPU used until now included, ns. */
  chargedNs(account: HostCpuAccount): bigint {
    if (this.open.has(account)) this.split();
    return account.chargedNs;
  }

  /** Runs `work`, which serves no run in particular: its CPU is charged to nobody. */
  exclude<T>(work: () => T): T {
    const start = this.threadCpuNs();
    try {
      return work();
    } finally {
      this.setAsideNs += this.threadCpuNs() - start;
    }
  }

  /** Runs `work` for one run alone: its CPU goes to that account only. */
  charge<T>(account: HostCpuAccount, work: () => T): T {
    const start = this.threadCpuNs();
    try {
      return work();
    } finally {
      const used = this.threadCpuNs() - start;
      this.setAsideNs += used;
      account.chargedNs += used;
    }
  }

  /** Runs with an open account (for tests and diagnostics). */
  get openAccounts(): number {
    return this.open.size;
  }

  /** Shares the CPU used since the last split among the open accounts. */
  private split(): void {
    const now = this.threadCpuNs();
    const used = now - this.lastNs - this.setAsideNs;
    this.lastNs = now;
    this.setAsideNs = 0n;
    if (this.open.size === 0) return;
    let events = 0;
    for (const a of this.open) events += a.events;
    if (used > 0n && events > 0) {
      const total = BigInt(events);
      for (const a of this.open) a.chargedNs += (used * BigInt(a.events)) / total;
    }
    for (const a of this.open) a.events = 0;
  }
}

/** CPU used by the calling thread so far, ns. */
function threadCpuNow(): bigint {
  const { user, system } = process.threadCpuUsage();
  return BigInt(user + system) * 1000n;
}

/** The ledger of this process's main thread, where every engine of the process drives its runs. */
export const hostCpuLedger = new HostCpuLedger();
