import { randomBytes } from 'node:crypto';
import { Metadata, status as Status, type StatusObject } from '@grpc/grpc-js';
import { trace } from '@opentelemetry/api';
import { ErrorCode, VmdError } from '@vmd/core';
import type { Logger } from 'pino';

/** Trailer names (documented in proto/README.md and docs/errors.md). */
export const TRAILER = {
  errorCode: 'vmd-error-code',
  errorField: 'vmd-error-field',
  retryAfterMs: 'vmd-retry-after-ms',
  traceId: 'vmd-trace-id',
} as const;

/** THE table: every vmd error code → its gRPC status code. */
export const STATUS_BY_ERROR_CODE: Readonly<Record<ErrorCode, Status>> = Object.freeze({
  INVALID_ARGUMENT: Status.INVALID_ARGUMENT,
  CODE_TOO_LARGE: Status.INVALID_ARGUMENT,
  MESSAGE_TOO_LARGE: Status.RESOURCE_EXHAUSTED,
  TENANT_NOT_FOUND: Status.NOT_FOUND,
  FUNCTION_NOT_FOUND: Status.NOT_FOUND,
  SESSION_NOT_FOUND: Status.NOT_FOUND,
  API_KEY_NOT_FOUND: Status.NOT_FOUND,
  ALREADY_EXISTS: Status.ALREADY_EXISTS,
  UNAUTHENTICATED: Status.UNAUTHENTICATED,
  PERMISSION_DENIED: Status.PERMISSION_DENIED,
  RATE_LIMITED: Status.RESOURCE_EXHAUSTED,
  QUEUE_FULL: Status.RESOURCE_EXHAUSTED,
  CONCURRENCY_LIMITED: Status.RESOURCE_EXHAUSTED,
  QUOTA_EXCEEDED: Status.RESOURCE_EXHAUSTED,
  DEADLINE_EXCEEDED: Status.DEADLINE_EXCEEDED,
  CANCELLED: Status.CANCELLED,
  SHUTTING_DOWN: Status.UNAVAILABLE,
  NO_HEALTHY_WORKER: Status.UNAVAILABLE,
  WORKER_CRASHED: Status.UNAVAILABLE,
  UNIMPLEMENTED: Status.UNIMPLEMENTED,
  INTERNAL: Status.INTERNAL,
});

/** A gRPC status ready to send, plus the vmd code for the access log. */
export interface MappedStatus extends StatusObject {
  /** The vmd error code (`vmd-error-code` trailer). */
  vmdCode: ErrorCode;
}

/** Status codes caused by the caller (logged at warn; the rest at error, OK at info). */
const CLIENT_CAUSED = new Set<Status>([
  Status.CANCELLED,
  Status.INVALID_ARGUMENT,
  Status.DEADLINE_EXCEEDED,
  Status.NOT_FOUND,
  Status.ALREADY_EXISTS,
  Status.PERMISSION_DENIED,
  Status.RESOURCE_EXHAUSTED,
  Status.FAILED_PRECONDITION,
  Status.OUT_OF_RANGE,
  Status.UNAUTHENTICATED,
  Status.UNIMPLEMENTED,
  Status.UNAVAILABLE,
]);

/** The log level of an access line for this status code. */
export function logLevelForStatus(code: Status): 'info' | 'warn' | 'error' {
  if (code === Status.OK) return 'info';
  return CLIENT_CAUSED.has(code) ? 'warn' : 'error';
}

/** The name of a gRPC status code (`INVALID_ARGUMENT`). */
export function statusName(code: Status): string {
  return Status[code] ?? String(code);
}

function isAbortError(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { name?: unknown }).name === 'AbortError';
}

/** The trace id of the active span, or a fresh random one. */
export function currentTraceId(): string {
  const span = trace.getActiveSpan();
  const id = span?.spanContext().traceId;
  return id && !/^0+$/.test(id) ? id : randomBytes(16).toString('hex');
}

/**
 * Turns ANY caught value into a gRPC status with vmd trailers (nice-grpc's
 * `createErrorStatusObject`, connect-es's `ConnectError.from`):
 * - a {@link VmdError} is mapped through {@link STATUS_BY_ERROR_CODE};
 * - an `AbortError` becomes CANCELLED;
 * - anything else is logged at error level with a trace id and becomes INTERNAL with a generic
 *   message naming that trace id. Internals never reach the client.
 */
export function toGrpcStatus(err: unknown, logger?: Logger): MappedStatus {
  const metadata = new Metadata();
  if (err instanceof VmdError) {
    const code = STATUS_BY_ERROR_CODE[err.code] ?? Status.INTERNAL;
    metadata.set(TRAILER.errorCode, err.code);
    if (err.details.field) metadata.set(TRAILER.errorField, err.details.field);
    if (err.details.retryAfterMs !== undefined) {
      metadata.set(TRAILER.retryAfterMs, String(Math.max(0, Math.ceil(err.details.retryAfterMs))));
    }
    if (err.code === ErrorCode.INTERNAL) {
      const traceId = currentTraceId();
      metadata.set(TRAILER.traceId, traceId);
      logger?.error({ err: err.cause ?? err, trace_id: traceId }, 'internal error');
      return { code, details: `${err.message} (trace id ${traceId})`, metadata, vmdCode: err.code };
    }
    return { code, details: err.message, metadata, vmdCode: err.code };
  }
  if (isAbortError(err)) {
    metadata.set(TRAILER.errorCode, ErrorCode.CANCELLED);
    return {
      code: Status.CANCELLED,
      details: 'the call was cancelled',
      metadata,
      vmdCode: ErrorCode.CANCELLED,
    };
  }
  const traceId = currentTraceId();
  metadata.set(TRAILER.errorCode, ErrorCode.INTERNAL);
  metadata.set(TRAILER.traceId, traceId);
  logger?.error({ err, trace_id: traceId }, 'internal error');
  return {
    code: Status.INTERNAL,
    details: `internal error in vmd; report trace id ${traceId} to the operator`,
    metadata,
    vmdCode: ErrorCode.INTERNAL,
  };
}
