/**
 * vmd.v1.FunctionService: tenants deploy named functions (a bundle of files with an entry point)
 * as immutable versions, and invoke them with events. Deploy checks the bundle on the host
 * (syntax with line/column, imports inside the bundle) and stores it; invoke goes through the
 * same admission, scheduler and worker pool as Execute, and runs in a warm instance of the
 * version when a worker keeps one (the pool prefers one worker per version).
 *
 * Authorization: like Execute, a tenant key acts only as its own tenant (for every method).
 */
import { createHash, randomUUID } from 'node:crypto';
import {
  ErrorCode,
  InvalidArgumentError,
  ResourceExhaustedError,
  UnavailableError,
  VmdError,
  checkBundle,
  clampToQuota,
  type InvokeOutcome,
  type Limits,
  type OutputEvent as CoreOutputEvent,
} from '@vmd/core';
import {
  type DeleteFunctionRequest,
  type DeleteFunctionResponse,
  type DeployFunctionRequest,
  type DeployFunctionResponse,
  type DeployedFunction,
  type FunctionVersion,
  type GetFunctionRequest,
  type GetFunctionResponse,
  type InvokeFunctionRequest,
  type InvokeFunctionResponse,
  type InvokeFunctionStreamRequest,
  type InvokeFunctionStreamResponse,
  type ListFunctionVersionsRequest,
  type ListFunctionVersionsResponse,
  type ListFunctionsRequest,
  type ListFunctionsResponse,
  type RollbackFunctionRequest,
  type RollbackFunctionResponse,
} from '@vmd/client/wire';
import type { CallContext, ServerStreamingHandler, UnaryHandler } from '../grpc/adapt-handlers.js';
import { performFetch } from '../capabilities/fetch.js';
import { context as otelContext } from '@opentelemetry/api';
import { recordPhases, withSpan } from '../telemetry/tracing.js';
import { EventChannel } from '../grpc/event-channel.js';
import { validateInputJson, validateLimits, validateTenantId } from '../grpc/validate-request.js';
import type { Scheduler } from '../scheduler/scheduler.js';
import type {
  AuditOutcome,
  FunctionConfigRecord,
  FunctionRecord,
  FunctionVersionRecord,
  Store,
  TenantCapabilities,
} from '../store/store.js';
import type { Admission } from '../tenants/admission.js';
import type { TenantRegistry } from '../tenants/tenant-registry.js';
import { platformFailureCode, type RunMeter } from '../tenants/usage-recorder.js';
import type { WorkerPool } from '../workers/worker-pool.js';
import { MIN_RUN_MS, toWireFailure, toWireMetrics, toWireOutput } from './execution-service.js';

export interface FunctionServiceDeps {
  store: () => Store;
  /**
   * The daemon's `maxCodeBytes`: no bundle is larger, whatever the tenant's `code_bytes` quota
   * (one stored before quotas were checked against it can be). @default no bound beyond the quota
   */
  maxCodeBytes?: number;
  tenants: TenantRegistry;
  scheduler: Scheduler;
  pool: WorkerPool;
  admission: Admission;
  isShuttingDown: () => boolean;
  authorizeTenant?: (ctx: CallContext, requested: string) => Promise<string>;
  usage?: RunMeter;
  /** Who the audit log names as the actor. */
  actor?: (ctx: CallContext) => string;
}

export interface FunctionServiceHandlers {
  deployFunction: UnaryHandler<DeployFunctionRequest, DeployFunctionResponse>;
  invokeFunction: UnaryHandler<InvokeFunctionRequest, InvokeFunctionResponse>;
  invokeFunctionStream: ServerStreamingHandler<InvokeFunctionStreamRequest, InvokeFunctionStreamResponse>;
  getFunction: UnaryHandler<GetFunctionRequest, GetFunctionResponse>;
  listFunctions: UnaryHandler<ListFunctionsRequest, ListFunctionsResponse>;
  listFunctionVersions: UnaryHandler<ListFunctionVersionsRequest, ListFunctionVersionsResponse>;
  rollbackFunction: UnaryHandler<RollbackFunctionRequest, RollbackFunctionResponse>;
  deleteFunction: UnaryHandler<DeleteFunctionRequest, DeleteFunctionResponse>;
  /** Forgets what is cached of a tenant's functions (the tenant was deleted). */
  forgetTenant(tenant: string): void;
}

