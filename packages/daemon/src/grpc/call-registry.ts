/**
 * The RPCs in flight, for the shutdown drain: it waits for them to finish, ends the endless
 * streams (WatchStats) as soon as it starts, and ends whatever is left with a status of its own
 * when the grace period is over, rather than letting the transport cut the calls off (which
 * the client sees as a bare CANCELLED).
 */
import type { VmdError } from '@vmd/core';

/** A call the registry can end. */
export interface RegisteredCall {
  /** Streams that never end on their own (WatchStats): the drain does not wait for them. */
  readonly endless: boolean;
  /**
   * Ends the call now with the status of `error` (sent to the client with vmd's trailers) and
   * aborts its handler's signal. No-op for a call that has ended.
   */
  terminate(error: VmdError): void;
}

/** See the module comment. */
export class CallRegistry {
  private readonly calls = new Set<RegisteredCall>();
  private waiters: (() => void)[] = [];
  /** Once the drain has begun: the error new endless streams are ended with. */
  private endlessRefused: VmdError | undefined;

  /** Registers a call that has just arrived. */
  add(call: RegisteredCall): void {
    this.calls.add(call);
    const refused = this.endlessRefused;
    // After the adapter has finished setting the call up.
    if (call.endless && refused !== undefined) queueMicrotask(() => call.terminate(refused));
  }

  /** A call ended (however it ended). */
  delete(call: RegisteredCall): void {
    if (!this.calls.delete(call)) return;
    // Counting is O(calls): only while the drain waits.
    if (this.waiters.length > 0 && this.pending === 0) {
      const waiters = this.waiters;
      this.waiters = [];
      for (const w of waiters) w();
    }
  }

  /** Calls in flight that the drain waits for (all but the endless streams). */
  get pending(): number {
    let n = 0;
    for (const c of this.calls) if (!c.endless) n++;
    return n;
  }

  /**
   * Resolves true once no call the drain waits for is in flight (at once when none is), or false
   * when `timeoutMs` passes first.
   */
  whenIdle(timeoutMs: number): Promise<boolean> {
    if (this.pending === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        resolve(true);
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== done);
        resolve(false);
      }, timeoutMs);
      this.waiters.push(done);
    });
  }

  /**
   * Ends every endless stream with `error`, now and for any that arrives later. Returns how many
   * were ended.
   */
  endEndless(error: VmdError): number {
    this.endlessRefused = error;
    let n = 0;
    for (const c of [...this.calls]) {
      if (!c.endless) continue;
      c.terminate(error);
      n++;
    }
    return n;
  }

  /** Ends every call in flight with `error`. Returns how many were ended. */
  terminateAll(error: VmdError): number {
    const all = [...this.calls];
    for (const c of all) c.terminate(error);
    return all.length;
  }
}
