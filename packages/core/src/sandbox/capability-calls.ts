/**
 * The host side of capability calls (`kv.get(…)` in tenant code) during one run: each call that
 * arrives through the bridge is handed to the run's handler (the worker forwards it to the
 * daemon, which checks the grant, performs it and audits it); answers are queued as JSON strings
 * until the engine's loop delivers them into the isolate (`cap-resolve`). A run without a
 * handler, or past its call budget, gets an error answer at once. A handler that throws or
 * rejects becomes an error answer too: nothing of the host is passed in, only JSON text.
 */
export type CapabilityHandler = (capability: string, op: string, argsJson: string) => Promise<string>;

/** Capability calls one run may make. */
export const MAX_CAPABILITY_CALLS_PER_RUN = 1000;

export function capabilityError(name: string, message: string): string {
  return JSON.stringify({ ok: false, error: { name, message } });
}

export class CapabilityCalls {
  private readonly done: Array<{ id: number; resultJson: string }> = [];
  private wake: (() => void) | undefined;
  private started = 0;
  private answered = 0;
  private closed = false;

  constructor(
    private readonly handler: CapabilityHandler | undefined,
    private readonly maxCalls = MAX_CAPABILITY_CALLS_PER_RUN,
  ) {}

  /** Calls made so far in this run. */
  get calls(): number {
    return this.started;
  }

  /** Calls whose answer has not arrived yet. */
  get waiting(): number {
    return this.started - this.answered;
  }

  /** True when answers are ready to deliver. */
  get ready(): boolean {
    return this.done.length > 0;
  }

  onCall(id: number, capability: string, op: string, argsJson: string): void {
    if (this.closed) return;
    this.started++;
    if (this.started > this.maxCalls) {
      this.answer(
        id,
        capabilityError('RangeError', `more than ${this.maxCalls} capability calls in one run`),
      );
      return;
    }
    if (this.handler === undefined) {
      this.answer(
        id,
        capabilityError(
          'PermissionError',
          `${capability} is not available here: only deployed functions that request it, of tenants granted it, can use ${capability}`,
        ),
      );
      return;
    }
    let pending: Promise<string>;
    try {
      pending = this.handler(capability, op, argsJson);
    } catch (err) {
      pending = Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
    pending.then(
      (resultJson) =>
        this.answer(id, typeof resultJson === 'string' ? resultJson : capabilityError('Error', 'no answer')),
      (err: unknown) =>
        this.answer(
          id,
          capabilityError(
            'Error',
            `${capability}.${op} failed: ${err instanceof Error ? err.message : String(err)}`,
          ),
        ),
    );
  }

  /** Takes the answers ready to deliver. */
  take(): Array<{ id: number; resultJson: string }> {
    return this.done.splice(0);
  }

  /** Resolves when an answer is ready (at once if one is). */
  next(): Promise<void> {
    if (this.done.length > 0 || this.closed) return Promise.resolve();
    return new Promise((resolve) => {
      this.wake = resolve;
    });
  }

  /** The run is over: later answers are dropped. */
  close(): void {
    this.closed = true;
    this.wake?.();
  }

  private answer(id: number, resultJson: string): void {
    if (this.closed) return;
    this.answered++;
    this.done.push({ id, resultJson });
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }
}
