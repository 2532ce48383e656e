/**
 * vmd.v1.ReplService: interactive sessions over one bidirectional stream each.
 *
 * A session is an isolate pinned to one worker (core's ReplSession). It outlives its stream:
 * closing the stream without `close` keeps it for its idle TTL, and a new stream resumes it by
 * id — only for the same tenant (another tenant gets NOT_FOUND, as for an unknown id). Session
 * ids are random UUIDs, never guessable. Limits: per-input cpu/wall/output and the session heap
 * (clamped to the tenant's quota), an idle TTL, a maximum lifetime, open sessions per tenant
 * (quota `repl_sessions`) and in the daemon. When a session ends for any reason its stream gets
 * `ended` with the reason and closes.
 *
 * A session lives for hours, so the credentials it was opened with are not trusted for that long:
 * revoking an API key ends the sessions opened (or resumed) with it at once, deleting a tenant
 * ends its sessions (freeing their isolates), and every input, completion or reset first asks
 * whether the session's keys are still valid (the key cache: a revocation made by another
 * daemon sharing the store is seen within its TTL).
 */
import { randomUUID } from 'node:crypto';
import {
  ErrorCode,
  FailureKind,
  InvalidArgumentError,
  NotFoundError,
  ResourceExhaustedError,
  UnavailableError,
  VmdError,
  clampToQuota,
  colorizePreview,
  noRunMetrics,
  type Limits,
  type ReplEvalOutcome,
} from '@vmd/core';
import { type SessionRequest, type SessionResponse, type Limits as WireLimits } from '@vmd/client/wire';
import type { Logger } from 'pino';
import type { BidiStreamingHandler, CallContext } from '../grpc/adapt-handlers.js';
import { EventChannel } from '../grpc/event-channel.js';
import { validateCode, validateLimits, validateTenantId } from '../grpc/validate-request.js';
import type { Scheduler, Slot } from '../scheduler/scheduler.js';
import { Admission } from '../tenants/admission.js';
import type { TenantRegistry } from '../tenants/tenant-registry.js';
import { platformFailureCode, type RunMeter } from '../tenants/usage-recorder.js';
import type { SessionPlacement, WorkerPool } from '../workers/worker-pool.js';
import { toWireFailure, toWireMetrics, toWireOutput } from './execution-service.js';

/** Daemon-wide REPL settings. */
export interface ReplSettings {
  /** Idle time after which a session is discarded (a client may ask for less), ms. */
  idleTtlMs: number;
  /** A session ends this long after it opened, whatever it does, ms. */
  maxLifetimeMs: number;
  /** Open sessions in the daemon. */
  maxSessions: number;
}

export interface ReplServiceDeps {
  pool: WorkerPool;
  tenants: TenantRegistry;
  settings: ReplSettings;
  maxCodeBytes: number;
  isShuttingDown: () => boolean;
  /**
   * Secure mode: the tenant the call acts as (see ExecutionService) and the id of the API key
   * it was made with.
   */
  authorizeTenant?: (ctx: CallContext, requested: string) => Promise<{ tenant: string; keyId?: string }>;
  /**
   * Secure mode: whether an API key that opened or resumed a session may still be used
   * (`ApiKeyAuthenticator.status`); asked before each input, completion and reset.
   */
  keyStatus?: (keyId: string) => Promise<'valid' | 'revoked' | 'unknown'>;
  usage?: RunMeter;
  /** Per-tenant rate and concurrency, shared with the other services that run code. */
  admission?: Admission;
  /**
   * The run slots Execute and Invoke wait for: each input takes one while it runs, queued
   * fairly across tenants with theirs, so REPL inputs neither jump the queue nor starve it.
   */
  scheduler: Scheduler;
  logger: Logger;
}

/** Why a session ended (SessionEnded.reason). */
type EndReason =
  | 'closed'
  | 'idle_timeout'
  | 'max_lifetime'
  | 'worker_crashed'
  | 'shutting_down'
  | 'key_revoked'
  | 'tenant_deleted';

