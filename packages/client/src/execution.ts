import { status as GrpcStatus, type ClientReadableStream } from '@grpc/grpc-js';
import type { ExecuteRequest, ExecuteResponse } from './gen/vmd/v1/execution.js';
import {
  ErrorKind,
  OutputStream,
  SourceType,
  type ExecutionFailure as WireFailure,
  type ExecutionMetrics as WireMetrics,
  type ExecutionValue as WireValue,
  type Limits,
  type OutputEvent as WireOutputEvent,
} from './gen/vmd/v1/common.js';
import { cancelOnAbort } from './call-options.js';
import { VmdClientError, toVmdClientError } from './errors.js';
import type {
  ExecuteOptions,
  ExecutionEvent,
  ExecutionFailure,
  ExecutionMetrics,
  ExecutionOutcome,
  ExecutionOutputEvent,
  ExecutionValue,
  FailureKind,
} from './execution-types.js';
import { AsyncQueue, readableToAsyncIterable } from './streams.js';

/** The largest value of a protobuf `uint32` field. */
export const UINT32_MAX = 0xffff_ffff;
/** The largest `uint64` value a JS number carries exactly (ts-proto maps uint64 to number). */
export const UINT64_SAFE_MAX = Number.MAX_SAFE_INTEGER;

/**
 * A running execution, returned by `VmdClient.execute()`. The call starts at once.
 *
 * - Iterate it (`for await (const event of execution)`) to receive output events as the code
 *   runs. The loop ends normally after the terminal event, whether the code succeeded or
 *   failed; it throws a {@link VmdClientError} on a platform failure. Leaving the loop early
 *   (`break`) cancels the execution. It can be iterated once.
 * - Await {@link outcome} for the result: `{ ok: true, value }` or `{ ok: false, failure }`
 *   for failures of the tenant's code; it rejects with a {@link VmdClientError} for platform
 *   failures (quotas, auth, an unreachable daemon, cancellation).
 *
 * Output events that arrive while nobody iterates are buffered (bounded by the run's
 * `outputBytes` limit), so awaiting only `outcome` is fine.
 */
export class Execution implements AsyncIterable<ExecutionEvent> {
  /** Settles when the terminal event arrives (or rejects on a platform failure). */
  readonly outcome: Promise<ExecutionOutcome>;
  private readonly events: AsyncQueue<ExecutionEvent>;
  private readonly call: ClientReadableStream<ExecuteResponse> | undefined;
  private executionIdValue = '';
  private settled = false;
  private cancelReason: unknown = undefined;
  private cancelRequested = false;

  /**
   * @internal Use `VmdClient.execute()`. `call` is the started grpc-js stream, or an error
   * to fail with before anything was sent.
   */
  constructor(
    call: ClientReadableStream<ExecuteResponse> | VmdClientError,
    private readonly context: { address?: string; signal?: AbortSignal } = {},
  ) {
    this.events = new AsyncQueue<ExecutionEvent>(() => this.cancel());
    if (call instanceof VmdClientError) {
      this.call = undefined;
      this.outcome = Promise.reject(call);
      this.events.fail(call);
      this.settled = true;
    } else {
      this.call = call;
      this.outcome = this.pump(call);
    }
    // The outcome may legitimately go unobserved (the caller only iterates): never let its
    // rejection become an unhandled rejection. Callers who await it still see the error.
    this.outcome.catch(() => undefined);
  }

  /** The execution id once the daemon has started the run, else `undefined`. */
  get id(): string | undefined {
    return this.executionIdValue === '' ? undefined : this.executionIdValue;
  }

  /**
   * Cancels the run (the daemon disposes the isolate at once). No-op once it has ended.
   * {@link outcome} then rejects with a `CANCELLED` {@link VmdClientError}.
   */
  cancel(reason?: unknown): void {
    if (this.settled || this.cancelRequested || this.call === undefined) return;
    this.cancelRequested = true;
    this.cancelReason = reason;
    this.call.cancel();
  }

  [Symbol.asyncIterator](): AsyncIterator<ExecutionEvent> {
    return this.events[Symbol.asyncIterator]();
  }

