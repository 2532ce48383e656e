/**
 * `client.repl()`: an interactive session (vmd.v1.ReplService) whose state lives in one isolate
 * in the daemon. Inputs run in order; each resolves with its value, its failure, or
 * `incomplete` (send more lines). A dropped connection does not end the session: `resume` it by
 * id within its idle TTL.
 */
import { status as GrpcStatus, type ClientDuplexStream, type ServiceError } from '@grpc/grpc-js';
import { callMetadata } from './call-options.js';
import { VmdClientError, toVmdClientError } from './errors.js';
import {
  UINT32_MAX,
  UINT64_SAFE_MAX,
  limit,
  toExecutionValue,
  toFailure,
  toMetrics,
  toOutputEvent,
} from './execution.js';
import type {
  ExecutionFailure,
  ExecutionMetrics,
  ExecutionOutputEvent,
  ExecutionValue,
} from './execution-types.js';
import type { OpenSession, ReplServiceClient, SessionRequest, SessionResponse } from './gen/vmd/v1/repl.js';

/** Options of {@link VmdClient.repl}. */
export interface ReplOptions {
  /** The tenant (secure mode: the API key's tenant, or empty). @default the client's tenant */
  tenant?: string;
  /** Resume this session (after a dropped connection) instead of opening a new one. */
  resume?: string;
  /** Per-input limits and the session heap, clamped to the tenant's quota. */
  limits?: { memoryMib?: number; cpuTimeMs?: number; wallTimeMs?: number; outputBytes?: number };
  /** Previews with ANSI colours. @default false */
  color?: boolean;
  /** Idle time after which the daemon discards the session, ms (at most the daemon's). */
  idleTtlMs?: number;
  /**
   * Output of timers firing between inputs. If it throws, the session is closed (in the daemon
   * too: its bindings are gone): `ended` resolves with reason `callback_error`, and pending and
   * later requests reject with a `CANCELLED` {@link VmdClientError} whose `cause` is the thrown
   * value. A callback that may fail should catch its own errors.
   */
  onBackgroundOutput?: (event: ExecutionOutputEvent) => void;
}

/** What one input gave. */
export type ReplEvalResult =
  | { status: 'ok'; value: ExecutionValue; metrics: ExecutionMetrics; output: ExecutionOutputEvent[] }
  | {
      status: 'error';
      failure: ExecutionFailure;
      /** The session had to restart: every binding is gone. */
      stateLost: boolean;
      metrics: ExecutionMetrics;
      output: ExecutionOutputEvent[];
    }
  | { status: 'incomplete'; output: ExecutionOutputEvent[] };

/**
 * Why a session ended: from the daemon `closed`, `idle_timeout`, `max_lifetime`,
 * `worker_crashed`, `shutting_down`, `resumed_elsewhere`, `key_revoked` (an API key it was opened
 * or resumed with was revoked), `tenant_deleted`, …; from this client `client_closed`
 * ({@link VmdClient.close}), `callback_error` (`onBackgroundOutput` threw), `stream_closed` or
 * `error` (the connection failed).
 */
export interface ReplEnded {
  reason: string;
  message: string;
}

interface PendingInput {
  output: ExecutionOutputEvent[];
  onOutput: ((event: ExecutionOutputEvent) => void) | undefined;
  /**
   * `onOutput` threw and `eval` rejected with it: the input's later output and its result are
   * dropped (it stays listed until its result arrives, so they are not taken for background output).
   */
  abandoned: boolean;
  resolve: (r: ReplEvalResult) => void;
  reject: (e: unknown) => void;
}

type Response = NonNullable<SessionResponse['response']>;

/** An open REPL session. */
export class ReplSessionClient {
  /** The session id (pass as `resume` to continue it from another connection). */
  id = '';
  /** The limits in effect (after clamping to the tenant's quota). */
  limits: { memoryMib: number; cpuTimeMs: number; wallTimeMs: number; outputBytes: number } = {
    memoryMib: 0,
    cpuTimeMs: 0,
    wallTimeMs: 0,
    outputBytes: 0,
  };
  /** True when this connection resumed an existing session. */
  resumed = false;
  /** Resolves when the session ends (the daemon says why) or the stream closes. */
  readonly ended: Promise<ReplEnded>;

