/**
 * The worker process entry (`child_process.fork(resolveWorkerSpawn().modulePath, { execArgv })`).
 *
 * One {@link Engine} per process. Parent messages are dispatched by an exhaustive switch; every
 * `run` ends with exactly one `run-result` (tenant outcome) or `run-error` (platform failure).
 * Nothing kills the process silently: uncaught exceptions and rejections are reported as `log`
 * messages. A `shutdown` (or the IPC channel closing) disposes every isolate first — a worker
 * never exits with a spinning isolate inside — then exits.
 */
import os from 'node:os';
import { Engine, type InvokeRequest, type RunHooks } from '../engine/engine.js';
import { BundleCache } from '../functions/bundle-cache.js';
import { ErrorCode } from '../errors/codes.js';
import { InternalError, NotFoundError, UnavailableError, VmdError } from '../errors/vmd-error.js';
import type { Logger, LogFields } from '../logging/logger.js';
import type { ExecutionOutcome, OutputEvent } from '../engine/types.js';
import type { ReplEvalOutcome, ReplSession } from '../repl/session.js';
import type { ParentMessage, WorkerMessage } from './protocol.js';
import { isParentMessage } from './protocol.js';

function send(message: WorkerMessage): void {
  if (process.connected && process.send !== undefined) {
    try {
      process.send(message);
    } catch {
      // channel closed mid-send: the disconnect handler exits
    }
  }
}

const logger: Logger = {
  debug: (fields: LogFields, msg: string) => send({ type: 'log', level: 'debug', msg, fields }),
  info: (fields: LogFields, msg: string) => send({ type: 'log', level: 'info', msg, fields }),
  warn: (fields: LogFields, msg: string) => send({ type: 'log', level: 'warn', msg, fields }),
  error: (fields: LogFields, msg: string) => send({ type: 'log', level: 'error', msg, fields }),
};

function errFields(err: unknown): LogFields {
  return err instanceof Error
    ? { err: { name: err.name, message: err.message, stack: err.stack } }
    : { err: String(err) };
}

/**
 * Function bundles this worker received, so the daemon need not send them with every invocation
 * (a 900 KiB bundle made a warm invocation 6.1 ms instead of 1.2). 64 MiB: many times the
 * bundles of the warm instances a worker keeps.
 */
const BUNDLE_CACHE_BYTES = 64 * 1024 * 1024;
const bundles = new BundleCache(BUNDLE_CACHE_BYTES);

let exiting = false;
/** Set when this process must be replaced: new runs are refused, in-flight runs finish. */
let draining: { code: number } | null = null;

/** Exit codes the supervisor can tell apart (EX_SOFTWARE / EX_TEMPFAIL). */
const EXIT_CATASTROPHIC = 70;
const EXIT_STUCK_ISOLATE = 75;

const engine = new Engine({
  logger,
  // On unless `vmd serve --no-isolate-snapshot` (the daemon sets this for its workers).
  isolateSnapshot: process.env['VMD_ISOLATE_SNAPSHOT'] !== '0',
  // The daemon schedules, but the worker guards too: at most about cores + 1 runs in flight.
  maxConcurrentRuns: os.availableParallelism() + 1,
  // isolated-vm's advice: stop taking work, finish what is in flight, exit.
  onCatastrophicError: (message) => {
    logger.error(
      { component: 'worker', err: message },
      'isolated-vm catastrophic error; draining and exiting',
    );
    drain(EXIT_CATASTROPHIC);
  },
  // A thread still spins in a disposed isolate: only a process exit ends it.
  onStuckIsolate: () => {
    logger.error({ component: 'worker' }, 'isolate still running after dispose; draining and exiting');
    drain(EXIT_STUCK_ISOLATE);
  },
});

const controllers = new Map<string, AbortController>();
/** Capability calls waiting for the daemon's answer, by call id. */
const capabilityCalls = new Map<number, (resultJson: string) => void>();
let nextCallId = 1;

/** Forwards a capability call of run `requestId` to the daemon (which checks the grant). */
function capabilityHandler(requestId: string) {
  return (capability: string, op: string, argsJson: string): Promise<string> =>
    new Promise<string>((resolve) => {
      const callId = nextCallId++;
      capabilityCalls.set(callId, resolve);
      send({ type: 'cap-call', requestId, callId, capability, op, argsJson });
    });
}
/** Open REPL sessions by id (the daemon chooses ids and bounds how many a worker holds). */
const sessions = new Map<string, ReplSession>();
/** REPL inputs sent to this worker and not answered yet, by request id: `repl-interrupt` aborts one. */
const replInputs = new Map<string, AbortController>();
/** Sessions per worker, a backstop behind the daemon's own limits. */
const MAX_SESSIONS = 4096;

/** Largest text of one coalesced `output` message. */
const MAX_COALESCED_CHARS = 64 * 1024;
/** Past this many pending events in one turn, lines merge by level regardless of order. */
const MAX_EVENTS_PER_TURN = 64;

