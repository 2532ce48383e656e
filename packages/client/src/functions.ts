/**
 * `client.functions`: deployed functions (vmd.v1.FunctionService). Deploy a bundle once as an
 * immutable version, invoke it many times with events; failures of the handler are outcomes,
 * platform failures throw {@link VmdClientError}.
 */
import type { CallScopeOptions } from './call-options.js';
import { callMetadata, cancelOnAbort, toGrpcCallOptions } from './call-options.js';
import { VmdClientError, toVmdClientError } from './errors.js';
import {
  UINT32_MAX,
  limit,
  toExecutionValue,
  toFailure,
  toJsonText,
  toMetrics,
  toOutputEvent,
} from './execution.js';
import type {
  ExecutionFailure,
  ExecutionMetrics,
  ExecutionOutputEvent,
  ExecutionValue,
} from './execution-types.js';
import type {
  DeleteFunctionRequest,
  DeleteFunctionResponse,
  DeployFunctionRequest,
  DeployFunctionResponse,
  DeployedFunction,
  FunctionServiceClient,
  FunctionVersion,
  GetFunctionRequest,
  GetFunctionResponse,
  InvokeFunctionResponse,
  InvokeFunctionStreamResponse,
  ListFunctionVersionsRequest,
  ListFunctionVersionsResponse,
  ListFunctionsRequest,
  ListFunctionsResponse,
  RollbackFunctionRequest,
  RollbackFunctionResponse,
} from './gen/vmd/v1/function.js';
import type { TenantAdminTransport } from './tenants.js';
import { pageRequest, type ListPage, type PageOptions } from './tenants.js';

/**
 * Options of {@link FunctionAdmin.deploy}.
 *
 * `timeoutMs` here is the function's wall time per invocation (stored with the version), not
 * the deadline of the deploy call: that comes from `deadline`, else the client's
 * `defaultUnaryTimeoutMs`.
 */
export interface DeployOptions extends CallScopeOptions {
  tenant?: string;
  /** The entry file. @default the only file, else `index.js` */
  entry?: string;
  /** Heap per instance, MiB (clamped to the tenant's quota at invoke). A positive integer. */
  memoryMb?: number;
  /**
   * Wall time per invocation, ms (a positive integer). Never the deploy call's deadline: give
   * `deadline` for that.
   */
  timeoutMs?: number;
  /** CPU time per invocation, ms. A positive integer. */
  cpuTimeMs?: number;
  /** Values the handler sees as `ctx.env`. */
  env?: Record<string, string>;
  /** A fresh isolate per invocation instead of warm instances. */
  freshIsolatePerInvocation?: boolean;
  /** Capabilities the handler uses (`kv`); the tenant must be granted each. */
  capabilities?: string[];
}

/**
 * Options of {@link FunctionAdmin.invoke}.
 *
 * Deadline rule: `timeoutMs` is the invocation's wall time (it overrides the version's). The
 * call's deadline is `timeoutMs` (default 60 s) + {@link INVOKE_DEADLINE_GRACE_MS} from now, so
 * that the daemon, not the client, reports an overrun (as a `TIMEOUT` failure); when `deadline`
 * is given it is the call's deadline, whether earlier or later.
 */
export interface InvokeOptions extends CallScopeOptions {
  tenant?: string;
  /** A specific version (a positive integer). @default the active version */
  version?: number;
  /** Heap, MiB. A positive integer. @default the version's */
  memoryMb?: number;
  /** Wall time of this invocation, ms (a positive integer). @default the version's */
  timeoutMs?: number;
  /** CPU time of this invocation, ms. A positive integer. @default the version's */
  cpuTimeMs?: number;
  /**
   * Log lines as they happen (the call streams); they are in `logs` either way. If it throws,
   * the invocation is cancelled and `invoke` rejects with that same exception (not wrapped).
   */
  onLog?: (event: ExecutionOutputEvent) => void;
}