  private readonly inputs = new Map<string, PendingInput>();
  private readonly completions = new Map<
    string,
    {
      resolve: (r: { prefix: string; candidates: string[] }) => void;
      reject: (e: VmdClientError) => void;
    }
  >();
  private readyWaiters: Array<{ resolve: () => void; reject: (e: VmdClientError) => void }> = [];
  private seq = 0;
  private finished: ReplEnded | undefined;
  private failure: VmdClientError | undefined;
  /** The stream has ended (its status arrived), whichever side ended it. */
  private streamDone = false;
  /** This side ended the session and asked the daemon to close it ({@link closeBecause}). */
  private closing = false;
  private markEnded!: (e: ReplEnded) => void;

  /** @internal use {@link VmdClient.repl}. */
  constructor(
    private readonly call: ClientDuplexStream<SessionRequest, SessionResponse>,
    private readonly where: { address: string },
    private readonly onBackgroundOutput: ((event: ExecutionOutputEvent) => void) | undefined,
  ) {
    this.ended = new Promise((resolve) => (this.markEnded = resolve));
    call.on('data', (m: SessionResponse) => {
      if (m.response) this.onResponse(m.response);
    });
    call.on('error', (err: ServiceError) => this.fail(toVmdClientError(err, { ...where, method: PATH })));
    call.on('end', () => this.finish({ reason: 'stream_closed', message: 'the daemon closed the stream' }));
    call.on('status', () => (this.streamDone = true));
  }

  /** @internal sends `open` (built by {@link buildOpenSession}) and waits for `ready`. */
  open(request: OpenSession): Promise<void> {
    const ready = this.nextReady();
    this.send({ $case: 'open', value: request });
    return ready;
  }

  /**
   * Evaluates one input (inputs run in the order sent). `onOutput` sees console lines as they
   * come; they are also collected in the result's `output`.
   *
   * If `onOutput` throws, `eval` rejects at once with that same exception (not wrapped), as
   * `functions.invoke` does when its `onLog` throws. The session stays open and keeps its
   * bindings: the input is not interrupted (an interrupt can discard the session's state), it
   * runs to its end within its limits, and its later output and its result are dropped. Inputs
   * sent after it wait for it as usual; call {@link interrupt} to stop it.
   * @throws whatever `onOutput` throws, unchanged
   * @throws VmdClientError when the session or the connection ends first (on a closed session:
   *   at once, with the same error as {@link complete} and {@link reset}); INVALID_ARGUMENT
   *   (field `code`, nothing sent) when `code` is not a string.
   */
  eval(
    code: string,
    options: { onOutput?: (event: ExecutionOutputEvent) => void } = {},
  ): Promise<ReplEvalResult> {
    const closed = this.closedError();
    if (closed) return Promise.reject(closed);
    if (typeof code !== 'string') {
      return Promise.reject(VmdClientError.invalidArgument('code', 'code must be a string'));
    }
    const inputId = `i${++this.seq}`;
    return new Promise<ReplEvalResult>((resolve, reject) => {
      this.inputs.set(inputId, {
        output: [],
        onOutput: options.onOutput,
        abandoned: false,
        resolve,
        reject,
      });
      this.send({ $case: 'input', value: { inputId, code } });
    });
  }

  /**
   * Completion candidates for `line` with the cursor at `cursor` (default: the end).
   * @throws VmdClientError like {@link eval} when the session has ended (or ends first);
   *   INVALID_ARGUMENT for a `line` that is not a string or a `cursor` out of range.
   */
  complete(line: string, cursor = line.length): Promise<{ prefix: string; candidates: string[] }> {
    const closed = this.closedError();
    if (closed) return Promise.reject(closed);
    if (typeof line !== 'string') {
      return Promise.reject(VmdClientError.invalidArgument('line', 'line must be a string'));
    }
    let at: number;
    try {
      at = limit('cursor', cursor, UINT32_MAX, 0);
    } catch (err) {
      return Promise.reject(toVmdClientError(err));
    }
    const requestId = `c${++this.seq}`;
    return new Promise((resolve, reject) => {
      this.completions.set(requestId, { resolve, reject });
      this.send({ $case: 'complete', value: { requestId, line, cursor: at } });
    });
  }

  /** Stops the running input (it resolves with a `CANCELLED` failure). No-op on an ended session. */
  interrupt(): void {
    if (!this.closedError()) this.send({ $case: 'interrupt', value: { inputId: '' } });
  }