/**
 * Buffers a run's output and sends it once per event-loop turn, merging consecutive lines of the
 * same level into one event (texts joined with a newline). A console flood (a million lines a
 * second is allowed by some quotas) then costs a few IPC messages per turn instead of one per
 * line, which would starve this process's event loop and the pipe.
 */
class OutputCoalescer {
  private pending: OutputEvent[] = [];
  private scheduled = false;

  constructor(
    private readonly requestId: string,
    private readonly sendEvent: (event: OutputEvent) => void = (event) =>
      send({ type: 'output', requestId, event }),
  ) {}

  push(event: OutputEvent): void {
    // Merge into the latest event of the same level: the last one (order kept), or, once a turn
    // holds many events (a flood interleaving stdout and stderr), any earlier one (order between
    // levels inside this one turn is then given up to keep the message count bounded).
    const from = this.pending.length >= MAX_EVENTS_PER_TURN ? 0 : this.pending.length - 1;
    for (let i = this.pending.length - 1; i >= Math.max(0, from); i--) {
      const candidate = this.pending[i];
      if (
        candidate !== undefined &&
        candidate.level === event.level &&
        candidate.text.length + event.text.length < MAX_COALESCED_CHARS
      ) {
        candidate.text += `\n${event.text}`;
        this.schedule();
        return;
      }
    }
    this.pending.push({ ...event });
    this.schedule();
  }

  private schedule(): void {
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
  }

  flush(): void {
    this.scheduled = false;
    const events = this.pending;
    this.pending = [];
    for (const event of events) this.sendEvent(event);
  }
}

async function handleRun(message: Extract<ParentMessage, { type: 'run' | 'invoke' }>): Promise<void> {
  const { requestId } = message;
  if (draining !== null || exiting) {
    const error = new UnavailableError(
      ErrorCode.NO_HEALTHY_WORKER,
      'this worker is being replaced; retry on another worker',
    );
    send({ type: 'run-error', requestId, error: error.toWire() });
    return;
  }
  if (controllers.has(requestId)) {
    send({
      type: 'run-error',
      requestId,
      error: new InternalError(`duplicate requestId ${requestId}`).toWire(),
    });
    return;
  }
  let start: (hooks: RunHooks) => Promise<ExecutionOutcome>;
  if (message.type === 'invoke') {
    const { request } = message;
    const files = request.files ?? bundles.get(request.key);
    if (files === undefined) {
      send({ type: 'need-bundle', requestId });
      return;
    }
    if (request.files !== undefined) bundles.put(request.key, request.files);
    const invoke: InvokeRequest = { ...request, files };
    start = (hooks) => engine.invoke(invoke, hooks);
  } else {
    const { request } = message;
    start = (hooks) => engine.run(request, hooks);
  }
  const controller = new AbortController();
  controllers.set(requestId, controller);
  const output = new OutputCoalescer(requestId);
  try {
    const hooks = {
      signal: controller.signal,
      onOutput: (event: OutputEvent) => output.push(event),
      capability: capabilityHandler(requestId),
    };
    const outcome = await start(hooks);
    output.flush();
    send({ type: 'run-result', requestId, outcome });
  } catch (err) {
    output.flush();
    const error =
      err instanceof VmdError
        ? err
        : new InternalError('the worker failed to run the request', { cause: err });
    if (!(err instanceof VmdError))
      logger.error({ component: 'worker', request_id: requestId, ...errFields(err) }, 'run failed');
    send({ type: 'run-error', requestId, error: error.toWire() });
  } finally {
    controllers.delete(requestId);
    const d = draining as { code: number } | null; // set from engine callbacks
    if (d !== null && controllers.size === 0) shutdown(d.code);
  }
}

type ReplMessage = Extract<
  ParentMessage,
  { type: 'repl-open' | 'repl-eval' | 'repl-complete' | 'repl-reset' }
>;