interface Session {
  readonly id: string;
  readonly tenant: string;
  readonly placement: SessionPlacement;
  readonly limits: Limits;
  readonly idleTtlMs: number;
  /** Secure mode: the API keys that opened or resumed the session; revoking one ends it. */
  readonly keys: Set<string>;
  color: boolean;
  /** The stream attached now, if any. */
  attached: EventChannel<SessionResponse> | undefined;
  running: number;
  /** Aborted when the session ends: its inputs still waiting for a run slot leave the queue. */
  readonly ending: AbortController;
  /**
   * Inputs not answered yet, by input id: an interrupt takes one out of the run-slot queue, or
   * stops it in its worker (running, or queued behind the session's earlier inputs).
   */
  readonly inputs: Map<string, AbortController>;
  idleTimer: NodeJS.Timeout | undefined;
  lifetimeTimer: NodeJS.Timeout;
  ended: boolean;
}

export interface ReplService {
  session: BidiStreamingHandler<SessionRequest, SessionResponse>;
  /** Open sessions. */
  readonly size: number;
  /** Open sessions of one tenant. */
  sessionsOf(tenant: string): number;
  /** Ends every session (shutdown). */
  closeAll(reason: EndReason, message: string): void;
  /** Ends the sessions opened or resumed with an API key (it was revoked). @returns how many */
  keyRevoked(keyId: string): number;
  /** Ends a tenant's sessions and frees their isolates (it was deleted). @returns how many */
  tenantDeleted(tenant: string): number;
}

