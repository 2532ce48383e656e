/**
 * Adapts async-function / async-generator handlers to grpc-js handlers (the nice-grpc shape):
 * - the caller is identified first ({@link AdaptOptions.authenticate}, the auth interceptor);
 * - the handler gets the request and a {@link CallContext} with an AbortSignal that fires when
 *   the client cancels or the deadline passes;
 * - a thrown value becomes a status through `status-mapping.ts` (the ONE mapping);
 * - server-streaming writes respect backpressure (wait for `drain`);
 * - exactly one access-log line is written per RPC at completion.
 */
import { once } from 'node:events';
import { performance } from 'node:perf_hooks';
import {
  Metadata,
  status as Status,
  type handleBidiStreamingCall,
  type handleClientStreamingCall,
  type handleServerStreamingCall,
  type handleUnaryCall,
  type ServerDuplexStream,
  type ServerReadableStream,
  type ServerUnaryCall,
  type ServerWritableStream,
  type UntypedHandleCall,
} from '@grpc/grpc-js';
import {
  context as otelContext,
  SpanKind,
  SpanStatusCode,
  trace,
  type Context,
  type Span,
} from '@opentelemetry/api';
import { ErrorCode, VmdError } from '@vmd/core';
import { extractContext, tracer } from '../telemetry/tracing.js';
import type { Logger } from 'pino';
import type { CallRegistry, RegisteredCall } from './call-registry.js';
import { logAccess, type AccessLogFields } from './interceptors/access-log.js';
import { toGrpcStatus, type MappedStatus } from './status-mapping.js';

/** Why a call's signal was aborted (`shutdown`: the daemon ended the call, see CallRegistry). */
export type AbortCause = 'cancelled' | 'deadline' | 'shutdown';

/** What a handler knows about its call. */
export interface CallContext {
  /** Aborted when the client cancels or the deadline passes (`signal.reason` is an {@link AbortCause}). */
  readonly signal: AbortSignal;
  readonly metadata: Metadata;
  readonly peer: string;
  /** Absolute deadline, epoch ms; `Infinity` when the call has none. */
  readonly deadlineMs: number;
  /** Extra fields for the access-log line (`tenant_id`, `outcome`, …). Never code or data. */
  readonly logFields: AccessLogFields;
}

export type UnaryHandler<Req, Res> = (request: Req, ctx: CallContext) => Promise<Res>;
export type ServerStreamingHandler<Req, Res> = (request: Req, ctx: CallContext) => AsyncIterable<Res>;
/** A bidirectional handler: reads the client's messages, yields the server's. */
export type BidiStreamingHandler<Req, Res> = (
  requests: AsyncIterable<Req>,
  ctx: CallContext,
) => AsyncIterable<Res>;

/** Shared dependencies of the adapters. */
export interface AdaptOptions {
  /** The `grpc` component logger (internal errors; access lines too, unless `accessLogger`). */
  logger: Logger;
  /** Where the one access line per RPC goes (see telemetry/logger.ts `accessLogger`). */
  accessLogger?: Logger;
  /**
   * The auth interceptor, run before the handler: identifies the caller (secure mode: missing or
   * invalid credentials end the call UNAUTHENTICATED before the request is looked at) and sets
   * the access line's `principal`. The handler's own checks reuse its answer.
   */
  authenticate?: (ctx: CallContext) => Promise<unknown>;
  /** Told of every finished RPC: its path (`/vmd.v1.ExecutionService/Execute`) and status. */
  onFinish?: (path: string, code: Status) => void;
  /** Where calls in flight are registered, so the shutdown drain can wait for and end them. */
  calls?: CallRegistry;
}

/** How a call is set up (see {@link CallTracker}). */
interface TrackOptions {
  /** A stream that never ends on its own: the drain ends it at once (see CallRegistry). */
  endless?: boolean;
  /** Sends a status to the client (when the daemon ends the call itself). */
  sendStatus?: (status: MappedStatus) => void;
}

/** Splits `/vmd.v1.ExecutionService/Execute` into service and method. */
export function splitPath(path: string): { service: string; method: string } {
  const [, service = '', method = ''] = path.split('/');
  return { service, method };
}

function deadlineOf(call: { getDeadline(): Date | number }): number {
  const d = call.getDeadline();
  const ms = d instanceof Date ? d.getTime() : d;
  return Number.isFinite(ms) ? ms : Infinity;
}

type AnyCall =
  | ServerUnaryCall<unknown, unknown>
  | ServerWritableStream<unknown, unknown>
  | ServerReadableStream<unknown, unknown>
  | ServerDuplexStream<unknown, unknown>;