  /**
   * Drops every binding: a fresh context in the same session.
   * @throws VmdClientError like {@link eval} when the session has ended (or ends first).
   */
  reset(): Promise<void> {
    const closed = this.closedError();
    if (closed) return Promise.reject(closed);
    const ready = this.nextReady();
    this.send({ $case: 'reset', value: {} });
    return ready;
  }

  /** Ends the session (frees its isolate in the daemon) and the stream. */
  async close(): Promise<void> {
    if (this.finished || this.failure) return;
    this.send({ $case: 'close', value: {} });
    this.call.end();
    await this.ended;
  }

  /** Drops the connection but keeps the session in the daemon (resume it by {@link id}). */
  detach(): void {
    this.call.cancel();
  }

  /**
   * @internal {@link VmdClient.close}: ends the session at once. Every request in flight, and
   * every later one, rejects with `error` (the client's closed-client error); `ended` resolves
   * with reason `client_closed`. The daemon is asked to close the session (freeing its isolate),
   * and the stream is cancelled if the daemon has not ended it within
   * {@link CLIENT_CLOSE_GRACE_MS}, so nothing keeps the process alive.
   */
  closeWithClient(error: VmdClientError): void {
    this.closeBecause(error, { reason: 'client_closed', message: error.message });
  }

  /** @internal an `open` that failed: drops the stream unless {@link closeWithClient} ends it. */
  abandonOpen(): void {
    if (!this.closing) this.call.cancel();
  }

  /**
   * Ends the session on this side with `error` (the error of every pending and later request),
   * asks the daemon to close it and cancels the stream if the daemon has not ended it within
   * {@link CLIENT_CLOSE_GRACE_MS}.
   */
  private closeBecause(error: VmdClientError, ended: ReplEnded): void {
    if (this.finished) return;
    this.closing = true;
    this.failure = error;
    this.finish(ended);
    try {
      this.call.write({ request: { $case: 'close', value: {} } });
      this.call.end();
    } catch {
      // The stream is already unusable: cancelling below is all that is left to do.
    }
    if (this.streamDone) return;
    const timer = setTimeout(() => {
      if (!this.streamDone) this.call.cancel();
    }, CLIENT_CLOSE_GRACE_MS);
    timer.unref();
    this.call.on('status', () => clearTimeout(timer));
  }

  private send(request: SessionRequest['request']): void {
    try {
      this.call.write({ request });
    } catch (err) {
      this.fail(toVmdClientError(err, { ...this.where, method: PATH }));
    }
  }

  /** The error of any request on an ended session (the same for every method), else undefined. */
  private closedError(): VmdClientError | undefined {
    if (this.failure) return this.failure;
    return this.finished ? this.endedError() : undefined;
  }

  private nextReady(): Promise<void> {
    const closed = this.closedError();
    if (closed) return Promise.reject(closed);
    return new Promise((resolve, reject) => this.readyWaiters.push({ resolve, reject }));
  }

  private onResponse(r: Response): void {
    switch (r.$case) {
      case 'ready': {
        this.id = r.value.sessionId;
        this.resumed = r.value.resumed;
        this.limits = {
          memoryMib: r.value.limits?.memoryMib ?? 0,
          cpuTimeMs: r.value.limits?.cpuTimeMs ?? 0,
          wallTimeMs: r.value.limits?.wallTimeMs ?? 0,
          outputBytes: r.value.limits?.outputBytes ?? 0,
        };
        this.readyWaiters.shift()?.resolve();
        return;
      }
      case 'output': {
        const event = toOutputEvent(r.value.output!);
        const pending = this.inputs.get(r.value.inputId);
        if (pending) {
          if (pending.abandoned) return;
          pending.output.push(event);
          try {
            pending.onOutput?.(event);
          } catch (error) {
            pending.abandoned = true;
            pending.reject(error);
          }
        } else {
          try {
            this.onBackgroundOutput?.(event);
          } catch (error) {
            const message = `onBackgroundOutput threw (${errorText(error)}); the REPL session was closed`;
            this.closeBecause(
              new VmdClientError({
                code: 'CANCELLED',
                grpcCode: GrpcStatus.CANCELLED,
                message,
                address: this.where.address,
                cause: error,
              }),
              { reason: 'callback_error', message },
            );
          }
        }
        return;
      }
      case 'result':
      case 'error':
      case 'incomplete': {
        const pending = this.inputs.get(r.value.inputId);
        if (!pending) return;
        this.inputs.delete(r.value.inputId);
        if (pending.abandoned) return;
        if (r.$case === 'incomplete') pending.resolve({ status: 'incomplete', output: pending.output });
        else if (r.$case === 'result')
          pending.resolve({
            status: 'ok',
            value: toExecutionValue(r.value.value),
            metrics: toMetrics(r.value.metrics),
            output: pending.output,
          });
        else
          pending.resolve({
            status: 'error',
            failure: toFailure(r.value.failure),
            stateLost: r.value.stateLost,
            metrics: toMetrics(r.value.metrics),
            output: pending.output,
          });
        return;
      }
      case 'completions': {
        const pending = this.completions.get(r.value.requestId);
        this.completions.delete(r.value.requestId);
        pending?.resolve({ prefix: r.value.prefix, candidates: r.value.candidates });
        return;
      }
      case 'ended':
        this.finish({ reason: r.value.reason, message: r.value.message });
        return;
    }
  }

