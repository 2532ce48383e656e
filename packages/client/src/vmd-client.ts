import { status as GrpcStatus, type CallOptions, type Metadata, type ServiceError } from '@grpc/grpc-js';
import { FunctionAdmin } from './functions.js';
import { Monitor } from './monitor.js';
import { TenantAdmin } from './tenants.js';
import {
  callMetadata,
  cancelOnAbort,
  earliestDeadline,
  toGrpcCallOptions,
  type CallScopeOptions,
} from './call-options.js';
import { loadClientConfig, type LoadClientConfigOptions } from './client-config.js';
import {
  resolveVmdClientOptions,
  type ResolvedVmdClientOptions,
  type VmdClientOptions,
} from './client-options.js';
import { Connection, closedClientError } from './connection.js';
import { VmdClientError, toVmdClientError } from './errors.js';
import { Execution, buildExecuteRequest } from './execution.js';
import {
  DEADLINE_GRACE_MS,
  type ExecuteOptions,
  type ExecutionOutputEvent,
  type RunOutcome,
} from './execution-types.js';
import { ExecutionServiceClient } from './gen/vmd/v1/execution.js';
import { FunctionServiceClient } from './gen/vmd/v1/function.js';
import { MonitorServiceClient } from './gen/vmd/v1/monitor.js';
import { ReplServiceClient } from './gen/vmd/v1/repl.js';
import { TenantServiceClient } from './gen/vmd/v1/tenant.js';
import { HealthClient, type HealthStatus } from './health.js';
import { openRepl, type ReplOptions, type ReplSessionClient } from './repl.js';

/**
 * The generated grpc-js clients of every vmd service, sharing the {@link VmdClient}'s channel
 * and credentials. For services the facade does not wrap yet. Created on first use.
 */
export interface RawClients {
  readonly execution: ExecutionServiceClient;
  readonly repl: ReplServiceClient;
  readonly functions: FunctionServiceClient;
  readonly tenants: TenantServiceClient;
  readonly monitor: MonitorServiceClient;
  readonly health: HealthClient;
}

/** Options of {@link VmdClient.health}. */
export interface HealthOptions extends CallScopeOptions {
  /**
   * The service to ask about; `''` is the daemon as a whole.
   * @default ''
   */
  service?: string;
}

/**
 * The typed client of a vmd daemon.
 *
 * One instance holds one HTTP/2 connection (opened lazily on the first call) and is meant to
 * be shared; {@link close} it when done. Failed calls throw (or reject with)
 * {@link VmdClientError}; failures of the tenant's code are values in the outcome.
 *
 * @example
 * ```ts
 * const client = new VmdClient({ address: '127.0.0.1:50051' });
 * const execution = client.execute('console.log("hi"); 6 * 7', { tenant: 'acme' });
 * for await (const event of execution) process.stdout.write(event.text + '\n');
 * const outcome = await execution.outcome;
 * if (outcome.ok) console.log(outcome.value.value); // 42
 * client.close();
 * ```
 */
export class VmdClient {
  /** The options in effect, defaults filled in. */
  readonly options: ResolvedVmdClientOptions;
  private readonly connection: Connection;
  /** The generated clients, for services without a wrapper yet (`client.raw.tenants`). */
  readonly raw: RawClients;
  /** Tenant and API key administration (TenantService). */
  readonly tenants: TenantAdmin;
  /** Deployed functions: deploy, invoke, versions, rollback (FunctionService). */
  readonly functions: FunctionAdmin;
  /** Live statistics of the daemon, its workers and tenants: `stats()`, `watch()` (MonitorService). */
  readonly monitor: Monitor;
  /** REPL sessions opened by this client that have not ended: {@link close} ends them. */
  private readonly sessions = new Set<ReplSessionClient>();
  /** Streams that never end by themselves (`monitor.watch()`): {@link close} cancels them. */
  private readonly streams = new Set<{ cancel(): void }>();

