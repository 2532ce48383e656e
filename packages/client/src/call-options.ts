import { context, propagation } from '@opentelemetry/api';
import { Metadata, type CallOptions } from '@grpc/grpc-js';

/** Per-call options shared by every {@link VmdClient} method. */
export interface CallScopeOptions {
  /**
   * Cancels the call when aborted; the call then fails with `CANCELLED` (cause: the reason).
   * @default none
   */
  signal?: AbortSignal;
  /**
   * Absolute deadline (a `Date` or epoch ms).
   * @default none for streams, the client's `defaultUnaryTimeoutMs` for unary calls
   */
  deadline?: Date | number;
  /**
   * Relative deadline, ms from now. When both are given the earlier one wins.
   * @default see `deadline`
   */
  timeoutMs?: number;
}

/**
 * The earliest of an absolute deadline and `now + timeoutMs`, as epoch ms; `undefined` when
 * neither is given.
 */
export function earliestDeadline(
  deadline: Date | number | undefined,
  timeoutMs: number | undefined,
  now: number = Date.now(),
): number | undefined {
  const candidates: number[] = [];
  if (deadline !== undefined) candidates.push(deadline instanceof Date ? deadline.getTime() : deadline);
  if (timeoutMs !== undefined) candidates.push(now + timeoutMs);
  return candidates.length === 0 ? undefined : Math.min(...candidates);
}

/** grpc-js call options for a deadline (epoch ms), omitting it when undefined. */
export function toGrpcCallOptions(deadlineMs: number | undefined): Partial<CallOptions> {
  return deadlineMs === undefined ? {} : { deadline: new Date(deadlineMs) };
}

/** Anything with a grpc-js `cancel()`. */
interface Cancellable {
  cancel(): void;
}

/**
 * Cancels `call` when `signal` aborts. Returns a function that removes the listener (call it
 * once the call has settled, so long-lived signals do not keep calls alive).
 */
export function cancelOnAbort(
  call: Cancellable,
  signal: AbortSignal | undefined,
  onAbort: (reason: unknown) => void = () => undefined,
): () => void {
  if (signal === undefined) return () => undefined;
  const listener = (): void => {
    onAbort(signal.reason);
    call.cancel();
  };
  signal.addEventListener('abort', listener, { once: true });
  return () => signal.removeEventListener('abort', listener);
}

/**
 * Metadata for a new call, carrying the active OpenTelemetry context (W3C `traceparent`) when
 * the calling service has tracing set up, so its trace continues into vmd. Without an
 * OpenTelemetry SDK in the process this adds nothing.
 */
export function callMetadata(): Metadata {
  const metadata = new Metadata();
  propagation.inject(context.active(), metadata, {
    set: (carrier, key, value) => carrier.set(key, value),
  });
  return metadata;
}
