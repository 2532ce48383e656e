import { VmdClientError, isVmdErrorCode, type FailureKind, type VmdErrorCode } from '@vmd/client';

/**
 * Process exit codes of `vmctl`. The single table: scripts may rely on it.
 *
 * | code | meaning                                                                          |
 * | ---- | -------------------------------------------------------------------------------- |
 * | 0    | success (the code ran and produced a value; `health` is SERVING)                  |
 * | 1    | the tenant's code failed: syntax error, exception, TIMEOUT, MEMORY_LIMIT, …       |
 * | 2    | usage error, unreachable daemon, or a platform error (the vmd code is printed)   |
 * | 130  | interrupted with Ctrl-C (the execution was cancelled)                            |
 */
export const ExitCode = {
  /** Success. */
  OK: 0,
  /** The tenant's code failed (an `{ ok: false }` outcome). */
  CODE_FAILED: 1,
  /** Usage, configuration, connection or platform error. */
  ERROR: 2,
  /** Interrupted by SIGINT (128 + 2, the shell convention). */
  INTERRUPTED: 130,
} as const;

/** A `vmctl` exit code. */
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/**
 * Exit code per platform error code. Every {@link VmdErrorCode} has a row (checked by the
 * compiler and by a test), so a new code cannot be forgotten. All are 2 today; the table
 * exists so that one can be given its own code without hunting through handlers.
 */
export const EXIT_CODE_BY_ERROR_CODE: Readonly<Record<VmdErrorCode, ExitCode>> = {
  INVALID_ARGUMENT: ExitCode.ERROR,
  CODE_TOO_LARGE: ExitCode.ERROR,
  MESSAGE_TOO_LARGE: ExitCode.ERROR,
  TENANT_NOT_FOUND: ExitCode.ERROR,
  FUNCTION_NOT_FOUND: ExitCode.ERROR,
  SESSION_NOT_FOUND: ExitCode.ERROR,
  API_KEY_NOT_FOUND: ExitCode.ERROR,
  ALREADY_EXISTS: ExitCode.ERROR,
  UNAUTHENTICATED: ExitCode.ERROR,
  PERMISSION_DENIED: ExitCode.ERROR,
  RATE_LIMITED: ExitCode.ERROR,
  QUEUE_FULL: ExitCode.ERROR,
  CONCURRENCY_LIMITED: ExitCode.ERROR,
  QUOTA_EXCEEDED: ExitCode.ERROR,
  DEADLINE_EXCEEDED: ExitCode.ERROR,
  CANCELLED: ExitCode.ERROR,
  SHUTTING_DOWN: ExitCode.ERROR,
  NO_HEALTHY_WORKER: ExitCode.ERROR,
  WORKER_CRASHED: ExitCode.ERROR,
  UNIMPLEMENTED: ExitCode.ERROR,
  INTERNAL: ExitCode.ERROR,
  UNAVAILABLE: ExitCode.ERROR,
  NOT_FOUND: ExitCode.ERROR,
  RESOURCE_EXHAUSTED: ExitCode.ERROR,
  FAILED_PRECONDITION: ExitCode.ERROR,
  ABORTED: ExitCode.ERROR,
  OUT_OF_RANGE: ExitCode.ERROR,
  DATA_LOSS: ExitCode.ERROR,
  UNKNOWN: ExitCode.ERROR,
};

/** Exit code per kind of tenant-code failure: all 1 (the platform worked, the code did not). */
export const EXIT_CODE_BY_FAILURE_KIND: Readonly<Record<FailureKind, ExitCode>> = {
  SYNTAX: ExitCode.CODE_FAILED,
  RUNTIME: ExitCode.CODE_FAILED,
  TIMEOUT: ExitCode.CODE_FAILED,
  CPU_LIMIT: ExitCode.CODE_FAILED,
  MEMORY_LIMIT: ExitCode.CODE_FAILED,
  OUTPUT_LIMIT: ExitCode.CODE_FAILED,
  RESULT_TOO_LARGE: ExitCode.CODE_FAILED,
  CANCELLED: ExitCode.CODE_FAILED,
  UNKNOWN: ExitCode.CODE_FAILED,
};

/** The exit code for anything thrown by a command (unknown codes and non-vmd errors: 2). */
export function exitCodeForError(error: unknown): ExitCode {
  if (error instanceof VmdClientError && isVmdErrorCode(error.code)) {
    return EXIT_CODE_BY_ERROR_CODE[error.code];
  }
  return ExitCode.ERROR;
}
