import { randomUUID } from 'node:crypto';
import {
  ErrorCode,
  FailureKind,
  InvalidArgumentError,
  ResourceExhaustedError,
  UnavailableError,
  VmdError,
  clampToQuota,
  type ExecutionFailure as CoreFailure,
  type ExecutionMetrics as CoreMetrics,
  type ExecutionOutcome,
  type ExecutionRequest,
  type OutputEvent as CoreOutputEvent,
} from '@vmd/core';
import {
  ErrorKind,
  OutputStream,
  type ExecuteRequest,
  type ExecuteResponse,
  type ExecutionFailure as WireFailure,
  type ExecutionMetrics,
  type OutputEvent,
} from '@vmd/client/wire';
import type { CallContext, ServerStreamingHandler } from '../grpc/adapt-handlers.js';
import { EventChannel } from '../grpc/event-channel.js';
import { activeCarrier, recordPhases, withSpan } from '../telemetry/tracing.js';
import { validateExecuteRequest, validateTenantId } from '../grpc/validate-request.js';
import type { Scheduler } from '../scheduler/scheduler.js';
import { Admission } from '../tenants/admission.js';
import type { TenantRegistry } from '../tenants/tenant-registry.js';
import { platformFailureCode, type RunMeter } from '../tenants/usage-recorder.js';
import type { WorkerPool } from '../workers/worker-pool.js';

/** A deadline leaving less than this (ms) cannot run anything useful: DEADLINE_EXCEEDED at once. */
export const MIN_RUN_MS = 5;

/** Dependencies of the execution service. */
export interface ExecutionServiceDeps {
  maxCodeBytes: number;
  tenants: TenantRegistry;
  scheduler: Scheduler;
  pool: WorkerPool;
  /** True once shutdown has begun. */
  isShuttingDown: () => boolean;
  /**
   * Secure mode: checks the caller's credentials and returns the tenant the call acts as
   * (`requested`, or the API key's tenant when `requested` is empty).
   * @default local mode: `requested` as it is
   */
  authorizeTenant?: (ctx: CallContext, requested: string) => Promise<string>;
  /** Counts runs and quota refusals per tenant (GetUsage). */
  usage?: RunMeter;
  /** Per-tenant rate and concurrency, shared with the other services that run code. */
  admission?: Admission;
}

/** The handlers of vmd.v1.ExecutionService. */
export interface ExecutionServiceHandlers {
  execute: ServerStreamingHandler<ExecuteRequest, ExecuteResponse>;
}

/**
 * vmd.v1.ExecutionService: validate → tenant → clamp limits (the gRPC deadline, if shorter,
 * becomes the wall limit) → scheduler → worker → stream started, output…, then exactly one
 * result or error. Tenant-code failures are `error` events on an OK call; platform failures are
 * statuses.
 */