/** One REPL request → exactly one `repl-reply` or `repl-error`. */
async function handleRepl(message: ReplMessage): Promise<void> {
  const { requestId, sessionId } = message;
  const fail = (error: VmdError): void => send({ type: 'repl-error', requestId, error: error.toWire() });
  try {
    if (message.type === 'repl-open') {
      if (draining !== null || exiting) {
        fail(new UnavailableError(ErrorCode.NO_HEALTHY_WORKER, 'this worker is being replaced; retry'));
        return;
      }
      if (sessions.has(sessionId)) throw new InternalError(`duplicate session id ${sessionId}`);
      if (sessions.size >= MAX_SESSIONS) {
        fail(new UnavailableError(ErrorCode.NO_HEALTHY_WORKER, 'this worker holds its maximum of sessions'));
        return;
      }
      const session = engine.openReplSession({
        limits: message.limits,
        onBackgroundOutput: (event) => send({ type: 'repl-output', sessionId, requestId: '', event }),
      });
      sessions.set(sessionId, session);
      send({ type: 'repl-reply', requestId, reply: { kind: 'opened' } });
      return;
    }
    const session = sessions.get(sessionId);
    if (session === undefined) {
      fail(
        new NotFoundError(
          ErrorCode.SESSION_NOT_FOUND,
          'session',
          sessionId,
          `no REPL session ${sessionId} in this worker`,
        ),
      );
      return;
    }
    switch (message.type) {
      case 'repl-eval': {
        const output = new OutputCoalescer(requestId, (event) =>
          send({ type: 'repl-output', sessionId, requestId, event }),
        );
        const interrupt = new AbortController();
        replInputs.set(requestId, interrupt);
        let outcome: ReplEvalOutcome;
        try {
          outcome = await session.eval(message.code, {
            onOutput: (event) => output.push(event),
            signal: interrupt.signal,
          });
        } finally {
          replInputs.delete(requestId);
        }
        output.flush();
        send({ type: 'repl-reply', requestId, reply: { kind: 'eval', outcome } });
        return;
      }
      case 'repl-complete': {
        const { prefix, candidates } = await session.complete(message.line, message.cursor);
        send({ type: 'repl-reply', requestId, reply: { kind: 'completions', prefix, candidates } });
        return;
      }
      case 'repl-reset':
        session.reset();
        send({ type: 'repl-reply', requestId, reply: { kind: 'reset' } });
        return;
    }
  } catch (err) {
    if (!(err instanceof VmdError))
      logger.error({ component: 'worker', request_id: requestId, ...errFields(err) }, 'REPL request failed');
    fail(
      err instanceof VmdError ? err : new InternalError('the worker failed the REPL request', { cause: err }),
    );
  }
}

function closeSession(sessionId: string): void {
  const session = sessions.get(sessionId);
  if (session === undefined) return;
  sessions.delete(sessionId);
  engine.closeReplSession(session);
}

function drain(code: number): void {
  if (draining !== null) return;
  draining = { code };
  if (controllers.size === 0) shutdown(code);
}

function handle(message: ParentMessage): void {
  switch (message.type) {
    case 'run':
    case 'invoke':
      void handleRun(message);
      return;
    case 'cancel':
      controllers.get(message.requestId)?.abort();
      return;
    case 'forget-warm':
      if (message.functionKeyPrefix) bundles.dropPrefix(message.functionKeyPrefix);
      engine.forgetWarm(message);
      return;
    case 'ping': {
      const s = engine.stats();
      send({
        type: 'pong',
        requestId: message.requestId,
        stats: {
          pid: process.pid,
          running: s.running,
          isolatesWarm: s.isolatesWarm,
          rssBytes: process.memoryUsage.rss(),
          runsCompleted: s.runsCompleted,
          replSessions: s.replSessions,
          warmInstances: s.warmInstances + s.tenantIsolates,
        },
      });
      return;
    }
    case 'shutdown':
      shutdown(0);
      return;
    case 'repl-open':
    case 'repl-eval':
    case 'repl-complete':
    case 'repl-reset':
      void handleRepl(message);
      return;
    case 'cap-result': {
      const resolve = capabilityCalls.get(message.callId);
      capabilityCalls.delete(message.callId);
      resolve?.(message.resultJson);
      return;
    }
    case 'repl-interrupt':
      // With a request id, that input only (an input that has ended is left alone); without,
      // whatever runs.
      if (message.requestId !== undefined) replInputs.get(message.requestId)?.abort();
      else sessions.get(message.sessionId)?.interrupt();
      return;
    case 'repl-close':
      closeSession(message.sessionId);
      return;
    default: {
      const unknown: never = message;
      logger.warn(
        { component: 'worker', message_type: String((unknown as { type?: unknown }).type) },
        'unknown parent message',
      );
    }
  }
}

function shutdown(code: number): void {
  if (exiting) return;
  exiting = true;
  // Dispose first: live runs resolve as CANCELLED and no isolate keeps spinning.
  engine.dispose();
  for (const c of controllers.values()) c.abort();
  // Let the cancelled runs' results flush over IPC, then leave. After a catastrophic error or
  // with a thread stuck in a disposed isolate, a normal exit can block on that thread (exit
  // handlers join native threads), so such a worker kills itself; the supervisor sees the signal.
  setTimeout(() => {
    if (code === 0) process.exit(0);
    process.kill(process.pid, 'SIGKILL');
  }, 50);
}

process.on('message', (raw: unknown) => {
  if (!isParentMessage(raw)) {
    logger.warn({ component: 'worker' }, 'malformed parent message');
    return;
  }
  try {
    handle(raw);
  } catch (err) {
    logger.error({ component: 'worker', ...errFields(err) }, 'message handler threw');
  }
});
process.on('disconnect', () => shutdown(0));
process.on('uncaughtException', (err) => {
  logger.error({ component: 'worker', ...errFields(err) }, 'uncaught exception');
});
process.on('unhandledRejection', (err) => {
  logger.error({ component: 'worker', ...errFields(err) }, 'unhandled rejection');
});

send({ type: 'ready', pid: process.pid });
