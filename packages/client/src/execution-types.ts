/** Which console stream a line belongs to (`console.log/info/debug` → stdout, `warn/error` → stderr). */
export type OutputStreamName = 'stdout' | 'stderr';

/** One console call of the tenant's code, delivered while the code runs. */
export interface ExecutionOutputEvent {
  type: 'output';
  /** stdout or stderr, as Node assigns console methods. */
  stream: OutputStreamName;
  /** The console method: `log`, `info`, `warn`, `error`, `debug`, … */
  level: string;
  /** The formatted text (Node's `util.format`), without a trailing newline. */
  text: string;
  /** When the call happened (daemon clock). */
  time: Date;
}

/** An event of a running execution. Only output events for now; switch on `type`. */
export type ExecutionEvent = ExecutionOutputEvent;

/** The kinds of tenant-code failure (see proto `ErrorKind`). `UNKNOWN`: a newer daemon's kind. */
export const FailureKind = {
  /** The code does not parse; `line`/`column` point into the source. */
  SYNTAX: 'SYNTAX',
  /** The code threw or its promise rejected. */
  RUNTIME: 'RUNTIME',
  /** The run passed its wall-time limit. */
  TIMEOUT: 'TIMEOUT',
  /** The code used more CPU time than its cpu-time limit. */
  CPU_LIMIT: 'CPU_LIMIT',
  /** The isolate heap passed its memory limit. */
  MEMORY_LIMIT: 'MEMORY_LIMIT',
  /** Console output passed its byte or line-rate limit. */
  OUTPUT_LIMIT: 'OUTPUT_LIMIT',
  /** The serialized result is larger than the result limit. */
  RESULT_TOO_LARGE: 'RESULT_TOO_LARGE',
  /** The run was cancelled. */
  CANCELLED: 'CANCELLED',
  /** A kind this client does not know. */
  UNKNOWN: 'UNKNOWN',
} as const;

/** A kind of tenant-code failure. */
export type FailureKind = (typeof FailureKind)[keyof typeof FailureKind];

/** A failure of the tenant's code (the RPC itself succeeded). */
export interface ExecutionFailure {
  /** What failed. */
  kind: FailureKind;
  /** The error's name: `SyntaxError`, `TypeError`, `TimeoutError`, … */
  name: string;
  /** A message for a person. */
  message: string;
  /** Stack trace with the tenant's own frames only (may be empty). */
  stack: string;
  /** 1-based line in the tenant's source, when known. */
  line: number | undefined;
  /** 1-based column in the tenant's source, when known. */
  column: number | undefined;
}

/** The value the tenant's code produced, serialized inside the isolate. */
export interface ExecutionValue {
  /** JSON text of the value; `''` when it has no JSON form (see `hasJson`). */
  json: string;
  /** A human-readable rendering in the style of Node's `util.inspect`. */
  preview: string;
  /** True when `json` is set (`undefined`, functions and symbols have no JSON form). */
  hasJson: boolean;
  /** `JSON.parse(json)` when `hasJson`, else `undefined`. */
  value: unknown;
}

/** Resource use of one run. Durations in milliseconds (microsecond precision), sizes in bytes. */
export interface ExecutionMetrics {
  /** CPU time spent running the tenant's code, ms. */
  cpuTimeMs: number;
  /** Wall time from compile to the terminal event, ms. */
  wallTimeMs: number;
  /** Time queued in the daemon's scheduler, ms. */
  queueWaitMs: number;
  /** Isolate heap in use at the end, bytes. */
  heapUsedBytes: number;
  /** Largest isolate heap seen (sampled), bytes. */
  heapPeakBytes: number;
  /** Console output produced, bytes. */
  outputBytes: number;
  /** The worker process that ran the code. */
  workerId: number;
}

/** The code ran to completion and produced a value. */
export interface ExecutionSuccess {
  ok: true;
  /** The script's completion value or the module's (awaited) default export. */
  value: ExecutionValue;
  metrics: ExecutionMetrics;
  /** Unique id of the execution (in daemon logs and traces); `''` if the daemon sent none. */
  executionId: string;
}