export function createExecutionService(deps: ExecutionServiceDeps): ExecutionServiceHandlers {
  const admission = deps.admission ?? new Admission();
  let dispatched = 0;
  return {
    async *execute(req: ExecuteRequest, ctx: CallContext): AsyncGenerator<ExecuteResponse> {
      const arrived = performance.now();
      if (deps.isShuttingDown()) {
        throw new UnavailableError(
          ErrorCode.SHUTTING_DOWN,
          'vmd is shutting down and accepts no new executions; retry on another instance',
        );
      }
      if (req.tenant !== '') validateTenantId(req.tenant);
      const acting = deps.authorizeTenant ? await deps.authorizeTenant(ctx, req.tenant) : req.tenant;
      ctx.logFields.tenant_id = validateTenantId(acting);
      const valid = validateExecuteRequest({ ...req, tenant: acting }, { maxCodeBytes: deps.maxCodeBytes });
      const codeBytes = Buffer.byteLength(valid.code, 'utf8');
      ctx.logFields.code_bytes = codeBytes;
      const tenant = await deps.tenants.resolve(valid.tenantId);
      if (codeBytes > tenant.quota.codeBytes) {
        throw new InvalidArgumentError(
          'code',
          `code is ${codeBytes} bytes, more than tenant '${tenant.id}' may send (${tenant.quota.codeBytes} bytes): send smaller code`,
          ErrorCode.CODE_TOO_LARGE,
        );
      }
      const limits = clampToQuota(valid.requestedLimits, tenant.quota);
      ensureTimeLeft(ctx.deadlineMs);
      const refused = (err: unknown): never => {
        if (err instanceof ResourceExhaustedError) deps.usage?.recordRejected(tenant.id);
        throw err;
      };
      let release: () => void = () => undefined;
      try {
        if (tenant.admission) release = admission.admit(tenant.id, tenant.admission);
      } catch (err) {
        refused(err);
      }
      // Set once the run is counted, so a platform failure after that is not counted twice.
      let metered = false;
      let queueWaitMs = 0;
      try {
        const slot = await withSpan('vmd.queue', { 'vmd.tenant': tenant.id }, (span) =>
          deps.scheduler
            .acquire(tenant.id, {
              deadlineMs: ctx.deadlineMs - MIN_RUN_MS,
              signal: ctx.signal,
              ...(tenant.admission
                ? { queueDepth: tenant.admission.queueDepth, weight: tenant.admission.weight }
                : {}),
            })
            .then((granted) => {
              span.setAttribute('vmd.queue_wait_ms', granted.queueWaitMs);
              return granted;
            })
            .catch(refused),
        );
        queueWaitMs = slot.queueWaitMs;
        try {
          ctx.logFields.queue_wait_ms = round(slot.queueWaitMs);
          ctx.logFields.dispatch_seq = ++dispatched;
          const remaining = ensureTimeLeft(ctx.deadlineMs);
          const clampedByDeadline = remaining < limits.wallTimeMs;
          if (clampedByDeadline) limits.wallTimeMs = Math.max(1, Math.floor(remaining));

          const executionId = randomUUID();
          ctx.logFields.execution_id = executionId;
          yield { event: { $case: 'started', value: { executionId, queueWaitMs: slot.queueWaitMs } } };

          const request: ExecutionRequest = {
            code: valid.code,
            sourceType: valid.sourceType,
            inputJson: valid.inputJson,
            filename: valid.filename,
            limits,
            // isolation `context`: the key is the daemon's own tenant id, never the worker's or
            // the caller's word, so a warm isolate is never shared between tenants.
            ...(tenant.isolation === 'context' ? { isolateKey: tenant.id } : {}),
          };
          const channel = new EventChannel<ExecuteResponse>();
          let outputEvents = 0;
          const runStarted = performance.now();
          const running = withSpan(
            'vmd.worker.run',
            {
              'vmd.tenant': tenant.id,
              'vmd.limits.memory_mib': limits.memoryMib,
              'vmd.limits.cpu_time_ms': limits.cpuTimeMs,
              'vmd.limits.wall_time_ms': limits.wallTimeMs,
            },
            async (span) => {
              const result = await deps.pool.run(
                request,
                (event) => {
                  outputEvents++;
                  channel.push({ event: { $case: 'output', value: toWireOutput(event) } });
                },
                ctx.signal,
                activeCarrier(),
              );
              recordPhases(result.outcome.phases);
              const m = result.outcome.metrics;
              span.setAttributes({
                'vmd.worker_id': result.workerId,
                'vmd.outcome': result.outcome.status === 'ok' ? 'ok' : result.outcome.failure.kind,
                'vmd.cpu_time_ms': m.cpuTimeMs,
                'vmd.heap_used_bytes': m.heapUsedBytes,
                'vmd.wall_time_ms': m.wallTimeMs,
              });
              return result;
            },
          );
          running.then(
            () => channel.close(),
            () => channel.close(),
          );
          for await (const message of channel) yield message;
          const { outcome, workerId } = await running;
          ctx.logFields.run_ms = round(performance.now() - runStarted);
          ctx.logFields.worker_id = workerId;
          ctx.logFields.output_events = outputEvents;
          ctx.logFields.outcome = outcome.status === 'ok' ? 'ok' : outcome.failure.kind;
          if (outcome.warm !== undefined) ctx.logFields.warm = outcome.warm;
          metered = true;
          deps.usage?.recordRun(tenant.id, {
            cpuMs: outcome.metrics.cpuTimeMs,
            queueWaitMs: slot.queueWaitMs,
            heapBytes: outcome.metrics.heapUsedBytes,
            wallMs: outcome.metrics.wallTimeMs,
            totalMs: performance.now() - arrived,
            outputBytes: outcome.metrics.outputBytes,
            kind: 'execute',
            ...(outcome.status === 'error' ? { failureKind: outcome.failure.kind } : {}),
          });
          if (
            clampedByDeadline &&
            outcome.status === 'error' &&
            outcome.failure.kind === FailureKind.TIMEOUT &&
            outcome.metrics.wallTimeMs >= limits.wallTimeMs
          ) {
            // The caller's deadline, not the tenant's quota, ended the run: the same status the
            // caller gets when its own deadline fires first, whichever side wins the race.
            throw new VmdError(
              ErrorCode.DEADLINE_EXCEEDED,
              `the call's deadline (${limits.wallTimeMs} ms left when the run started) ended the run before it finished; use a longer deadline`,
            );
          }
          yield toTerminal(outcome, slot.queueWaitMs, workerId);
        } finally {
          slot.release();
        }
      } catch (err) {
        const platformError = metered ? undefined : platformFailureCode(err);
        if (platformError !== undefined) {
          deps.usage?.recordRun(tenant.id, {
            cpuMs: 0,
            queueWaitMs,
            totalMs: performance.now() - arrived,
            kind: 'execute',
            platformError,
          });
        }
        throw err;
      } finally {
        release();
      }
    },
  };
}