/**
 * How much later than the invocation's wall time the call deadline of `invoke` is set, ms:
 * room for queueing, a cold start and the answer.
 */
export const INVOKE_DEADLINE_GRACE_MS = 5000;

/** The invocation wall time assumed for the call deadline when `timeoutMs` is not given, ms. */
const DEFAULT_INVOKE_TIMEOUT_MS = 60_000;

/** What an invocation gave. */
export type InvokeResult =
  | {
      ok: true;
      value: ExecutionValue;
      version: number;
      warm: boolean;
      logs: ExecutionOutputEvent[];
      metrics: ExecutionMetrics;
    }
  | {
      ok: false;
      failure: ExecutionFailure;
      version: number;
      warm: boolean;
      logs: ExecutionOutputEvent[];
      metrics: ExecutionMetrics;
    };

/** A deployed function. */
export interface FunctionInfo {
  tenant: string;
  name: string;
  activeVersion: number;
  latestVersion: number;
  createdAt: Date | undefined;
  updatedAt: Date | undefined;
}

/** One version of a function (files only from `get`). */
export interface FunctionVersionInfo {
  version: number;
  entry: string;
  files: Array<{ path: string; content: string }>;
  env: Record<string, string>;
  freshIsolatePerInvocation: boolean;
  capabilities: string[];
  sha256: string;
  createdAt: Date | undefined;
}

type Transport = TenantAdminTransport & {
  rawFunctions: () => InstanceType<typeof FunctionServiceClient>;
  address: () => string;
  tenant: () => string;
};

const PATH = '/vmd.v1.FunctionService/';

export class FunctionAdmin {
  /** @internal */
  constructor(private readonly t: Transport) {}

  /**
   * Deploys a new version of `name`: a single source string (as `index.js`) or a bundle of
   * files. Syntax errors and imports outside the bundle are refused here, with file:line:column.
   * @throws VmdClientError INVALID_ARGUMENT (the bundle), QUOTA_EXCEEDED, CODE_TOO_LARGE
   */
  async deploy(
    name: string,
    source: string | Record<string, string>,
    options: DeployOptions = {},
  ): Promise<{ function: FunctionInfo; version: number }> {
    const files =
      typeof source === 'string'
        ? [{ path: options.entry ?? 'index.js', content: source }]
        : Object.entries(source).map(([path, content]) => ({ path, content }));
    const limits = wireLimits(options);
    const res = await this.t.unary<DeployFunctionRequest, DeployFunctionResponse>(
      (r, m, o, cb) => this.t.rawFunctions().deployFunction(r, m, o, cb),
      {
        tenant: options.tenant ?? this.t.tenant(),
        name,
        files,
        entry: options.entry ?? '',
        config: {
          limits,
          env: options.env ?? {},
          capabilities: options.capabilities ?? [],
          freshIsolatePerInvocation: options.freshIsolatePerInvocation ?? false,
        },
      },
      // `timeoutMs` is the function's wall time, never this call's deadline
      callScope(options.signal, options.deadline),
      `${PATH}DeployFunction`,
    );
    return { function: fromWireFunction(res.function), version: res.version };
  }