/** Versions kept in memory (they are immutable), and active-version pointers. */
const MAX_CACHED = 2000;

const NAME_RE = /^[a-z0-9][a-z0-9_-]{0,62}$/;
const ENV_KEY_RE = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;
const MAX_ENV = 64;
const MAX_ENV_VALUE = 4096;
const MAX_FILES = 256;
/** Largest kv value, bytes of JSON. */
const MAX_KV_VALUE_BYTES = 1024 * 1024;
const MAX_KV_KEY = 512;

function validateName(name: string): string {
  if (!NAME_RE.test(name)) {
    throw new InvalidArgumentError(
      'name',
      `function name '${name.slice(0, 80)}' is not valid: use 1-63 characters [a-z0-9_-], starting with a letter or digit`,
    );
  }
  return name;
}

/**
 * The start of the warm-instance key of every function of `tenantId` (the key is tenant,
 * function, version and bundle hash: never shared across them).
 */
export function tenantFunctionKeyPrefix(tenantId: string): string {
  return `${tenantId}/`;
}

/** The start of the warm-instance key of every version of one function. */
function functionKeyPrefix(tenantId: string, name: string): string {
  return `${tenantFunctionKeyPrefix(tenantId)}${name}/`;
}

/** The audit action of a kv call: `kv.get` … `kv.list`, or `kv.unknown` for an operation tenant code made up. */
function kvAction(op: string): string {
  return op === 'get' || op === 'put' || op === 'delete' || op === 'list' ? `kv.${op}` : 'kv.unknown';
}

