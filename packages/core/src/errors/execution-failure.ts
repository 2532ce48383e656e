/**
 * Failures of tenant code. These are values, not exceptions: the RPC succeeds and carries a
 * terminal `error` event with an {@link ExecutionFailure}.
 */
export const FailureKind = {
  /** The code does not parse. `line`/`column` point into the tenant's source. */
  SYNTAX: 'SYNTAX',
  /** The code threw (or rejected) an exception. */
  RUNTIME: 'RUNTIME',
  /** The run passed its wall-time limit. */
  TIMEOUT: 'TIMEOUT',
  /** The tenant's code used more CPU time than its cpu-time limit. */
  CPU_LIMIT: 'CPU_LIMIT',
  /** The isolate's heap passed its memory limit. */
  MEMORY_LIMIT: 'MEMORY_LIMIT',
  /** Console output passed its byte or line-rate limit. */
  OUTPUT_LIMIT: 'OUTPUT_LIMIT',
  /** The serialized result is larger than the result limit. */
  RESULT_TOO_LARGE: 'RESULT_TOO_LARGE',
  /** The caller cancelled the run. */
  CANCELLED: 'CANCELLED',
} as const;

export type FailureKind = (typeof FailureKind)[keyof typeof FailureKind];

/** A failure of tenant code, as delivered to the caller. */
export interface ExecutionFailure {
  kind: FailureKind;
  /** Error name (`TypeError`, `SyntaxError`, `TimeoutError`, `CpuLimitError`, …). */
  name: string;
  /** A message for a person. */
  message: string;
  /** Stack trace trimmed to the tenant's own frames (may be empty). */
  stack: string;
  /** 1-based line in the tenant's source, or 0 if unknown. */
  line: number;
  /** 1-based column in the tenant's source, or 0 if unknown. */
  column: number;
}