  private endedError(): VmdClientError {
    return new VmdClientError({
      code: 'SESSION_NOT_FOUND',
      grpcCode: GrpcStatus.NOT_FOUND,
      message: `the REPL session ended (${this.finished?.reason ?? 'closed'}): ${this.finished?.message ?? ''}`,
      address: this.where.address,
    });
  }

  private finish(ended: ReplEnded): void {
    if (this.finished) return;
    this.finished = ended;
    const err = this.failure ?? this.endedError();
    for (const p of this.inputs.values()) p.reject(err);
    this.inputs.clear();
    for (const c of this.completions.values()) c.reject(err);
    this.completions.clear();
    for (const w of this.readyWaiters.splice(0)) w.reject(err);
    this.markEnded(ended);
  }

  private fail(err: VmdClientError): void {
    this.failure ??= err;
    this.finish({ reason: 'error', message: err.message });
  }
}

const PATH = '/vmd.v1.ReplService/Session';

/** A thrown value in a message: its own message when it is an Error. */
function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * How long {@link VmdClient.close} lets the daemon end a session's stream after asking it to
 * close the session, before cancelling the stream, ms.
 */
export const CLIENT_CLOSE_GRACE_MS = 1000;

/**
 * @internal opens a session stream on `raw`. `open` holds the sessions of the client, so that
 * closing the client ends them: the session is in it from the start (a close while opening
 * rejects the open) until it ends.
 */
export async function openRepl(
  raw: ReplServiceClient,
  where: { address: string },
  options: ReplOptions,
  tenant: string,
  open: Set<ReplSessionClient>,
): Promise<ReplSessionClient> {
  const request = buildOpenSession(options, tenant);
  const call = raw.session(callMetadata());
  const session = new ReplSessionClient(call, where, options.onBackgroundOutput);
  open.add(session);
  void session.ended.then(() => open.delete(session));
  try {
    await session.open(request);
  } catch (err) {
    session.abandonOpen();
    throw err;
  }
  return session;
}

/**
 * The `open` message of a session, with every numeric option checked on the client (nothing is
 * sent for an out-of-range value).
 * @throws VmdClientError INVALID_ARGUMENT naming the option, e.g. `limits.memoryMib`, `idleTtlMs`
 */
export function buildOpenSession(options: ReplOptions, tenant: string): OpenSession {
  const l = options.limits ?? {};
  return {
    tenant,
    limits: {
      memoryMib: limit('limits.memoryMib', l.memoryMib, UINT32_MAX),
      cpuTimeMs: limit('limits.cpuTimeMs', l.cpuTimeMs, UINT32_MAX),
      wallTimeMs: limit('limits.wallTimeMs', l.wallTimeMs, UINT32_MAX),
      outputBytes: limit('limits.outputBytes', l.outputBytes, UINT64_SAFE_MAX),
      resultBytes: 0,
      consoleLinesPerSecond: 0,
    },
    resumeSessionId: options.resume ?? '',
    color: options.color ?? false,
    idleTtlMs: limit('idleTtlMs', options.idleTtlMs, UINT32_MAX),
  };
}