export function createReplService(deps: ReplServiceDeps): ReplService {
  const sessions = new Map<string, Session>();
  const perTenant = new Map<string, number>();
  /**
   * How many times each tenant was deleted while this daemon ran. An open that waits for its
   * worker while its tenant is deleted sees the count change and is refused, instead of adding
   * a session after tenantDeleted ended the others.
   */
  const deletions = new Map<string, number>();
  const admission = deps.admission ?? new Admission();

  const end = (s: Session, reason: EndReason, message: string): void => {
    if (s.ended) return;
    s.ended = true;
    s.ending.abort();
    sessions.delete(s.id);
    const left = (perTenant.get(s.tenant) ?? 1) - 1;
    if (left <= 0) perTenant.delete(s.tenant);
    else perTenant.set(s.tenant, left);
    if (s.idleTimer) clearTimeout(s.idleTimer);
    clearTimeout(s.lifetimeTimer);
    deps.pool.replClose(s.placement, s.id);
    const stream = s.attached;
    s.attached = undefined;
    stream?.push({ response: { $case: 'ended', value: { reason, message } } });
    stream?.close();
    deps.logger.debug({ session_id: s.id, tenant_id: s.tenant, reason }, 'REPL session ended');
  };

  /** (Re)starts the idle timer; it does not fire while an input runs. */
  const touch = (s: Session): void => {
    if (s.idleTimer) clearTimeout(s.idleTimer);
    s.idleTimer = setTimeout(() => {
      if (s.running > 0) {
        touch(s);
        return;
      }
      end(s, 'idle_timeout', `the session was idle for ${s.idleTtlMs} ms and was discarded`);
    }, s.idleTtlMs);
    s.idleTimer.unref();
  };

  async function open(
    ctx: CallContext,
    req: Extract<SessionRequest['request'], { $case: 'open' }>['value'],
  ): Promise<{ session: Session; resumed: boolean }> {
    if (req.tenant !== '') validateTenantId(req.tenant);
    const acting = deps.authorizeTenant
      ? await deps.authorizeTenant(ctx, req.tenant)
      : { tenant: req.tenant };
    const tenantId = validateTenantId(acting.tenant);
    ctx.logFields.tenant_id = tenantId;
    if (req.resumeSessionId !== '') {
      const s = sessions.get(req.resumeSessionId);
      if (s === undefined || s.tenant !== tenantId) {
        throw new NotFoundError(
          ErrorCode.SESSION_NOT_FOUND,
          'session',
          req.resumeSessionId,
          `REPL session '${req.resumeSessionId}' was not found (it expired, was closed, or belongs to another tenant); open a new one`,
        );
      }
      const previous = s.attached;
      if (previous !== undefined) {
        previous.push({
          response: {
            $case: 'ended',
            value: { reason: 'resumed_elsewhere', message: 'another connection resumed this session' },
          },
        });
        previous.close();
      }
      s.color = req.color;
      if (acting.keyId !== undefined) s.keys.add(acting.keyId);
      return { session: s, resumed: true };
    }

    const tenant = await deps.tenants.resolve(tenantId);
    const deletionsAtOpen = deletions.get(tenantId) ?? 0;
    const allowed = tenant.admission?.replSessions ?? Infinity;
    if ((perTenant.get(tenantId) ?? 0) >= allowed) {
      throw new ResourceExhaustedError(
        ErrorCode.QUOTA_EXCEEDED,
        `tenant '${tenantId}' already has ${allowed} REPL sessions open, its quota; close one (.exit) or wait for one to expire`,
        1000,
      );
    }
    if (sessions.size >= deps.settings.maxSessions) {
      throw new ResourceExhaustedError(
        ErrorCode.QUOTA_EXCEEDED,
        `vmd holds its maximum of ${deps.settings.maxSessions} REPL sessions; retry later`,
        5000,
      );
    }
    const limits = clampToQuota(validateLimits(req.limits), tenant.quota);
    const id = randomUUID();
    const idleTtlMs =
      req.idleTtlMs > 0 ? Math.min(req.idleTtlMs, deps.settings.idleTtlMs) : deps.settings.idleTtlMs;
    perTenant.set(tenantId, (perTenant.get(tenantId) ?? 0) + 1);
    let session: Session | undefined;
    try {
      const placement = await deps.pool.openSession(id, limits, {
        onBackgroundOutput: (event) =>
          session?.attached?.push({
            response: { $case: 'output', value: { inputId: '', output: toWireOutput(event) } },
          }),
        onLost: (err) => {
          if (session)
            end(
              session,
              err.code === ErrorCode.SHUTTING_DOWN ? 'shutting_down' : 'worker_crashed',
              err.message,
            );
        },
      });
      session = {
        id,
        tenant: tenantId,
        placement,
        limits,
        idleTtlMs,
        keys: new Set(acting.keyId === undefined ? [] : [acting.keyId]),
        color: req.color,
        attached: undefined,
        running: 0,
        ending: new AbortController(),
        inputs: new Map(),
        idleTimer: undefined,
        lifetimeTimer: setTimeout(() => {
          if (session)
            end(
              session,
              'max_lifetime',
              `the session reached its maximum lifetime of ${deps.settings.maxLifetimeMs} ms`,
            );
        }, deps.settings.maxLifetimeMs).unref(),
        ended: false,
      };
    } catch (err) {
      const left = (perTenant.get(tenantId) ?? 1) - 1;
      if (left <= 0) perTenant.delete(tenantId);
      else perTenant.set(tenantId, left);
      throw err;
    }
    sessions.set(id, session);
    if ((deletions.get(tenantId) ?? 0) !== deletionsAtOpen) {
      end(session, 'tenant_deleted', tenantDeletedMessage(tenantId));
      throw new NotFoundError(
        ErrorCode.TENANT_NOT_FOUND,
        'tenant',
        tenantId,
        `tenant '${tenantId}' was deleted while the session was opening; no session was opened`,
      );
    }
    return { session, resumed: false };
  }

  /**
   * Ends the session (and answers false) if one of its API keys was revoked, or is gone with its
   * tenant, since it was last checked; true otherwise, and always in local mode.
   */
  async function keysStillValid(s: Session): Promise<boolean> {
    if (deps.keyStatus === undefined) return true;
    for (const keyId of s.keys) {
      const status = await deps.keyStatus(keyId);
      if (status === 'revoked') {
        end(s, 'key_revoked', keyRevokedMessage(keyId));
        return false;
      }
      if (status === 'unknown') {
        end(s, 'tenant_deleted', tenantDeletedMessage(s.tenant));
        return false;
      }
    }
    return !s.ended;
  }

  async function evalInput(
    s: Session,
    inputId: string,
    code: string,
    out: EventChannel<SessionResponse>,
  ): Promise<void> {
    // Registered before the first await, so an interrupt that follows the input on the stream
    // always finds it.
    const interrupt = new AbortController();
    s.inputs.set(inputId, interrupt);
    try {
      await runInput(s, inputId, code, out, interrupt);
    } finally {
      if (s.inputs.get(inputId) === interrupt) s.inputs.delete(inputId);
    }
  }

  async function runInput(
    s: Session,
    inputId: string,
    code: string,
    out: EventChannel<SessionResponse>,
    interrupt: AbortController,
  ): Promise<void> {
    let slot: Slot;
    let release: () => void = () => undefined;
    try {
      const tenant = await deps.tenants.resolve(s.tenant);
      if (tenant.admission) release = admission.admit(s.tenant, tenant.admission);
      slot = await deps.scheduler.acquire(s.tenant, {
        signal: AbortSignal.any([s.ending.signal, interrupt.signal]),
        ...(tenant.admission
          ? { queueDepth: tenant.admission.queueDepth, weight: tenant.admission.weight }
          : {}),
      });
    } catch (err) {
      release();
      if (interrupt.signal.aborted && !s.ended) {
        // Ctrl-C while it waited: it never ran, and the session goes on.
        out.push(interruptedBeforeRunning(inputId, s.placement.workerId));
        return;
      }
      if (err instanceof ResourceExhaustedError) deps.usage?.recordRejected(s.tenant);
      throw err;
    }
    s.running++;
    let metered = false;
    try {
      const reply = await deps.pool.replRequest(
        s.placement,
        s.id,
        { type: 'repl-eval', code, wallTimeMs: s.limits.wallTimeMs, interrupt: interrupt.signal },
        (event) =>
          out.push({ response: { $case: 'output', value: { inputId, output: toWireOutput(event) } } }),
      );
      if (reply.kind !== 'eval')
        throw new VmdError(ErrorCode.INTERNAL, 'the worker answered an input with the wrong reply');
      const outcome: ReplEvalOutcome = reply.outcome;
      if (outcome.status !== 'incomplete') {
        metered = true;
        deps.usage?.recordRun(s.tenant, {
          cpuMs: outcome.metrics.cpuTimeMs,
          queueWaitMs: slot.queueWaitMs,
          heapBytes: outcome.metrics.heapUsedBytes,
          wallMs: outcome.metrics.wallTimeMs,
          outputBytes: outcome.metrics.outputBytes,
          kind: 'repl',
          ...(outcome.status === 'error' ? { failureKind: outcome.failure.kind } : {}),
        });
      }
      out.push(toWireOutcome(inputId, outcome, s.color, s.placement.workerId, slot.queueWaitMs));
    } catch (err) {
      // An input lost to a platform failure (its worker crashed, the daemon stopped) counts too.
      const platformError = metered ? undefined : platformFailureCode(err);
      if (platformError !== undefined) {
        deps.usage?.recordRun(s.tenant, {
          cpuMs: 0,
          queueWaitMs: slot.queueWaitMs,
          kind: 'repl',
          platformError,
        });
      }
      throw err;
    } finally {
      s.running--;
      slot.release();
      release();
      touch(s);
    }
  }

  const refuseWhileShuttingDown = (): void => {
    if (deps.isShuttingDown()) {
      throw new UnavailableError(ErrorCode.SHUTTING_DOWN, 'vmd is shutting down; retry on another instance');
    }
  };

  const session: BidiStreamingHandler<SessionRequest, SessionResponse> = async function* (requests, ctx) {
    refuseWhileShuttingDown();
    const it = requests[Symbol.asyncIterator]();
    const first = await it.next();
    if (first.done === true) return;
    const request = first.value.request;
    if (request?.$case !== 'open') {
      throw new InvalidArgumentError('request', 'the first message of a session stream must be `open`');
    }
    // The drain may have begun while the stream waited for its `open`.
    refuseWhileShuttingDown();
    const { session: s, resumed } = await open(ctx, request.value);
    ctx.logFields.session_id = s.id;
    ctx.logFields.resumed = resumed;
    const out = new EventChannel<SessionResponse>();
    s.attached = out;
    touch(s);
    out.push({
      response: {
        $case: 'ready',
        value: { sessionId: s.id, limits: toWireLimits(s.limits), resumed, idleTtlMs: s.idleTtlMs },
      },
    });

    let inputs = 0;
    let failure: unknown;
    const reading = (async () => {
      for (;;) {
        const next = await it.next();
        if (next.done === true || s.ended || s.attached !== out) return;
        const r = next.value.request;
        touch(s);
        const usesSession = r?.$case === 'input' || r?.$case === 'complete' || r?.$case === 'reset';
        if (usesSession && !(await keysStillValid(s))) return;
        switch (r?.$case) {
          case 'input': {
            validateCode(r.value.code, Math.min(deps.maxCodeBytes, s.limits.codeBytes), 'input.code');
            inputs++;
            const inputId = r.value.inputId;
            evalInput(s, inputId, r.value.code, out).catch((err: unknown) => {
              if (err instanceof ResourceExhaustedError) {
                failure = err;
                out.close();
                return;
              }
              const lost =
                err instanceof VmdError &&
                (err.code === ErrorCode.WORKER_CRASHED || err.code === ErrorCode.SESSION_NOT_FOUND);
              end(s, lost ? 'worker_crashed' : 'closed', err instanceof Error ? err.message : String(err));
            });
            break;
          }
          case 'complete': {
            const { requestId, line, cursor } = r.value;
            deps.pool
              .replRequest(s.placement, s.id, { type: 'repl-complete', line: line.slice(0, 10_000), cursor })
              .then(
                (reply) =>
                  out.push({
                    response: {
                      $case: 'completions',
                      value: {
                        requestId,
                        prefix: reply.kind === 'completions' ? reply.prefix : '',
                        candidates: reply.kind === 'completions' ? reply.candidates : [],
                      },
                    },
                  }),
                () =>
                  out.push({
                    response: { $case: 'completions', value: { requestId, prefix: '', candidates: [] } },
                  }),
              );
            break;
          }
          case 'interrupt': {
            // An input waiting for a run slot leaves the queue; one sent to the worker is stopped
            // there, whether it runs or waits behind earlier inputs. An input that has ended is
            // left alone. Empty id: every input of the session.
            const { inputId } = r.value;
            if (inputId === '') {
              for (const input of s.inputs.values()) input.abort();
              deps.pool.replInterrupt(s.placement, s.id);
            } else {
              s.inputs.get(inputId)?.abort();
            }
            break;
          }
          case 'reset':
            await deps.pool.replRequest(s.placement, s.id, { type: 'repl-reset' });
            out.push({
              response: {
                $case: 'ready',
                value: {
                  sessionId: s.id,
                  limits: toWireLimits(s.limits),
                  resumed: false,
                  idleTtlMs: s.idleTtlMs,
                },
              },
            });
            break;
          case 'close':
            end(s, 'closed', 'the session was closed');
            return;
          case 'open':
            throw new InvalidArgumentError('open', 'the session is already open on this stream');
          default:
            throw new InvalidArgumentError('request', 'empty session request');
        }
      }
    })().then(
      () => {
        // The client half-closed or went away: the session stays for its idle TTL.
        if (s.attached === out && s.running === 0) {
          s.attached = undefined;
          out.close();
        } else if (s.attached === out) {
          // Let running inputs answer, then close.
          const wait = setInterval(() => {
            if (s.running === 0 || s.attached !== out) {
              clearInterval(wait);
              if (s.attached === out) s.attached = undefined;
              out.close();
            }
          }, 20);
        }
      },
      (err: unknown) => {
        failure = err;
        if (s.attached === out) s.attached = undefined;
        out.close();
      },
    );
    ctx.signal.addEventListener('abort', () => {
      if (s.attached === out) s.attached = undefined;
      out.close();
    });
    try {
      yield* out;
    } finally {
      ctx.logFields.inputs = inputs;
      if (s.attached === out) s.attached = undefined;
    }
    void reading;
    if (failure !== undefined) throw failure;
  };

  return {
    session,
    get size() {
      return sessions.size;
    },
    sessionsOf(tenant) {
      return perTenant.get(tenant) ?? 0;
    },
    closeAll(reason, message) {
      for (const s of [...sessions.values()]) end(s, reason, message);
    },
    keyRevoked(keyId) {
      const ending = [...sessions.values()].filter((s) => s.keys.has(keyId));
      for (const s of ending) end(s, 'key_revoked', keyRevokedMessage(keyId));
      return ending.length;
    },
    tenantDeleted(tenant) {
      deletions.set(tenant, (deletions.get(tenant) ?? 0) + 1);
      const ending = [...sessions.values()].filter((s) => s.tenant === tenant);
      for (const s of ending) end(s, 'tenant_deleted', tenantDeletedMessage(tenant));
      return ending.length;
    },
  };
}