export function createFunctionService(deps: FunctionServiceDeps): FunctionServiceHandlers {
  // Invocations read the function from memory, not SQLite: versions never change, and the
  // active pointer is dropped here whenever deploy, rollback or delete moves it (this daemon is
  // the store's only writer).
  const versions = new Map<string, FunctionVersionRecord>();
  const active = new Map<string, number>();
  const remember = <V>(map: Map<string, V>, key: string, value: V): void => {
    if (map.size >= MAX_CACHED) map.delete(map.keys().next().value as string);
    map.set(key, value);
  };
  const fnKey = (tenant: string, name: string): string => `${tenant}\u0000${name}`;
  async function functionVersion(
    tenant: string,
    name: string,
    version: number,
  ): Promise<FunctionVersionRecord> {
    const wanted = version !== 0 ? version : active.get(fnKey(tenant, name));
    const cached = wanted === undefined ? undefined : versions.get(`${fnKey(tenant, name)}\u0000${wanted}`);
    if (cached !== undefined) return cached;
    const record = await deps.store().getFunctionVersion(tenant, name, version || undefined);
    remember(versions, `${fnKey(tenant, name)}\u0000${record.version}`, record);
    if (version === 0) remember(active, fnKey(tenant, name), record.version);
    return record;
  }
  const forget = (tenant: string, name: string): void => {
    active.delete(fnKey(tenant, name));
    const prefix = `${fnKey(tenant, name)}\u0000`;
    for (const key of [...versions.keys()]) if (key.startsWith(prefix)) versions.delete(key);
  };

  const actorOf = deps.actor ?? (() => 'local');
  const acting = async (ctx: CallContext, requested: string): Promise<string> => {
    if (requested !== '') validateTenantId(requested);
    const tenant = validateTenantId(
      deps.authorizeTenant ? await deps.authorizeTenant(ctx, requested) : requested,
    );
    ctx.logFields.tenant_id = tenant;
    return tenant;
  };

  async function invoke(
    req: InvokeFunctionRequest,
    ctx: CallContext,
    onOutput: (event: CoreOutputEvent) => void,
  ): Promise<InvokeFunctionResponse> {
    const arrived = performance.now();
    if (deps.isShuttingDown()) {
      throw new UnavailableError(ErrorCode.SHUTTING_DOWN, 'vmd is shutting down; retry on another instance');
    }
    const tenantId = await acting(ctx, req.tenant);
    const name = validateName(req.name);
    validateInputJson(req.eventJson, 'event_json');
    const requested = validateLimits(req.limits);
    // The function first: invoking one that does not exist (FUNCTION_NOT_FOUND) creates no tenant.
    const fn = await functionVersion(tenantId, name, req.version);
    const tenant = await deps.tenants.resolve(tenantId);
    ctx.logFields.function = name;
    ctx.logFields.function_version = fn.version;
    const limits: Limits = clampToQuota({ ...nonZero(fn.config.limits), ...requested }, tenant.quota);
    const refused = (err: unknown): never => {
      if (err instanceof ResourceExhaustedError) deps.usage?.recordRejected(tenantId);
      throw err;
    };
    let release: () => void = () => undefined;
    try {
      if (tenant.admission) release = deps.admission.admit(tenantId, tenant.admission);
    } catch (err) {
      refused(err);
    }
    let queueWaitMs = 0;
    let metered = false;
    try {
      const slot = await deps.scheduler
        .acquire(tenantId, {
          deadlineMs: ctx.deadlineMs - MIN_RUN_MS,
          signal: ctx.signal,
          ...(tenant.admission
            ? { queueDepth: tenant.admission.queueDepth, weight: tenant.admission.weight }
            : {}),
        })
        .catch(refused);
      queueWaitMs = slot.queueWaitMs;
      try {
        const remaining = ctx.deadlineMs - Date.now();
        if (remaining < limits.wallTimeMs) limits.wallTimeMs = Math.max(1, Math.floor(remaining));
        const { outcome, workerId } = await withSpan(
          'vmd.worker.invoke',
          { 'vmd.tenant': tenantId, 'vmd.function': name, 'vmd.function_version': fn.version },
          async (span) => {
            const handler =
              fn.config.capabilities.length > 0
                ? await capabilityHandler(
                    tenantId,
                    name,
                    fn.config.capabilities,
                    ctx,
                    Date.now() + limits.wallTimeMs,
                  )
                : undefined;
            const result = await deps.pool.invoke(
              {
                key: `${functionKeyPrefix(tenantId, name)}${fn.version}/${fn.sha256}`,
                files: fn.files,
                entry: fn.entry,
                eventJson: req.eventJson,
                ctx: {
                  tenant: tenantId,
                  functionName: name,
                  version: fn.version,
                  requestId: randomUUID(),
                  env: fn.config.env,
                },
                limits,
                fresh: fn.config.freshIsolatePerInvocation,
              },
              onOutput,
              ctx.signal,
              handler,
            );
            recordPhases(result.outcome.phases);
            span.setAttributes({
              'vmd.worker_id': result.workerId,
              'vmd.warm': result.outcome.warm === true,
              'vmd.outcome': result.outcome.status === 'ok' ? 'ok' : result.outcome.failure.kind,
              'vmd.cpu_time_ms': result.outcome.metrics.cpuTimeMs,
            });
            return result;
          },
        );
        ctx.logFields.outcome = outcome.status === 'ok' ? 'ok' : outcome.failure.kind;
        ctx.logFields.worker_id = workerId;
        ctx.logFields.warm = outcome.warm === true;
        metered = true;
        deps.usage?.recordRun(tenantId, {
          cpuMs: outcome.metrics.cpuTimeMs,
          queueWaitMs: slot.queueWaitMs,
          heapBytes: outcome.metrics.heapUsedBytes,
          wallMs: outcome.metrics.wallTimeMs,
          totalMs: performance.now() - arrived,
          outputBytes: outcome.metrics.outputBytes,
          kind: 'invoke',
          ...(outcome.status === 'error' ? { failureKind: outcome.failure.kind } : {}),
        });
        return toWireInvocation(
          fn.version,
          { ...outcome, warm: outcome.warm === true },
          slot.queueWaitMs,
          workerId,
        );
      } finally {
        slot.release();
      }
    } catch (err) {
      // The run is counted above when the worker answered; a platform failure is counted here.
      const platformError = metered ? undefined : platformFailureCode(err);
      if (platformError !== undefined) {
        deps.usage?.recordRun(tenantId, {
          cpuMs: 0,
          queueWaitMs,
          totalMs: performance.now() - arrived,
          kind: 'invoke',
          platformError,
        });
      }
      throw err;
    } finally {
      release();
    }
  }

  /**
   * The kv capability of one invocation: the tenant comes from the daemon's own record of the
   * call, the grant is checked again now (an admin may have revoked it since the deploy), every
   * call is size-checked, performed on the tenant's store and written to the audit log (key, not
   * value). Answers are JSON text; failures are answers, never exceptions.
   */
  async function capabilityHandler(
    tenantId: string,
    functionName: string,
    requested: readonly string[],
    ctx: CallContext,
    deadlineMs: number,
  ): Promise<(capability: string, op: string, argsJson: string) => Promise<string>> {
    const record = await deps.store().getTenant(tenantId);
    let calls = 0;
    const fail = (name: string, message: string): string =>
      JSON.stringify({ ok: false, error: { name, message } });
    const audit = (action: string, outcome: AuditOutcome, details: Record<string, unknown>): void => {
      deps
        .store()
        .appendAudit({
          actor: `function:${functionName}`,
          action,
          target: `tenant/${tenantId}/${action.split('.')[0]}`,
          outcome,
          details,
        })
        .catch(() => undefined);
    };
    // A refused call is audited too (outcome `denied`). Its capability and operation come from
    // tenant code: only known names go into the action, anything else as a bounded detail.
    const deny = (capability: string, op: string, message: string): string => {
      const action =
        capability === 'fetch' ? 'fetch.request' : capability === 'kv' ? kvAction(op) : 'capability.unknown';
      audit(action, 'denied', action === 'capability.unknown' ? { capability: capability.slice(0, 64) } : {});
      return fail('PermissionError', message);
    };
    // Calls arrive from the worker's IPC messages, outside the request's context: keep it.
    const requestContext = otelContext.active();
    const perform = async (capability: string, op: string, argsJson: string): Promise<string> => {
      ctx.logFields.capability_calls = ++calls;
      if (!requested.includes(capability)) {
        return deny(capability, op, `${capability} was not requested when the function was deployed`);
      }
      if (capability === 'fetch') {
        if (record.capabilities.fetchOrigins.length === 0) {
          return deny(capability, op, `fetch is not granted to tenant '${tenantId}'`);
        }
        let origin: string;
        try {
          origin = new URL(String((JSON.parse(argsJson) as { url?: unknown }).url)).origin;
        } catch {
          origin = '';
        }
        const answer = await performFetch(
          argsJson,
          record.capabilities.fetchOrigins,
          deadlineMs - Date.now(),
        );
        const parsed = JSON.parse(answer) as { ok: boolean; error?: { name?: string } };
        audit('fetch.request', parsed.ok ? 'ok' : 'failed', {
          origin,
          ...(parsed.ok ? {} : { error: parsed.error?.name }),
        });
        return answer;
      }
      if (capability !== 'kv' || !record.capabilities.kv) {
        return deny(capability, op, `${capability} is not granted to tenant '${tenantId}'`);
      }
      let args: { key?: unknown; value?: unknown; prefix?: unknown; cursor?: unknown; limit?: unknown };
      try {
        args = JSON.parse(argsJson) as typeof args;
      } catch {
        return fail('TypeError', `kv.${op}: malformed arguments`);
      }
      const key =
        typeof args.key === 'string' && args.key.length > 0 && args.key.length <= MAX_KV_KEY
          ? args.key
          : undefined;
      let outcome: 'ok' | 'failed' = 'ok';
      try {
        switch (op) {
          case 'get': {
            if (key === undefined)
              return fail('TypeError', 'kv.get: the key must be a string of 1 to 512 characters');
            const value = await deps.store().kvGet(tenantId, key);
            return value === undefined ? '{"ok":true}' : `{"ok":true,"value":${value}}`;
          }
          case 'put': {
            if (key === undefined)
              return fail('TypeError', 'kv.put: the key must be a string of 1 to 512 characters');
            const valueJson = JSON.stringify(args.value);
            if (valueJson === undefined)
              return fail('TypeError', 'kv.put: the value must be JSON-serializable');
            if (Buffer.byteLength(valueJson, 'utf8') > MAX_KV_VALUE_BYTES) {
              return fail('RangeError', `kv.put: the value is larger than ${MAX_KV_VALUE_BYTES} bytes`);
            }
            await deps.store().kvPut(tenantId, key, valueJson, record.quotas.kvBytes);
            return '{"ok":true}';
          }
          case 'delete': {
            if (key === undefined)
              return fail('TypeError', 'kv.delete: the key must be a string of 1 to 512 characters');
            return JSON.stringify({ ok: true, value: await deps.store().kvDelete(tenantId, key) });
          }
          case 'list': {
            const prefix = typeof args.prefix === 'string' ? args.prefix : '';
            const cursor = typeof args.cursor === 'string' ? args.cursor : '';
            const limit =
              typeof args.limit === 'number' && args.limit >= 1 && args.limit <= 1000
                ? Math.floor(args.limit)
                : 100;
            const keys = await deps.store().kvList(tenantId, prefix, cursor, limit + 1);
            const more = keys.length > limit;
            const page = keys.slice(0, limit);
            return JSON.stringify({ ok: true, value: { keys: page, cursor: more ? page.at(-1) : null } });
          }
          default:
            outcome = 'failed';
            return fail('TypeError', `kv has no operation '${op}'`);
        }
      } catch (err) {
        outcome = 'failed';
        return fail(
          err instanceof VmdError && err.code === ErrorCode.QUOTA_EXCEEDED ? 'QuotaExceededError' : 'Error',
          err instanceof VmdError ? err.message : `kv.${op} failed`,
        );
      } finally {
        // Audited: who, which function, which operation and key, how it went (never the value).
        audit(kvAction(op), outcome, key === undefined ? {} : { key });
      }
    };
    return (capability, op, argsJson) =>
      otelContext.with(requestContext, () =>
        withSpan(
          'vmd.capability',
          { 'vmd.capability': capability, 'vmd.capability.op': op },
          async (span) => {
            const answer = await perform(capability, op, argsJson);
            span.setAttribute('vmd.capability.ok', answer.startsWith('{"ok":true'));
            return answer;
          },
        ),
      );
  }

  const handlers: FunctionServiceHandlers = {
    async deployFunction(req, ctx) {
      const tenantId = await acting(ctx, req.tenant);
      const name = validateName(req.name);
      ctx.logFields.function = name;
      await deps.tenants.resolve(tenantId); // local mode: created on first use
      const tenant = await deps.store().getTenant(tenantId);
      if (req.files.length === 0)
        throw new InvalidArgumentError('files', 'files is empty: send the function source');
      if (req.files.length > MAX_FILES) {
        throw new InvalidArgumentError(
          'files',
          `a bundle has at most ${MAX_FILES} files, got ${req.files.length}`,
        );
      }
      const bytes = req.files.reduce((n, f) => n + Buffer.byteLength(f.content, 'utf8'), 0);
      if (deps.maxCodeBytes !== undefined && bytes > deps.maxCodeBytes) {
        throw new InvalidArgumentError(
          'files',
          `the bundle is ${bytes} bytes, more than this daemon accepts (its maxCodeBytes is ${deps.maxCodeBytes} bytes): deploy a smaller bundle`,
          ErrorCode.CODE_TOO_LARGE,
        );
      }
      if (bytes > tenant.quotas.codeBytes) {
        throw new InvalidArgumentError(
          'files',
          `the bundle is ${bytes} bytes, more than tenant '${tenantId}' may deploy (${tenant.quotas.codeBytes} bytes)`,
          ErrorCode.CODE_TOO_LARGE,
        );
      }
      const entry = req.entry !== '' ? req.entry : req.files.length === 1 ? req.files[0]!.path : 'index.js';
      const files = req.files.map((f) => ({ path: f.path.replace(/^\.\//, ''), content: f.content }));
      const checked = checkBundle(files, entry);
      if (!checked.ok) {
        const list = checked.problems
          .slice(0, 10)
          .map((p) => `${p.file}${p.line > 0 ? `:${p.line}:${p.column}` : ''}: ${p.message}`)
          .join('; ');
        throw new InvalidArgumentError('files', `the bundle cannot be deployed: ${list}`);
      }
      const config = validateConfig(req.config, tenant.capabilities);
      const sha256 = createHash('sha256')
        .update(
          JSON.stringify({ files: [...files].sort((a, b) => a.path.localeCompare(b.path)), entry, config }),
        )
        .digest('hex');
      const { function: fn, version } = await deps.store().deployFunction({
        tenant: tenantId,
        name,
        files,
        entry: entry.replace(/^\.\//, ''),
        config,
        sha256,
        maxFunctions: tenant.quotas.functions,
      });
      active.delete(fnKey(tenantId, name));
      ctx.logFields.function_version = version.version;
      await deps.store().appendAudit({
        actor: actorOf(ctx),
        action: 'function.deploy',
        target: `tenant/${tenantId}/function/${name}`,
        outcome: 'ok',
        details: { version: version.version, files: files.length, bytes },
      });
      return { function: toWireFunction(fn), version: version.version };
    },

    invokeFunction(req, ctx) {
      const logs: ReturnType<typeof toWireOutput>[] = [];
      return invoke(req, ctx, (event) => logs.push(toWireOutput(event))).then((res) => ({ ...res, logs }));
    },

    invokeFunctionStream(req, ctx) {
      const channel = new EventChannel<InvokeFunctionStreamResponse>();
      const invocation = req.invocation;
      if (invocation === undefined) throw new InvalidArgumentError('invocation', 'invocation is required');
      let failure: unknown;
      invoke(invocation, ctx, (event) =>
        channel.push({ event: { $case: 'output', value: toWireOutput(event) } }),
      ).then(
        (done) => {
          channel.push({ event: { $case: 'done', value: done } });
          channel.close();
        },
        (err: unknown) => {
          failure = err;
          channel.close();
        },
      );
      return (async function* () {
        yield* channel;
        if (failure !== undefined) throw failure;
      })();
    },

    async getFunction(req, ctx) {
      const tenantId = await acting(ctx, req.tenant);
      const fn = await deps.store().getFunction(tenantId, validateName(req.name));
      const active = await deps.store().getFunctionVersion(tenantId, fn.name);
      return { function: toWireFunction(fn), active: toWireVersion(active) };
    },

    async listFunctions(req, ctx) {
      const tenantId = await acting(ctx, req.tenant);
      // Read-only: never creates the tenant (local mode: an unknown tenant has no functions).
      if ((await deps.tenants.find(tenantId)) === undefined) {
        return { functions: [], page: { nextPageToken: '' } };
      }
      const page = await deps.store().listFunctions(tenantId, fromWirePage(req.page));
      return { functions: page.items.map(toWireFunction), page: { nextPageToken: page.nextPageToken } };
    },

    async listFunctionVersions(req, ctx) {
      const tenantId = await acting(ctx, req.tenant);
      const page = await deps
        .store()
        .listFunctionVersions(tenantId, validateName(req.name), fromWirePage(req.page));
      return {
        versions: page.items.map((v) => toWireVersion(v, false)),
        page: { nextPageToken: page.nextPageToken },
      };
    },

    async rollbackFunction(req, ctx) {
      const tenantId = await acting(ctx, req.tenant);
      const name = validateName(req.name);
      if (req.version === 0)
        throw new InvalidArgumentError('version', 'version is required: the version to make active');
      const fn = await deps.store().rollbackFunction(tenantId, name, req.version);
      active.delete(fnKey(tenantId, name));
      await deps.store().appendAudit({
        actor: actorOf(ctx),
        action: 'function.rollback',
        target: `tenant/${tenantId}/function/${name}`,
        outcome: 'ok',
        details: { version: req.version },
      });
      return { function: toWireFunction(fn) };
    },

    async deleteFunction(req, ctx) {
      const tenantId = await acting(ctx, req.tenant);
      const name = validateName(req.name);
      await deps.store().deleteFunction(tenantId, name);
      forget(tenantId, name);
      // Its warm instances go too: a function deployed later under the name starts clean.
      deps.pool.forgetWarm({ functionKeyPrefix: functionKeyPrefix(tenantId, name) });
      await deps.store().appendAudit({
        actor: actorOf(ctx),
        action: 'function.delete',
        target: `tenant/${tenantId}/function/${name}`,
        outcome: 'ok',
        details: {},
      });
      return {};
    },

    forgetTenant(tenant) {
      const prefix = `${tenant}\u0000`;
      for (const map of [versions, active])
        for (const key of [...map.keys()]) if (key.startsWith(prefix)) map.delete(key);
    },
  };
  return handlers;
}

function nonZero(l: FunctionConfigRecord['limits']): Partial<Limits> {
  const out: Partial<Limits> = {};
  for (const [k, v] of Object.entries(l) as [keyof Limits, number | undefined][]) if (v) out[k] = v;
  return out;
}

function validateConfig(
  config: DeployFunctionRequest['config'],
  granted: TenantCapabilities,
): FunctionConfigRecord {
  const limits = validateLimits(config?.limits, 'config.limits');
  const env: Record<string, string> = {};
  const entries = Object.entries(config?.env ?? {});
  if (entries.length > MAX_ENV) {
    throw new InvalidArgumentError('config.env', `at most ${MAX_ENV} env values, got ${entries.length}`);
  }
  for (const [k, v] of entries) {
    if (!ENV_KEY_RE.test(k)) {
      throw new InvalidArgumentError(
        'config.env',
        `env name '${k.slice(0, 80)}' is not valid: use letters, digits and _`,
      );
    }
    if (v.length > MAX_ENV_VALUE) {
      throw new InvalidArgumentError(
        'config.env',
        `env value of ${k} is longer than ${MAX_ENV_VALUE} characters`,
      );
    }
    env[k] = v;
  }
  const capabilities: string[] = [];
  for (const c of config?.capabilities ?? []) {
    if (c === 'kv') {
      if (!granted.kv) {
        throw new VmdError(
          ErrorCode.PERMISSION_DENIED,
          'the tenant is not granted the kv capability; an admin grants it with `vmctl tenant update TENANT --kv`',
        );
      }
      if (!capabilities.includes(c)) capabilities.push(c);
    } else if (c === 'fetch') {
      if (granted.fetchOrigins.length === 0) {
        throw new VmdError(
          ErrorCode.PERMISSION_DENIED,
          'the tenant has no origins allowed for fetch; an admin adds them with `vmctl tenant update TENANT --fetch ORIGIN`',
        );
      }
      if (!capabilities.includes(c)) capabilities.push(c);
    } else {
      throw new InvalidArgumentError(
        'config.capabilities',
        `unknown capability '${c.slice(0, 80)}'; known: kv, fetch`,
      );
    }
  }
  return {
    limits: {
      ...(limits.memoryMib ? { memoryMib: limits.memoryMib } : {}),
      ...(limits.cpuTimeMs ? { cpuTimeMs: limits.cpuTimeMs } : {}),
      ...(limits.wallTimeMs ? { wallTimeMs: limits.wallTimeMs } : {}),
      ...(limits.outputBytes ? { outputBytes: limits.outputBytes } : {}),
    },
    env,
    capabilities,
    freshIsolatePerInvocation: config?.freshIsolatePerInvocation ?? false,
  };
}

function fromWirePage(page: { pageSize: number; pageToken: string } | undefined): {
  pageSize?: number;
  pageToken?: string;
} {
  return { pageSize: page?.pageSize ?? 0, pageToken: page?.pageToken ?? '' };
}

function toWireFunction(fn: FunctionRecord): DeployedFunction {
  return {
    tenant: fn.tenant,
    name: fn.name,
    activeVersion: fn.activeVersion,
    latestVersion: fn.latestVersion,
    createdAt: fn.createdAt,
    updatedAt: fn.updatedAt,
  };
}

function toWireVersion(v: FunctionVersionRecord, withFiles = true): FunctionVersion {
  return {
    version: v.version,
    files: withFiles ? v.files : [],
    entry: v.entry,
    config: {
      limits: {
        memoryMib: v.config.limits.memoryMib ?? 0,
        cpuTimeMs: v.config.limits.cpuTimeMs ?? 0,
        wallTimeMs: v.config.limits.wallTimeMs ?? 0,
        outputBytes: v.config.limits.outputBytes ?? 0,
        resultBytes: 0,
        consoleLinesPerSecond: 0,
      },
      env: v.config.env,
      capabilities: v.config.capabilities,
      freshIsolatePerInvocation: v.config.freshIsolatePerInvocation,
    },
    createdAt: v.createdAt,
    sha256: v.sha256,
  };
}

function toWireInvocation(
  version: number,
  outcome: InvokeOutcome,
  queueWaitMs: number,
  workerId: number,
): InvokeFunctionResponse {
  const metrics = toWireMetrics(outcome.metrics, queueWaitMs, workerId);
  if (outcome.status === 'ok') {
    return {
      version,
      outcome: {
        $case: 'result',
        value: { json: outcome.json ?? '', preview: outcome.preview, hasJson: outcome.json !== undefined },
      },
      logs: [],
      metrics,
      warm: outcome.warm,
    };
  }
  return {
    version,
    outcome: { $case: 'error', value: toWireFailure(outcome.failure) },
    logs: [],
    metrics,
    warm: outcome.warm,
  };
}