  /**
   * Invokes `name` with `event` (any JSON value). Resolves with the handler's value or its
   * failure, the logs and metrics, and whether a warm instance ran it. See {@link InvokeOptions}
   * for how `timeoutMs` and `deadline` set the call's deadline.
   * @throws VmdClientError NOT_FOUND (FUNCTION_NOT_FOUND), RESOURCE_EXHAUSTED, …; INVALID_ARGUMENT
   *   (nothing sent) for an `event` without a JSON form or an out-of-range option; CANCELLED when
   *   `signal` is (or becomes) aborted
   * @throws whatever `onLog` throws, unchanged
   */
  async invoke(name: string, event: unknown = null, options: InvokeOptions = {}): Promise<InvokeResult> {
    const method = `${PATH}${options.onLog === undefined ? 'InvokeFunction' : 'InvokeFunctionStream'}`;
    const where = { address: this.t.address(), method };
    const request = {
      tenant: options.tenant ?? this.t.tenant(),
      name,
      version: limit('version', options.version, UINT32_MAX),
      eventJson: event === undefined ? '' : toJsonText('event', event),
      limits: wireLimits(options),
    };
    const signal = options.signal;
    if (signal?.aborted === true) throw VmdClientError.cancelled({ ...where, cause: signal.reason });
    const deadline =
      options.deadline ??
      Date.now() + (options.timeoutMs ?? DEFAULT_INVOKE_TIMEOUT_MS) + INVOKE_DEADLINE_GRACE_MS;
    const onLog = options.onLog;
    if (onLog === undefined) {
      const res = await this.t.unary<typeof request, InvokeFunctionResponse>(
        (r, m, o, cb) => this.t.rawFunctions().invokeFunction(r, m, o, cb),
        request,
        callScope(signal, deadline),
        method,
      );
      return fromWireInvocation(res, res.logs.map(toOutputEvent));
    }
    let aborted: { reason: unknown } | undefined;
    let thrownByOnLog: { error: unknown } | undefined;
    let call;
    try {
      call = this.t
        .rawFunctions()
        .invokeFunctionStream(
          { invocation: request },
          callMetadata(),
          toGrpcCallOptions(deadline instanceof Date ? deadline.getTime() : deadline),
        );
    } catch (err) {
      throw toVmdClientError(err, where);
    }
    const remove = cancelOnAbort(call, signal, (reason) => (aborted ??= { reason }));
    const logs: ExecutionOutputEvent[] = [];
    try {
      for await (const message of call as AsyncIterable<InvokeFunctionStreamResponse>) {
        if (aborted !== undefined) break;
        const e = message.event;
        if (e?.$case === 'output') {
          const event = toOutputEvent(e.value);
          logs.push(event);
          try {
            onLog(event);
          } catch (error) {
            thrownByOnLog = { error };
            call.cancel();
            break;
          }
        } else if (e?.$case === 'done') {
          return fromWireInvocation(e.value, logs);
        }
      }
    } catch (err) {
      if (aborted === undefined) throw toVmdClientError(err, where);
    } finally {
      remove();
    }
    if (thrownByOnLog !== undefined) throw thrownByOnLog.error;
    if (aborted !== undefined) throw VmdClientError.cancelled({ ...where, cause: aborted.reason });
    throw toVmdClientError(new Error('the invocation stream ended without a result'), where);
  }

  /** The function and its active version (with its files). */
  async get(
    name: string,
    options: CallScopeOptions & { tenant?: string } = {},
  ): Promise<{ function: FunctionInfo; active: FunctionVersionInfo }> {
    const res = await this.t.unary<GetFunctionRequest, GetFunctionResponse>(
      (r, m, o, cb) => this.t.rawFunctions().getFunction(r, m, o, cb),
      { tenant: options.tenant ?? this.t.tenant(), name },
      options,
      `${PATH}GetFunction`,
    );
    return { function: fromWireFunction(res.function), active: fromWireVersion(res.active) };
  }

  async list(options: PageOptions & { tenant?: string } = {}): Promise<ListPage<FunctionInfo>> {
    const res = await this.t.unary<ListFunctionsRequest, ListFunctionsResponse>(
      (r, m, o, cb) => this.t.rawFunctions().listFunctions(r, m, o, cb),
      {
        tenant: options.tenant ?? this.t.tenant(),
        page: pageRequest(options),
      },
      options,
      `${PATH}ListFunctions`,
    );
    return { items: res.functions.map(fromWireFunction), nextPageToken: res.page?.nextPageToken ?? '' };
  }