  /**
   * Does not connect: the channel connects on the first call.
   * @throws VmdClientError `INVALID_ARGUMENT` for a malformed address (`field` `address`) or TLS
   *   options (`tls.ca`, `tls.cert`, `tls.key`: PEM that does not parse, or a key that is not the
   *   certificate's; `tls`: a certificate without its key or the reverse).
   */
  constructor(options: VmdClientOptions = {}) {
    this.options = resolveVmdClientOptions(options);
    this.connection = new Connection(this.options);
    this.raw = createRawClients(this.connection);
    this.tenants = new TenantAdmin({
      raw: () => this.openRaw().tenants,
      unary: (invoke, request, scope, method) => this.unary(invoke, request, scope, method),
    });
    this.functions = new FunctionAdmin({
      raw: () => this.openRaw().tenants,
      rawFunctions: () => this.openRaw().functions,
      address: () => this.address,
      tenant: () => this.options.tenant ?? '',
      unary: (invoke, request, scope, method) => this.unary(invoke, request, scope, method),
    });
    this.monitor = new Monitor({
      rawMonitor: () => this.openRaw().monitor,
      address: () => this.address,
      trackStream: (call) => {
        this.streams.add(call);
        return {
          closedError: () => (this.connection.isClosed ? closedClientError(this.address) : undefined),
          untrack: () => this.streams.delete(call),
        };
      },
      unary: (invoke, request, scope, method) => this.unary(invoke, request, scope, method),
    });
  }

  /**
   * A client configured from `VMD_ADDR`/`VMD_ADDRESS`, `VMD_API_KEY`(`_FILE`), `VMD_TENANT`
   * and `VMD_TLS*` (see `loadClientConfig`), with `options` applied on top.
   */
  static fromEnv(options: VmdClientOptions = {}, config: LoadClientConfigOptions = {}): VmdClient {
    return new VmdClient({ ...loadClientConfig(config).options, ...options });
  }

  /** The daemon address as shown in messages (e.g. `127.0.0.1:50051`, `unix:/run/vmd.sock`). */
  get address(): string {
    return this.connection.address.display;
  }

  /**
   * Runs `code` once in a fresh isolate and streams its console output. Returns at once with
   * an {@link Execution}: iterate it for output events, await `.outcome` for the result.
   *
   * Invalid options do not throw here: the outcome rejects (and iteration throws) with an
   * `INVALID_ARGUMENT` {@link VmdClientError} naming the option, and nothing is sent.
   *
   * Deadline: with `timeoutMs`, the gRPC deadline is `timeoutMs + DEADLINE_GRACE_MS` (1 s)
   * from now so that the daemon, not the client, reports an overrun (as a `TIMEOUT` failure);
   * an explicit `deadline` wins when earlier.
   */
  execute(code: string, options: ExecuteOptions = {}): Execution {
    const where = { address: this.address };
    if (this.connection.isClosed) return new Execution(closedClientError(this.address), where);
    let request;
    try {
      request = buildExecuteRequest(code, options, this.options.tenant);
    } catch (error) {
      return new Execution(toVmdClientError(error, where), where);
    }
    if (options.signal?.aborted === true) {
      return new Execution(VmdClientError.cancelled({ ...where, cause: options.signal.reason }), where);
    }
    const deadline = earliestDeadline(
      options.deadline,
      options.timeoutMs === undefined ? undefined : options.timeoutMs + DEADLINE_GRACE_MS,
    );
    let call;
    try {
      call = this.raw.execution.execute(request, callMetadata(), toGrpcCallOptions(deadline));
    } catch (error) {
      return new Execution(toVmdClientError(error, where), where);
    }
    return new Execution(call, options.signal === undefined ? where : { ...where, signal: options.signal });
  }

  /**
   * Runs `code` and waits for the end: like {@link execute}, with every output event
   * collected into `outcome.output`.
   *
   * @returns `{ ok: true, value, output, metrics }` or `{ ok: false, failure, output, metrics }`
   * @throws VmdClientError for platform failures (quotas, auth, unreachable daemon, cancel).
   */
  async run(code: string, options: ExecuteOptions = {}): Promise<RunOutcome> {
    const execution = this.execute(code, options);
    const output: ExecutionOutputEvent[] = [];
    for await (const event of execution) {
      if (event.type === 'output') output.push(event);
    }
    return { ...(await execution.outcome), output };
  }

  /**
   * Opens (or, with `resume`, continues) an interactive REPL session whose state lives in one
   * isolate in the daemon. Resolves once the daemon is ready.
   *
   * @example
   * ```ts
   * const session = await client.repl({ tenant: 'acme' });
   * await session.eval('let n = 20');
   * const r = await session.eval('n + 22'); // { status: 'ok', value: { value: 42, preview: '42', … } }
   * await session.close();
   * ```
   * @throws VmdClientError e.g. NOT_FOUND (SESSION_NOT_FOUND) for an expired `resume` id,
   *   RESOURCE_EXHAUSTED (QUOTA_EXCEEDED) past the tenant's session quota.
   */
  async repl(options: ReplOptions = {}): Promise<ReplSessionClient> {
    return openRepl(
      this.openRaw().repl,
      { address: this.address },
      options,
      options.tenant ?? this.options.tenant ?? '',
      this.sessions,
    );
  }