/** The code failed: did not parse, threw, or hit a limit. */
export interface ExecutionFailed {
  ok: false;
  failure: ExecutionFailure;
  /** Resource use up to the failure. */
  metrics: ExecutionMetrics;
  /** Unique id of the execution; `''` if the daemon sent none (e.g. a syntax error before start). */
  executionId: string;
}

/** How an execution ended, when the platform ran it. Platform failures are thrown instead. */
export type ExecutionOutcome = ExecutionSuccess | ExecutionFailed;

/** {@link ExecutionOutcome} plus every output event, as returned by `VmdClient.run()`. */
export type RunOutcome = ExecutionOutcome & { output: ExecutionOutputEvent[] };

/** Options of `VmdClient.execute()` and `VmdClient.run()`. Limits are clamped to the tenant's quota. */
export interface ExecuteOptions {
  /**
   * Tenant to run as.
   * @default the client's `tenant` option
   */
  tenant?: string;
  /**
   * Input value, JSON-serialized and visible to the code as the global `input` (and passed to
   * a module's default-export function). Mutually exclusive with `inputJson`.
   * @default no input
   */
  input?: unknown;
  /**
   * Input as JSON text (sent as is). Mutually exclusive with `input`.
   * @default no input
   */
  inputJson?: string;
  /**
   * `script`: the completion value is the result (top-level `await` works). `module`: an ES
   * module whose default export (called with the input if it is a function) is the result.
   * @default 'script'
   */
  sourceType?: 'script' | 'module';
  /**
   * File name shown in stack traces and syntax errors.
   * @default 'main.js' (chosen by the daemon)
   */
  filename?: string;
  /**
   * Wall-time limit of the run, ms (`limits.wall_time_ms`), including pending timers.
   * The gRPC deadline is set {@link DEADLINE_GRACE_MS} later, so that the daemon reports an
   * overrun as a `TIMEOUT` failure (an outcome) rather than the client giving up first with
   * a `DEADLINE_EXCEEDED` error. Time spent queued counts against that grace.
   * @default the tenant's quota
   */
  timeoutMs?: number;
  /**
   * Isolate heap limit, MiB (`limits.memory_mib`).
   * @default the tenant's quota
   */
  memoryMib?: number;
  /**
   * The same limit under the name `vmctl --memory MB` and most users know it (megabytes here
   * mean MiB, as in V8). Give one of `memoryMb` and `memoryMib`, not both.
   */
  memoryMb?: number;
  /**
   * CPU-time limit of the tenant's code, ms (`limits.cpu_time_ms`).
   * @default the tenant's quota
   */
  cpuTimeMs?: number;
  /**
   * Limit of console output over the run, bytes (`limits.output_bytes`).
   * @default the tenant's quota
   */
  outputBytes?: number;
  /**
   * Limit of the serialized result, bytes (`limits.result_bytes`).
   * @default the tenant's quota
   */
  resultBytes?: number;
  /**
   * Cancels the call when aborted: the daemon disposes the isolate at once, and the outcome
   * rejects with a `CANCELLED` {@link VmdClientError} whose `cause` is the abort reason.
   * @default none
   */
  signal?: AbortSignal;
  /**
   * Absolute gRPC deadline (a `Date` or epoch ms). Wins over the one derived from
   * `timeoutMs` when earlier. The daemon turns it into the run's wall limit.
   * @default none (or `timeoutMs` + grace)
   */
  deadline?: Date | number;
}

/**
 * How much later than `timeoutMs` the gRPC deadline of an execution is set, ms: room for
 * queueing, compile and the terminal event, so a run that overruns ends as a `TIMEOUT`
 * outcome instead of a client-side `DEADLINE_EXCEEDED`.
 */
export const DEADLINE_GRACE_MS = 1000;