class CallTracker implements RegisteredCall {
  readonly started = performance.now();
  readonly controller = new AbortController();
  readonly ctx: CallContext;
  /** The call's SERVER span; its parent is the caller's trace context, if it sent one. */
  readonly span: Span;
  /** The context handlers run in (the call's span is active). */
  readonly otel: Context;
  private done = false;
  /** The status the daemon ended the call with (terminate). */
  private terminatedWith: MappedStatus | undefined;
  readonly endless: boolean;
  private readonly sendStatus: ((status: MappedStatus) => void) | undefined;

  constructor(
    readonly path: string,
    readonly call: AnyCall,
    readonly opts: AdaptOptions,
    track: TrackOptions = {},
  ) {
    this.endless = track.endless ?? false;
    this.sendStatus = track.sendStatus;
    const { service, method } = splitPath(path);
    const parent = extractContext(call.metadata);
    this.span = tracer.startSpan(
      `${service}/${method}`,
      {
        kind: SpanKind.SERVER,
        attributes: { 'rpc.system': 'grpc', 'rpc.service': service, 'rpc.method': method },
      },
      parent,
    );
    this.otel = trace.setSpan(parent, this.span);
    const deadlineMs = deadlineOf(call);
    this.ctx = {
      signal: this.controller.signal,
      metadata: call.metadata,
      peer: call.getPeer(),
      deadlineMs,
      logFields: {},
    };
    (call as unknown as NodeJS.EventEmitter).on('cancelled', () => {
      const cause: AbortCause = Date.now() >= deadlineMs - 5 ? 'deadline' : 'cancelled';
      this.controller.abort(cause);
    });
    opts.calls?.add(this);
  }

  /** True once the call's status is settled (sent, or the client is gone). */
  get settled(): boolean {
    return this.done;
  }

  /**
   * Ends the call now with `error`'s status and trailers (the shutdown drain). The handler's
   * signal aborts (reason `shutdown`), so its run is cancelled; what it does afterwards is not
   * sent.
   */
  terminate(error: VmdError): void {
    if (this.done) return;
    const status = toGrpcStatus(error, this.opts.logger);
    this.terminatedWith = status;
    this.controller.abort('shutdown' satisfies AbortCause);
    this.sendStatus?.(status);
    this.finish(status);
  }

  /** The status to log for a call that was aborted by the client or the deadline. */
  abortedStatus(): MappedStatus {
    if (this.terminatedWith !== undefined) return this.terminatedWith;
    const deadline = this.controller.signal.reason === 'deadline';
    return {
      code: deadline ? Status.DEADLINE_EXCEEDED : Status.CANCELLED,
      details: deadline ? 'deadline exceeded' : 'cancelled by the client',
      metadata: new Metadata(),
      vmdCode: deadline ? ErrorCode.DEADLINE_EXCEEDED : ErrorCode.CANCELLED,
    };
  }

  /** Maps an error, unless the call is already gone (then it is only logged as cancelled). */
  statusFor(err: unknown): MappedStatus {
    if (
      this.controller.signal.aborted &&
      !(err instanceof VmdError && err.code === ErrorCode.DEADLINE_EXCEEDED)
    ) {
      return this.abortedStatus();
    }
    return toGrpcStatus(err, this.opts.logger);
  }

  finish(status: { code: Status; vmdCode?: string }): void {
    if (this.done) return;
    this.done = true;
    this.opts.calls?.delete(this);
    const { service, method } = splitPath(this.path);
    const f = this.ctx.logFields;
    this.span.setAttributes({
      'rpc.grpc.status_code': status.code,
      ...(status.vmdCode !== undefined ? { 'vmd.error_code': status.vmdCode } : {}),
      ...(f.tenant_id !== undefined ? { 'vmd.tenant': f.tenant_id } : {}),
      ...(f.outcome !== undefined ? { 'vmd.outcome': f.outcome } : {}),
      ...(f.function !== undefined ? { 'vmd.function': f.function } : {}),
    });
    if (status.code !== Status.OK)
      this.span.setStatus({ code: SpanStatusCode.ERROR, message: status.vmdCode ?? String(status.code) });
    const sc = this.span.spanContext();
    if (trace.isSpanContextValid(sc) && this.span.isRecording()) {
      f.trace_id = sc.traceId;
      f.span_id = sc.spanId;
    }
    this.span.end();
    this.opts.onFinish?.(this.path, status.code);
    logAccess(this.opts.accessLogger ?? this.opts.logger, {
      rpc_service: service,
      rpc_method: method,
      grpc_code: status.code,
      vmd_error_code: status.vmdCode,
      duration_ms: performance.now() - this.started,
      peer: this.ctx.peer,
      fields: this.ctx.logFields,
    });
  }
}

