/**
 * The typed IPC protocol between the daemon's worker pool and a worker process.
 *
 * Messages are discriminated unions keyed by `type`; every request carries a `requestId`
 * chosen by the parent. Both sides dispatch with an exhaustive switch.
 */
import type { VmdErrorWire } from '../errors/vmd-error.js';
import type { InvokeRequest } from '../engine/engine.js';
import type { ExecutionOutcome, ExecutionRequest, OutputEvent } from '../engine/types.js';
import type { Limits } from '../limits/limits.js';
import type { ReplEvalOutcome } from '../repl/session.js';

/** W3C trace context carried across the IPC boundary. */
export interface TraceCarrier {
  traceparent?: string;
  tracestate?: string;
}

/** Parent → worker. */
export type ParentMessage =
  | { type: 'run'; requestId: string; request: ExecutionRequest; trace?: TraceCarrier }
  /**
   * A deployed function's invocation: answered like `run` (`warm` set on the outcome). `files`
   * may be left out once this worker process has received them for the same key: it keeps them
   * (BundleCache), and answers `need-bundle` when it no longer has them.
   */
  | { type: 'invoke'; requestId: string; request: InvokeMessageRequest; trace?: TraceCarrier }
  | { type: 'cancel'; requestId: string }
  | { type: 'ping'; requestId: string }
  | { type: 'shutdown' }
  /**
   * Drops warm isolates a tenant's earlier runs left (it was deleted, or its isolation
   * changed): those kept for `isolateKey` (isolation `context`) and function instances whose key
   * starts with `functionKeyPrefix`. An absent field drops nothing of that kind. No answer.
   */
  | { type: 'forget-warm'; isolateKey?: string; functionKeyPrefix?: string }
  // REPL sessions live in one worker; each request is answered by one `repl-reply` or
  // `repl-error` with its requestId.
  | { type: 'repl-open'; requestId: string; sessionId: string; limits: Limits }
  | { type: 'repl-eval'; requestId: string; sessionId: string; code: string }
  | { type: 'repl-complete'; requestId: string; sessionId: string; line: string; cursor: number }
  | { type: 'repl-reset'; requestId: string; sessionId: string }
  /** Stops the session's input `requestId` (running or queued), or with none whatever runs. */
  | { type: 'repl-interrupt'; sessionId: string; requestId?: string }
  | { type: 'repl-close'; sessionId: string }
  /** The answer to a worker's `cap-call`: JSON `{ ok, value }` or `{ ok: false, error }`. */
  | { type: 'cap-result'; callId: number; resultJson: string };

/** An {@link InvokeRequest} whose bundle may be left out (see the `invoke` message). */
export type InvokeMessageRequest = Omit<InvokeRequest, 'files'> & { files?: InvokeRequest['files'] };

/** What a worker answers to a REPL request. */
export type ReplReply =
  | { kind: 'opened' }
  | { kind: 'eval'; outcome: ReplEvalOutcome }
  | { kind: 'completions'; prefix: string; candidates: string[] }
  | { kind: 'reset' };

/** Live numbers a worker reports on `ping`. */
export interface WorkerStats {
  pid: number;
  /** Runs in flight in this worker. */
  running: number;
  /** Ready (pre-warmed) isolates in the pool. */
  isolatesWarm: number;
  /** Resident set size, bytes. */
  rssBytes: number;
  /** Runs completed since the worker started. */
  runsCompleted: number;
  /** Open REPL sessions. */
  replSessions: number;
  /** Warm instances of deployed functions, plus warm isolates of tenants in isolation `context`. */
  warmInstances: number;
}

/** Worker → parent. */
export type WorkerMessage =
  | { type: 'ready'; pid: number }
  | { type: 'output'; requestId: string; event: OutputEvent }
  | { type: 'run-result'; requestId: string; outcome: ExecutionOutcome & { warm?: boolean } }
  | { type: 'run-error'; requestId: string; error: VmdErrorWire }
  /**
   * An `invoke` came without its bundle and this worker no longer has it: nothing ran, and the
   * requestId is free again. The daemon sends the invocation again with the files.
   */
  | { type: 'need-bundle'; requestId: string }
  | { type: 'pong'; requestId: string; stats: WorkerStats }
  | { type: 'repl-reply'; requestId: string; reply: ReplReply }
  /** Tenant code of run `requestId` called a capability; the daemon answers `cap-result`. */
  | { type: 'cap-call'; requestId: string; callId: number; capability: string; op: string; argsJson: string }
  | { type: 'repl-error'; requestId: string; error: VmdErrorWire }
  /** Output of a session: of the input `requestId`, or of its timers between inputs (''). */
  | { type: 'repl-output'; sessionId: string; requestId: string; event: OutputEvent }
  | {
      type: 'log';
      level: 'debug' | 'info' | 'warn' | 'error';
      msg: string;
      fields?: Record<string, unknown>;
    };

/** True if `value` looks like a {@link WorkerMessage} (cheap structural check on `type`). */
export function isWorkerMessage(value: unknown): value is WorkerMessage {
  return (
    typeof value === 'object' && value !== null && typeof (value as { type?: unknown }).type === 'string'
  );
}

/** True if `value` looks like a {@link ParentMessage}. */
export function isParentMessage(value: unknown): value is ParentMessage {
  return (
    typeof value === 'object' && value !== null && typeof (value as { type?: unknown }).type === 'string'
  );
}