function keyRevokedMessage(keyId: string): string {
  return `API key ${keyId}, which this session was opened or resumed with, was revoked; the session and its state are gone (open a new one with a valid key)`;
}

function tenantDeletedMessage(tenant: string): string {
  return `tenant '${tenant}' was deleted; the session and its state are gone`;
}

function toWireLimits(l: Limits): WireLimits {
  return {
    memoryMib: l.memoryMib,
    cpuTimeMs: l.cpuTimeMs,
    wallTimeMs: l.wallTimeMs,
    outputBytes: l.outputBytes,
    resultBytes: l.resultBytes,
    consoleLinesPerSecond: l.consoleLinesPerSecond,
  };
}

/** The answer to an input interrupted while it waited for a run slot (it never ran). */
function interruptedBeforeRunning(inputId: string, workerId: number): SessionResponse {
  return {
    response: {
      $case: 'error',
      value: {
        inputId,
        failure: toWireFailure({
          kind: FailureKind.CANCELLED,
          name: 'AbortError',
          message: 'Interrupted before it ran (it was waiting for a run slot)',
          stack: '',
          line: 0,
          column: 0,
        }),
        metrics: toWireMetrics(noRunMetrics(), 0, workerId),
        stateLost: false,
      },
    },
  };
}

function toWireOutcome(
  inputId: string,
  outcome: ReplEvalOutcome,
  color: boolean,
  workerId: number,
  queueWaitMs: number,
): SessionResponse {
  if (outcome.status === 'incomplete') return { response: { $case: 'incomplete', value: { inputId } } };
  const metrics = toWireMetrics(outcome.metrics, queueWaitMs, workerId);
  if (outcome.status === 'ok') {
    return {
      response: {
        $case: 'result',
        value: {
          inputId,
          value: {
            json: outcome.json ?? '',
            preview: color ? colorizePreview(outcome.preview) : outcome.preview,
            hasJson: outcome.json !== undefined,
          },
          metrics,
        },
      },
    };
  }
  return {
    response: {
      $case: 'error',
      value: {
        inputId,
        failure: toWireFailure(outcome.failure),
        metrics,
        stateLost: outcome.stateLost,
      },
    },
  };
}