/** Adapts an async unary handler. */
export function adaptUnary<Req, Res>(
  path: string,
  handler: UnaryHandler<Req, Res>,
  opts: AdaptOptions,
): handleUnaryCall<Req, Res> {
  return (call, callback) => {
    const t = new CallTracker(path, call, opts, { sendStatus: (s) => callback(s) });
    otelContext
      .with(t.otel, async () => {
        await opts.authenticate?.(t.ctx);
        return handler(call.request, t.ctx);
      })
      .then(
        (res) => {
          if (t.settled) return;
          callback(null, res);
          t.finish({ code: Status.OK });
        },
        (err: unknown) => {
          if (t.settled) return;
          const status = t.statusFor(err);
          callback(status);
          t.finish(status);
        },
      );
  };
}

/**
 * Writes what a streaming handler yields (waiting for `drain` when the client is slow), then
 * ends the call OK, or with the status of what the handler threw; runs in the call's trace
 * context. Shared by the server-streaming and bidirectional adapters.
 */
function pump<Res>(
  t: CallTracker,
  call: ServerWritableStream<unknown, Res> | ServerDuplexStream<unknown, Res>,
  produce: () => AsyncIterable<Res>,
  opts: AdaptOptions,
): void {
  void otelContext
    .with(t.otel, async () => {
      try {
        for await (const message of produce()) {
          if (t.ctx.signal.aborted) break;
          if (!call.write(message)) {
            await once(call, 'drain', { signal: t.ctx.signal });
          }
        }
        if (t.ctx.signal.aborted) {
          t.finish(t.abortedStatus());
          return;
        }
        call.end();
        t.finish({ code: Status.OK });
      } catch (err) {
        const status = t.statusFor(err);
        if (!t.ctx.signal.aborted) call.emit('error', status);
        t.finish(status);
      }
    })
    .catch((err: unknown) => {
      opts.logger.error({ err }, 'stream handler failed');
    });
}

/** A streaming handler's output, once the caller is identified (a refusal is the call's status). */
async function* authenticated<Res>(
  opts: AdaptOptions,
  ctx: CallContext,
  produce: () => AsyncIterable<Res>,
): AsyncIterable<Res> {
  await opts.authenticate?.(ctx);
  yield* produce();
}

/**
 * Adapts an async-generator (or any AsyncIterable) server-streaming handler. `endless`: the
 * stream never ends on its own (WatchStats), so the shutdown drain ends it when it begins.
 */
export function adaptServerStreaming<Req, Res>(
  path: string,
  handler: ServerStreamingHandler<Req, Res>,
  opts: AdaptOptions,
  stream: { endless?: boolean } = {},
): handleServerStreamingCall<Req, Res> {
  return (call) => {
    const t = new CallTracker(path, call, opts, {
      endless: stream.endless ?? false,
      sendStatus: (s) => call.emit('error', s),
    });
    pump(t, call, () => authenticated(opts, t.ctx, () => handler(call.request, t.ctx)), opts);
  };
}

/**
 * Adapts a bidirectional handler: it gets the client's messages as an async iterable (ending
 * when the client half-closes) and yields responses (backpressure respected). Returning ends
 * the call OK; a throw becomes its status.
 */
export function adaptBidiStreaming<Req, Res>(
  path: string,
  handler: BidiStreamingHandler<Req, Res>,
  opts: AdaptOptions,
): handleBidiStreamingCall<Req, Res> {
  return (call) => {
    const t = new CallTracker(path, call, opts, { sendStatus: (s) => call.emit('error', s) });
    pump(t, call, () => authenticated(opts, t.ctx, () => handler(call as AsyncIterable<Req>, t.ctx)), opts);
  };
}

/**
 * A handler for any method type that answers with the given error (e.g. UNIMPLEMENTED), still
 * writing the access-log line.
 */
export function adaptFailing(
  path: string,
  kind: { requestStream: boolean; responseStream: boolean },
  makeError: () => VmdError,
  opts: AdaptOptions,
): UntypedHandleCall {
  if (!kind.requestStream && !kind.responseStream) {
    return adaptUnary<unknown, unknown>(path, () => Promise.reject(makeError()), opts);
  }
  if (!kind.requestStream) {
    return adaptServerStreaming<unknown, unknown>(
      path,
      // eslint-disable-next-line require-yield
      async function* () {
        throw makeError();
      },
      opts,
    );
  }
  if (!kind.responseStream) {
    const h: handleClientStreamingCall<unknown, unknown> = (call, callback) => {
      const t = new CallTracker(path, call, opts);
      const status = t.statusFor(makeError());
      call.resume();
      callback(status);
      t.finish(status);
    };
    return h;
  }
  const h: handleBidiStreamingCall<unknown, unknown> = (call) => {
    const t = new CallTracker(path, call, opts);
    const status = t.statusFor(makeError());
    call.resume();
    call.emit('error', status);
    t.finish(status);
  };
  return h;
}