  private pump(call: ClientReadableStream<ExecuteResponse>): Promise<ExecutionOutcome> {
    const { address, signal } = this.context;
    const where = address === undefined ? {} : { address };
    let resolve!: (outcome: ExecutionOutcome) => void;
    let reject!: (error: VmdClientError) => void;
    const outcome = new Promise<ExecutionOutcome>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    const removeAbortListener = cancelOnAbort(call, signal, (reason) => {
      if (!this.settled) {
        this.cancelRequested = true;
        this.cancelReason = reason;
      }
    });
    const responses = readableToAsyncIterable(call, {
      mapError: (error) =>
        this.cancelRequested
          ? VmdClientError.cancelled({ ...where, cause: this.cancelReason })
          : toVmdClientError(error, { ...where, method: '/vmd.v1.ExecutionService/Execute' }),
    });
    if (signal?.aborted === true) {
      this.cancelRequested = true;
      this.cancelReason = signal.reason;
      call.cancel();
    }

    const settle = (result: ExecutionOutcome): void => {
      this.settled = true;
      this.events.end();
      removeAbortListener();
      resolve(result);
    };
    const drive = async (): Promise<void> => {
      try {
        for await (const response of responses) {
          if (this.settled) continue; // drain to the status; nothing follows a terminal event
          const event = response.event;
          switch (event?.$case) {
            case 'started':
              this.executionIdValue = event.value.executionId;
              break;
            case 'output':
              this.events.push(toOutputEvent(event.value));
              break;
            case 'result':
              settle({
                ok: true,
                value: toExecutionValue(event.value.value),
                metrics: toMetrics(event.value.metrics),
                executionId: this.executionIdValue,
              });
              break;
            case 'error':
              settle({
                ok: false,
                failure: toFailure(event.value.failure),
                metrics: toMetrics(event.value.metrics),
                executionId: this.executionIdValue,
              });
              break;
            default:
              break; // no event, or a newer daemon's event kind: ignore
          }
        }
        if (!this.settled) {
          throw new VmdClientError({
            code: 'INTERNAL',
            grpcCode: GrpcStatus.INTERNAL,
            message: 'the execution stream ended without a result or error event (a vmd bug: report it)',
            ...where,
          });
        }
      } catch (error) {
        if (this.settled) return; // a late status after the terminal event changes nothing
        const failure = toVmdClientError(error, where);
        this.settled = true;
        this.events.fail(failure);
        removeAbortListener();
        reject(failure);
      }
    };
    void drive();
    return outcome;
  }
}

/** Builds the wire request, validating options on the client (clear errors, nothing sent). */
export function buildExecuteRequest(
  code: string,
  options: ExecuteOptions,
  defaultTenant: string | undefined,
): ExecuteRequest {
  if (typeof code !== 'string') throw VmdClientError.invalidArgument('code', 'code must be a string');
  let inputJson = '';
  if (options.input !== undefined && options.inputJson !== undefined) {
    throw VmdClientError.invalidArgument('input', 'give either input or inputJson, not both');
  }
  if (options.inputJson !== undefined) {
    inputJson = options.inputJson;
  } else if (options.input !== undefined) {
    inputJson = toJsonText('input', options.input);
  }
  let sourceType = SourceType.SOURCE_TYPE_SCRIPT;
  if (options.sourceType === 'module') sourceType = SourceType.SOURCE_TYPE_MODULE;
  else if (options.sourceType !== undefined && options.sourceType !== 'script') {
    throw VmdClientError.invalidArgument(
      'sourceType',
      `sourceType must be 'script' or 'module', not '${String(options.sourceType)}'`,
    );
  }
  if (options.memoryMb !== undefined && options.memoryMib !== undefined) {
    throw VmdClientError.invalidArgument('memoryMb', 'give memoryMb or memoryMib, not both');
  }
  const limits: Limits = {
    memoryMib:
      options.memoryMb !== undefined
        ? limit('memoryMb', options.memoryMb, UINT32_MAX)
        : limit('memoryMib', options.memoryMib, UINT32_MAX),
    cpuTimeMs: limit('cpuTimeMs', options.cpuTimeMs, UINT32_MAX),
    wallTimeMs: limit('timeoutMs', options.timeoutMs, UINT32_MAX),
    outputBytes: limit('outputBytes', options.outputBytes, UINT64_SAFE_MAX),
    resultBytes: limit('resultBytes', options.resultBytes, UINT64_SAFE_MAX),
    consoleLinesPerSecond: 0,
  };
  return {
    tenant: options.tenant ?? defaultTenant ?? '',
    code,
    sourceType,
    inputJson,
    limits,
    filename: options.filename ?? '',
  };
}

