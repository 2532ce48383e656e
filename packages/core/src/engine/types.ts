import type { ExecutionFailure } from '../errors/execution-failure.js';
import type { Limits } from '../limits/limits.js';

/** How the code is compiled. */
export type SourceType = 'script' | 'module';

/** One execution, as the engine receives it (limits already clamped to the tenant's quota). */
export interface ExecutionRequest {
  /** Tenant source code. */
  code: string;
  /** `script`: the completion value is the result. `module`: the default export is the result
   * (called with the input if it is a function). */
  sourceType: SourceType;
  /** JSON text of the input value, visible to the code as the global `input`; empty = none. */
  inputJson: string;
  /** File name shown in stack traces (`file:///tenant/<filename>`). @default 'main.js' */
  filename: string;
  limits: Limits;
  /**
   * Isolation `context` (a tenant's choice, set by an admin): the run gets a fresh context in a
   * warm isolate kept for this key, instead of a fresh isolate. The daemon passes the tenant id,
   * so an isolate is never shared between tenants. Absent: a fresh isolate (the default).
   */
  isolateKey?: string;
}

/** Console method that produced an output line. */
export type ConsoleLevel = 'log' | 'info' | 'warn' | 'error' | 'debug';

/** One line (or `console.*` call) of output, streamed while the code runs. */
export interface OutputEvent {
  /** `stdout` for log/info/debug, `stderr` for warn/error (as Node does). */
  stream: 'stdout' | 'stderr';
  level: ConsoleLevel;
  /** The formatted text, without a trailing newline. */
  text: string;
  /** When the call happened, milliseconds since the Unix epoch. */
  timeMs: number;
}

/** Resource use of one execution. */
export interface ExecutionMetrics {
  /** CPU time spent running tenant code in the isolate, ms. */
  cpuTimeMs: number;
  /** Wall time from start of compile to the terminal outcome, ms. */
  wallTimeMs: number;
  /** Time spent queued before a worker took the run, ms (filled in by the scheduler). */
  queueWaitMs: number;
  /** Isolate heap used at the end of the run, bytes. */
  heapUsedBytes: number;
  /** Largest heap seen during the run, bytes (sampled). */
  heapPeakBytes: number;
  /** Console output produced, bytes. */
  outputBytes: number;
}

/**
 * The terminal outcome of an execution. `json` is the result serialized inside the isolate
 * (undefined when the value has no JSON form, see docs/results.md); `preview` is a Node-style
 * `util.inspect`-like rendering for people.
 */
export type ExecutionOutcome =
  | {
      status: 'ok';
      json: string | undefined;
      preview: string;
      metrics: ExecutionMetrics;
      phases?: RunPhase[];
      /** Isolation `context`: the run had a fresh context in a warm isolate of its tenant. */
      warm?: boolean;
    }
  | {
      status: 'error';
      failure: ExecutionFailure;
      metrics: ExecutionMetrics;
      phases?: RunPhase[];
      warm?: boolean;
    };

/**
 * A phase of a run in the worker, for tracing (the daemon turns each into a span of the
 * request's trace): `vmd.isolate.acquire` (a pooled or warm isolate, or one created on the spot)
 * and `vmd.isolate.run` (compile, run, settle and serialize inside the isolate). Epoch ms.
 */
export interface RunPhase {
  name: string;
  startMs: number;
  endMs: number;
}
