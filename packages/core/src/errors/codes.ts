/**
 * The registry of vmd's stable error codes: one per failure a caller can act on.
 *
 * Codes are strings on purpose: grpc-js turns any thrown object with a numeric `code` into a
 * wire status, and a string code can never be mistaken for one. Codes are never reused or
 * renamed; a retired code stays listed in {@link RETIRED_ERROR_CODES}. Every code has a section
 * in docs/errors.md and one row in the daemon's status mapping (both checked by tests).
 */
export const ErrorCode = {
  /** A request field is malformed or out of range; `field` names it. */
  INVALID_ARGUMENT: 'INVALID_ARGUMENT',
  /** The submitted code is larger than the tenant's code-size quota. */
  CODE_TOO_LARGE: 'CODE_TOO_LARGE',
  /** A request message is larger than the daemon accepts. */
  MESSAGE_TOO_LARGE: 'MESSAGE_TOO_LARGE',
  /** The named tenant does not exist. */
  TENANT_NOT_FOUND: 'TENANT_NOT_FOUND',
  /** The named function (or version) does not exist. */
  FUNCTION_NOT_FOUND: 'FUNCTION_NOT_FOUND',
  /** The REPL session does not exist, expired, or belongs to another tenant. */
  SESSION_NOT_FOUND: 'SESSION_NOT_FOUND',
  /** The API key id does not exist. */
  API_KEY_NOT_FOUND: 'API_KEY_NOT_FOUND',
  /** The resource already exists (tenant, function name). */
  ALREADY_EXISTS: 'ALREADY_EXISTS',
  /** No credentials, or credentials that are wrong or revoked. */
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  /** Valid credentials that may not do this (another tenant, admin-only RPC). */
  PERMISSION_DENIED: 'PERMISSION_DENIED',
  /** The tenant's request rate is over its token-bucket quota. */
  RATE_LIMITED: 'RATE_LIMITED',
  /** The tenant's queue is full. */
  QUEUE_FULL: 'QUEUE_FULL',
  /** The tenant already runs its maximum number of concurrent executions. */
  CONCURRENCY_LIMITED: 'CONCURRENCY_LIMITED',
  /** A tenant quota other than rate/queue/concurrency is exhausted (sessions, functions, kv). */
  QUOTA_EXCEEDED: 'QUOTA_EXCEEDED',
  /** The request's deadline passed before it could run. */
  DEADLINE_EXCEEDED: 'DEADLINE_EXCEEDED',
  /** The caller cancelled the request. */
  CANCELLED: 'CANCELLED',
  /** The daemon is shutting down and accepts no new work. */
  SHUTTING_DOWN: 'SHUTTING_DOWN',
  /** No worker process is healthy enough to take the request. */
  NO_HEALTHY_WORKER: 'NO_HEALTHY_WORKER',
  /** The worker process running the request died; the request did not complete. */
  WORKER_CRASHED: 'WORKER_CRASHED',
  /** The RPC exists in the contract but this daemon does not implement it yet. */
  UNIMPLEMENTED: 'UNIMPLEMENTED',
  /** A bug in vmd. Logged with a trace id; the message never leaks internals. */
  INTERNAL: 'INTERNAL',
} as const;

/** A stable vmd error code. */
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** Codes that were once in use and must never be reused. */
export const RETIRED_ERROR_CODES: readonly string[] = [];

/** True if `value` is one of the registered codes. */
export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(ErrorCode, value);
}