function ensureTimeLeft(deadlineMs: number): number {
  const remaining = deadlineMs - Date.now();
  if (remaining < MIN_RUN_MS) {
    throw new VmdError(
      ErrorCode.DEADLINE_EXCEEDED,
      `the call's deadline leaves ${Math.max(0, Math.floor(remaining))} ms, too little to run the code; use a longer deadline`,
    );
  }
  return remaining;
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}

/** Engine output event → wire. */
export function toWireOutput(event: CoreOutputEvent): OutputEvent {
  return {
    stream: event.stream === 'stderr' ? OutputStream.OUTPUT_STREAM_STDERR : OutputStream.OUTPUT_STREAM_STDOUT,
    level: event.level,
    text: event.text,
    time: new Date(event.timeMs),
  };
}

/** Engine metrics → wire. */
export function toWireMetrics(m: CoreMetrics, queueWaitMs: number, workerId: number): ExecutionMetrics {
  return {
    cpuTimeMs: m.cpuTimeMs,
    wallTimeMs: m.wallTimeMs,
    queueWaitMs,
    heapUsedBytes: m.heapUsedBytes,
    heapPeakBytes: m.heapPeakBytes,
    outputBytes: m.outputBytes,
    workerId,
  };
}

/** Engine outcome → the terminal wire event. */
export function toTerminal(
  outcome: ExecutionOutcome,
  queueWaitMs: number,
  workerId: number,
): ExecuteResponse {
  const metrics = toWireMetrics(outcome.metrics, queueWaitMs, workerId);
  if (outcome.status === 'ok') {
    return {
      event: {
        $case: 'result',
        value: {
          value: { json: outcome.json ?? '', preview: outcome.preview, hasJson: outcome.json !== undefined },
          metrics,
        },
      },
    };
  }
  return { event: { $case: 'error', value: { failure: toWireFailure(outcome.failure), metrics } } };
}

/** A failure of tenant code → wire (every service that runs code answers failures this way). */
export function toWireFailure(f: CoreFailure): WireFailure {
  const kind =
    (ErrorKind as unknown as Record<string, ErrorKind>)[`ERROR_KIND_${f.kind}`] ??
    ErrorKind.ERROR_KIND_RUNTIME;
  return { kind, name: f.name, message: f.message, stack: f.stack, line: f.line, column: f.column };
}
