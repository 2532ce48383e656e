/**
 * `client.functions`: deployed functions (vmd.v1.FunctionService). Deploy a bundle once as an
 * immutable version, invoke it many times with events; failures of the handler are outcomes,
 * platform failures throw {@link VmdClientError}.
 */
import type { CallScopeOptions } from './call-options.js';
import { callMetadata, cancelOnAbort, earliestDeadline, toGrpcCallOptions } from './call-options.js';
import { toVmdClientError } from './errors.js';
import { toExecutionValue, toFailure, toMetrics, toOutputEvent } from './execution.js';
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
import type { ListPage, PageOptions } from './tenants.js';

/** Options of {@link FunctionAdmin.deploy}. */
export interface DeployOptions extends CallScopeOptions {
  tenant?: string;
  /** The entry file. @default the only file, else `index.js` */
  entry?: string;
  /** Heap per instance, MiB (clamped to the tenant's quota at invoke). */
  memoryMb?: number;
  /** Wall time per invocation, ms. */
  timeoutMs?: number;
  cpuTimeMs?: number;
  /** Values the handler sees as `ctx.env`. */
  env?: Record<string, string>;
  /** A fresh isolate per invocation instead of warm instances. */
  freshIsolatePerInvocation?: boolean;
  /** Capabilities the handler uses (`kv`); the tenant must be granted each. */
  capabilities?: string[];
}

/** Options of {@link FunctionAdmin.invoke}. */
export interface InvokeOptions extends CallScopeOptions {
  tenant?: string;
  /** A specific version. @default the active version */
  version?: number;
  memoryMb?: number;
  timeoutMs?: number;
  cpuTimeMs?: number;
  /** Log lines as they happen (the call streams); they are in `logs` either way. */
  onLog?: (event: ExecutionOutputEvent) => void;
}

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
    const res = await this.t.unary<DeployFunctionRequest, DeployFunctionResponse>(
      (r, m, o, cb) => this.t.rawFunctions().deployFunction(r, m, o, cb),
      {
        tenant: options.tenant ?? this.t.tenant(),
        name,
        files,
        entry: options.entry ?? '',
        config: {
          limits: {
            memoryMib: options.memoryMb ?? 0,
            cpuTimeMs: options.cpuTimeMs ?? 0,
            wallTimeMs: options.timeoutMs ?? 0,
            outputBytes: 0,
            resultBytes: 0,
            consoleLinesPerSecond: 0,
          },
          env: options.env ?? {},
          capabilities: options.capabilities ?? [],
          freshIsolatePerInvocation: options.freshIsolatePerInvocation ?? false,
        },
      },
      options,
      `${PATH}DeployFunction`,
    );
    return { function: fromWireFunction(res.function), version: res.version };
  }

  /**
   * Invokes `name` with `event` (any JSON value). Resolves with the handler's value or its
   * failure, the logs and metrics, and whether a warm instance ran it.
   * @throws VmdClientError NOT_FOUND (FUNCTION_NOT_FOUND), RESOURCE_EXHAUSTED, …
   */
  async invoke(name: string, event: unknown = null, options: InvokeOptions = {}): Promise<InvokeResult> {
    const request = {
      tenant: options.tenant ?? this.t.tenant(),
      name,
      version: options.version ?? 0,
      eventJson: event === undefined ? '' : JSON.stringify(event),
      limits: {
        memoryMib: options.memoryMb ?? 0,
        cpuTimeMs: options.cpuTimeMs ?? 0,
        wallTimeMs: options.timeoutMs ?? 0,
        outputBytes: 0,
        resultBytes: 0,
        consoleLinesPerSecond: 0,
      },
    };
    if (options.onLog === undefined) {
      const res = await this.t.unary<typeof request, InvokeFunctionResponse>(
        (r, m, o, cb) => this.t.rawFunctions().invokeFunction(r, m, o, cb),
        request,
        { ...options, timeoutMs: (options.timeoutMs ?? 60_000) + 5000 },
        `${PATH}InvokeFunction`,
      );
      return fromWireInvocation(res, res.logs.map(toOutputEvent));
    }
    const where = { address: this.t.address(), method: `${PATH}InvokeFunctionStream` };
    const deadline = earliestDeadline(options.deadline, (options.timeoutMs ?? 60_000) + 5000);
    const call = this.t
      .rawFunctions()
      .invokeFunctionStream({ invocation: request }, callMetadata(), toGrpcCallOptions(deadline));
    const remove = cancelOnAbort(call, options.signal);
    const logs: ExecutionOutputEvent[] = [];
    try {
      for await (const message of call as AsyncIterable<InvokeFunctionStreamResponse>) {
        const e = message.event;
        if (e?.$case === 'output') {
          const event = toOutputEvent(e.value);
          logs.push(event);
          options.onLog(event);
        } else if (e?.$case === 'done') {
          return fromWireInvocation(e.value, logs);
        }
      }
    } catch (err) {
      throw toVmdClientError(err, where);
    } finally {
      remove();
    }
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
        page: { pageSize: options.pageSize ?? 0, pageToken: options.pageToken ?? '' },
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
        page: { pageSize: options.pageSize ?? 0, pageToken: options.pageToken ?? '' },
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
      { tenant: options.tenant ?? this.t.tenant(), name, version },
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