  /**
   * Asks the daemon's `grpc.health.v1.Health/Check`. Resolves with the serving status
   * (`SERVICE_UNKNOWN` when the daemon does not know `service`).
   *
   * @throws VmdClientError e.g. `UNAVAILABLE` ("cannot reach vmd at …") or `DEADLINE_EXCEEDED`
   *   (default deadline: the client's `defaultUnaryTimeoutMs`).
   */
  async health(options: HealthOptions = {}): Promise<HealthStatus> {
    try {
      const response = await this.unary<{ service: string }, { status: HealthStatus }>(
        (request, metadata, callOptions, callback) =>
          this.raw.health.check(request, metadata, callOptions, callback),
        { service: options.service ?? '' },
        options,
        '/grpc.health.v1.Health/Check',
      );
      return response.status;
    } catch (error) {
      if (error instanceof VmdClientError && error.grpcCode === GrpcStatus.NOT_FOUND && options.service) {
        return 'SERVICE_UNKNOWN';
      }
      throw error;
    }
  }

  /**
   * Closes the connection. Calls in flight are allowed to finish; new calls fail. Idempotent.
   * Every method of a closed client rejects (or, for `execute`, fails its outcome) with
   * `CANCELLED: this client was closed; create a new VmdClient`; none throws synchronously.
   *
   * Open REPL sessions, which would otherwise keep the connection (and the process) alive, end
   * at once: the daemon is asked to close them (their bindings are gone; `detach()` a session
   * first to keep it for `resume` from another client), their `ended` resolves with reason
   * `client_closed`, and their pending and later requests (`eval`, `complete`, `reset`, a
   * `repl()` still opening) reject with that same `CANCELLED` error. A `monitor.watch()`
   * iteration ends too, throwing that error.
   */
  close(): void {
    if (this.connection.isClosed) return;
    const error = closedClientError(this.address);
    for (const session of [...this.sessions]) session.closeWithClient(error);
    this.sessions.clear();
    for (const call of [...this.streams]) call.cancel();
    this.streams.clear();
    this.connection.close();
  }

  /** The generated clients, or the closed-client error once {@link close} was called. */
  private openRaw(): RawClients {
    if (this.connection.isClosed) throw closedClientError(this.address);
    return this.raw;
  }

  /**
   * Runs a unary call with the client's default deadline, `signal` cancellation and error
   * mapping. @internal for wrappers of further services.
   */
  private unary<Req, Res>(
    invoke: (
      request: Req,
      metadata: Metadata,
      options: Partial<CallOptions>,
      callback: (error: ServiceError | null, response?: Res) => void,
    ) => { cancel(): void },
    request: Req,
    scope: CallScopeOptions,
    method: string,
  ): Promise<Res> {
    const where = { address: this.address, method };
    if (this.connection.isClosed) return Promise.reject(closedClientError(this.address));
    if (scope.signal?.aborted === true) {
      return Promise.reject(VmdClientError.cancelled({ ...where, cause: scope.signal.reason }));
    }
    const deadline =
      earliestDeadline(scope.deadline, scope.timeoutMs) ?? Date.now() + this.options.defaultUnaryTimeoutMs;
    return new Promise<Res>((resolve, reject) => {
      let aborted = false;
      let abortReason: unknown;
      let removeListener = (): void => undefined;
      try {
        const call = invoke(request, callMetadata(), toGrpcCallOptions(deadline), (error, response) => {
          removeListener();
          if (aborted) reject(VmdClientError.cancelled({ ...where, cause: abortReason }));
          else if (error !== null || response === undefined)
            reject(toVmdClientError(error ?? new Error('empty response'), where));
          else resolve(response);
        });
        removeListener = cancelOnAbort(call, scope.signal, (reason) => {
          aborted = true;
          abortReason = reason;
        });
      } catch (error) {
        reject(toVmdClientError(error, where));
      }
    });
  }
}

/** Lazily created generated clients that share one connection. */
function createRawClients(connection: Connection): RawClients {
  const made: Partial<{ -readonly [K in keyof RawClients]: RawClients[K] }> = {};
  return {
    get execution() {
      return (made.execution ??= connection.createClient(ExecutionServiceClient));
    },
    get repl() {
      return (made.repl ??= connection.createClient(ReplServiceClient));
    },
    get functions() {
      return (made.functions ??= connection.createClient(FunctionServiceClient));
    },
    get tenants() {
      return (made.tenants ??= connection.createClient(TenantServiceClient));
    },
    get monitor() {
      return (made.monitor ??= connection.createClient(MonitorServiceClient));
    },
    get health() {
      return (made.health ??= connection.createClient(HealthClient));
    },
  };
}