/**
 * Checks a numeric option that maps to an unsigned protobuf field, before anything is sent:
 * an integer from `min` (default 1: 0 means "unset" on the wire) to `max`. `undefined` → 0.
 * @throws VmdClientError INVALID_ARGUMENT naming `field` (the option as the caller wrote it)
 */
export function limit(field: string, value: number | undefined, max: number, min = 1): number {
  if (value === undefined) return 0;
  if (!Number.isInteger(value) || value < min || value > max) {
    const what = min === 1 ? 'a positive integer' : `an integer from ${min} to ${max}`;
    throw VmdClientError.invalidArgument(field, `${field} must be ${what} (got ${String(value)})`);
  }
  return value;
}

/**
 * The JSON text of a value the caller passes to the handler (`input`, `event`), checked on the
 * client: a value JSON cannot represent (a BigInt, a cycle, a function, a symbol) is refused.
 * @throws VmdClientError INVALID_ARGUMENT naming `field`
 */
export function toJsonText(field: string, value: unknown): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch (error) {
    throw VmdClientError.invalidArgument(
      field,
      `${field} is not JSON-serializable: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  if (text === undefined) {
    throw VmdClientError.invalidArgument(
      field,
      `${field} has no JSON form (a function, symbol or undefined)`,
    );
  }
  return text;
}

/** Wire output event → public event. */
export function toOutputEvent(event: WireOutputEvent): ExecutionOutputEvent {
  return {
    type: 'output',
    stream: event.stream === OutputStream.OUTPUT_STREAM_STDERR ? 'stderr' : 'stdout',
    level: event.level,
    text: event.text,
    time: event.time ?? new Date(0),
  };
}

/** Wire value → public value (parses the JSON). */
export function toExecutionValue(value: WireValue | undefined): ExecutionValue {
  const json = value?.json ?? '';
  const hasJson = value?.hasJson ?? false;
  let parsed: unknown = undefined;
  if (hasJson) {
    try {
      parsed = JSON.parse(json);
    } catch {
      parsed = undefined;
    }
  }
  return { json, preview: value?.preview ?? '', hasJson, value: parsed };
}

const KIND_BY_WIRE: Readonly<Partial<Record<ErrorKind, FailureKind>>> = {
  [ErrorKind.ERROR_KIND_SYNTAX]: 'SYNTAX',
  [ErrorKind.ERROR_KIND_RUNTIME]: 'RUNTIME',
  [ErrorKind.ERROR_KIND_TIMEOUT]: 'TIMEOUT',
  [ErrorKind.ERROR_KIND_MEMORY_LIMIT]: 'MEMORY_LIMIT',
  [ErrorKind.ERROR_KIND_OUTPUT_LIMIT]: 'OUTPUT_LIMIT',
  [ErrorKind.ERROR_KIND_RESULT_TOO_LARGE]: 'RESULT_TOO_LARGE',
  [ErrorKind.ERROR_KIND_CANCELLED]: 'CANCELLED',
  [ErrorKind.ERROR_KIND_CPU_LIMIT]: 'CPU_LIMIT',
};

/** Wire failure → public failure (`0` line/column become `undefined`). */
export function toFailure(failure: WireFailure | undefined): ExecutionFailure {
  return {
    kind: (failure && KIND_BY_WIRE[failure.kind]) ?? 'UNKNOWN',
    name: failure?.name ?? '',
    message: failure?.message ?? '',
    stack: failure?.stack ?? '',
    line: failure?.line ? failure.line : undefined,
    column: failure?.column ? failure.column : undefined,
  };
}

/** Wire metrics → public metrics (zeros when absent). */
export function toMetrics(metrics: WireMetrics | undefined): ExecutionMetrics {
  return {
    cpuTimeMs: metrics?.cpuTimeMs ?? 0,
    wallTimeMs: metrics?.wallTimeMs ?? 0,
    queueWaitMs: metrics?.queueWaitMs ?? 0,
    heapUsedBytes: metrics?.heapUsedBytes ?? 0,
    heapPeakBytes: metrics?.heapPeakBytes ?? 0,
    outputBytes: metrics?.outputBytes ?? 0,
    workerId: metrics?.workerId ?? 0,
  };
}