  /** Versions, newest first (without their files). */
  async versions(
    name: string,
    options: PageOptions & { tenant?: string } = {},
  ): Promise<ListPage<FunctionVersionInfo>> {
    const res = await this.t.unary<ListFunctionVersionsRequest, ListFunctionVersionsResponse>(
      (r, m, o, cb) => this.t.rawFunctions().listFunctionVersions(r, m, o, cb),
      {
        tenant: options.tenant ?? this.t.tenant(),
        name,
        page: pageRequest(options),
      },
      options,
      `${PATH}ListFunctionVersions`,
    );
    return { items: res.versions.map(fromWireVersion), nextPageToken: res.page?.nextPageToken ?? '' };
  }

  /** Makes an earlier version active again. */
  async rollback(
    name: string,
    version: number,
    options: CallScopeOptions & { tenant?: string } = {},
  ): Promise<FunctionInfo> {
    const res = await this.t.unary<RollbackFunctionRequest, RollbackFunctionResponse>(
      (r, m, o, cb) => this.t.rawFunctions().rollbackFunction(r, m, o, cb),
      { tenant: options.tenant ?? this.t.tenant(), name, version: limit('version', version, UINT32_MAX) },
      options,
      `${PATH}RollbackFunction`,
    );
    return fromWireFunction(res.function);
  }

  async delete(name: string, options: CallScopeOptions & { tenant?: string } = {}): Promise<void> {
    await this.t.unary<DeleteFunctionRequest, DeleteFunctionResponse>(
      (r, m, o, cb) => this.t.rawFunctions().deleteFunction(r, m, o, cb),
      { tenant: options.tenant ?? this.t.tenant(), name },
      options,
      `${PATH}DeleteFunction`,
    );
  }
}

/** The call-scope options of a call: `signal` and `deadline` only, never `timeoutMs`. */
function callScope(signal: AbortSignal | undefined, deadline: Date | number | undefined): CallScopeOptions {
  return { ...(signal === undefined ? {} : { signal }), ...(deadline === undefined ? {} : { deadline }) };
}

function fromWireFunction(f: DeployedFunction | undefined): FunctionInfo {
  return {
    tenant: f?.tenant ?? '',
    name: f?.name ?? '',
    activeVersion: f?.activeVersion ?? 0,
    latestVersion: f?.latestVersion ?? 0,
    createdAt: f?.createdAt,
    updatedAt: f?.updatedAt,
  };
}

function fromWireVersion(v: FunctionVersion | undefined): FunctionVersionInfo {
  return {
    version: v?.version ?? 0,
    entry: v?.entry ?? '',
    files: (v?.files ?? []).map((f) => ({ path: f.path, content: f.content })),
    env: { ...(v?.config?.env ?? {}) },
    freshIsolatePerInvocation: v?.config?.freshIsolatePerInvocation ?? false,
    capabilities: [...(v?.config?.capabilities ?? [])],
    sha256: v?.sha256 ?? '',
    createdAt: v?.createdAt,
  };
}

function fromWireInvocation(res: InvokeFunctionResponse, logs: ExecutionOutputEvent[]): InvokeResult {
  const base = { version: res.version, warm: res.warm, logs, metrics: toMetrics(res.metrics) };
  if (res.outcome?.$case === 'result')
    return { ok: true, value: toExecutionValue(res.outcome.value), ...base };
  return {
    ok: false,
    failure: toFailure(res.outcome?.$case === 'error' ? res.outcome.value : undefined),
    ...base,
  };
}

/**
 * The per-invocation limits of a deploy or an invoke, checked (INVALID_ARGUMENT naming the
 * option) before anything is sent; 0 means the function's or the tenant's own.
 */
function wireLimits(options: { memoryMb?: number; cpuTimeMs?: number; timeoutMs?: number }) {
  return {
    memoryMib: limit('memoryMb', options.memoryMb, UINT32_MAX),
    cpuTimeMs: limit('cpuTimeMs', options.cpuTimeMs, UINT32_MAX),
    wallTimeMs: limit('timeoutMs', options.timeoutMs, UINT32_MAX),
    outputBytes: 0,
    resultBytes: 0,
    consoleLinesPerSecond: 0,
  };
}
