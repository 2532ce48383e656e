import { Metadata, status as GrpcStatus, type ServiceError, type StatusObject } from '@grpc/grpc-js';

/**
 * The stable string codes a {@link VmdClientError} can carry.
 *
 * The first group mirrors the daemon's registry (sent in the `vmd-error-code` trailer; see
 * docs/errors.md). The second group is client-side: the status had no `vmd-error-code`
 * trailer (the daemon was never reached, a proxy answered, or grpc-js itself failed the
 * call), so the code is the name of the gRPC status. A newer daemon may send a code that is
 * not listed here; {@link VmdClientError.code} then carries it unchanged.
 */
export const VmdErrorCode = {
  // --- daemon registry (vmd-error-code trailer) ---
  /** A request field is malformed or out of range; `field` names it. */
  INVALID_ARGUMENT: 'INVALID_ARGUMENT',
  /** The submitted code is larger than the tenant's code-size quota. */
  CODE_TOO_LARGE: 'CODE_TOO_LARGE',
  /** A request message is larger than the daemon accepts. */
  MESSAGE_TOO_LARGE: 'MESSAGE_TOO_LARGE',
  /** The named tenant does not exist. */
  TENANT_NOT_FOUND: 'TENANT_NOT_FOUND',
  /** The named function (or version) does not exist. */
  FUNCTION_NOT_FOUND: 'FUNCTION_NOT_FOUND',
  /** The REPL session does not exist, expired, or belongs to another tenant. */
  SESSION_NOT_FOUND: 'SESSION_NOT_FOUND',
  /** The API key id does not exist. */
  API_KEY_NOT_FOUND: 'API_KEY_NOT_FOUND',
  /** The resource already exists (tenant, function name). */
  ALREADY_EXISTS: 'ALREADY_EXISTS',
  /** No credentials, or credentials that are wrong or revoked. */
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  /** Valid credentials that may not do this (another tenant, admin-only RPC). */
  PERMISSION_DENIED: 'PERMISSION_DENIED',
  /** The tenant's request rate is over its quota; retry after `retryAfterMs`. */
  RATE_LIMITED: 'RATE_LIMITED',
  /** The tenant's queue is full; retry after `retryAfterMs`. */
  QUEUE_FULL: 'QUEUE_FULL',
  /** The tenant already runs its maximum number of concurrent executions. */
  CONCURRENCY_LIMITED: 'CONCURRENCY_LIMITED',
  /** Another tenant quota is exhausted (sessions, functions, kv bytes). */
  QUOTA_EXCEEDED: 'QUOTA_EXCEEDED',
  /** The call's deadline passed before the request completed (or while it was queued). */
  DEADLINE_EXCEEDED: 'DEADLINE_EXCEEDED',
  /** The call was cancelled (by this client, e.g. through an `AbortSignal`, or by the server). */
  CANCELLED: 'CANCELLED',
  /** The daemon is shutting down and accepts no new work. */
  SHUTTING_DOWN: 'SHUTTING_DOWN',
  /** No worker process is healthy enough to take the request. */
  NO_HEALTHY_WORKER: 'NO_HEALTHY_WORKER',
  /** The worker process running the request died; the request did not complete. */
  WORKER_CRASHED: 'WORKER_CRASHED',
  /** The daemon (or a proxy) does not implement this RPC. */
  UNIMPLEMENTED: 'UNIMPLEMENTED',
  /** A bug in vmd. Report it with the `traceId`. */
  INTERNAL: 'INTERNAL',

  // --- client side: no vmd-error-code trailer, named after the gRPC status ---
  /** The daemon could not be reached (not running, wrong address, TLS mismatch, network). */
  UNAVAILABLE: 'UNAVAILABLE',
  /** NOT_FOUND without a vmd code (e.g. a proxy). */
  NOT_FOUND: 'NOT_FOUND',
  /** RESOURCE_EXHAUSTED without a vmd code (e.g. grpc-js refused an oversized message). */
  RESOURCE_EXHAUSTED: 'RESOURCE_EXHAUSTED',
  /** FAILED_PRECONDITION without a vmd code. */
  FAILED_PRECONDITION: 'FAILED_PRECONDITION',
  /** ABORTED without a vmd code. */
  ABORTED: 'ABORTED',
  /** OUT_OF_RANGE without a vmd code. */
  OUT_OF_RANGE: 'OUT_OF_RANGE',
  /** DATA_LOSS without a vmd code. */
  DATA_LOSS: 'DATA_LOSS',
  /** UNKNOWN without a vmd code: the server failed in a way it did not describe. */
  UNKNOWN: 'UNKNOWN',
} as const;

/** A known vmd error code (see {@link VmdErrorCode}). */
export type VmdErrorCode = (typeof VmdErrorCode)[keyof typeof VmdErrorCode];

/** Every known code, in declaration order (for exhaustive tables and tests). */
export const VMD_ERROR_CODES: readonly VmdErrorCode[] = Object.values(VmdErrorCode);

/** True if `value` is a known {@link VmdErrorCode}. */
export function isVmdErrorCode(value: unknown): value is VmdErrorCode {
  return typeof value === 'string' && Object.hasOwn(VmdErrorCode, value);
}

/** Trailer names the daemon sets on every failed status (documented in proto/README.md). */
export const ERROR_TRAILERS = {
  code: 'vmd-error-code',
  field: 'vmd-error-field',
  retryAfterMs: 'vmd-retry-after-ms',
  traceId: 'vmd-trace-id',
} as const;

/** Codes whose requests may succeed if sent again later (see {@link VmdClientError.isRetryable}). */
const RETRYABLE_CODES: ReadonlySet<string> = new Set<VmdErrorCode>([
  'RATE_LIMITED',
  'QUEUE_FULL',
  'CONCURRENCY_LIMITED',
  'SHUTTING_DOWN',
  'NO_HEALTHY_WORKER',
  'WORKER_CRASHED',
  'UNAVAILABLE',
]);

/** gRPC status → code used when the status carries no `vmd-error-code` trailer. */
const CODE_FROM_GRPC_STATUS: Readonly<Record<GrpcStatus, VmdErrorCode | undefined>> = {
  [GrpcStatus.OK]: undefined,
  [GrpcStatus.CANCELLED]: 'CANCELLED',
  [GrpcStatus.UNKNOWN]: 'UNKNOWN',
  [GrpcStatus.INVALID_ARGUMENT]: 'INVALID_ARGUMENT',
  [GrpcStatus.DEADLINE_EXCEEDED]: 'DEADLINE_EXCEEDED',
  [GrpcStatus.NOT_FOUND]: 'NOT_FOUND',
  [GrpcStatus.ALREADY_EXISTS]: 'ALREADY_EXISTS',
  [GrpcStatus.PERMISSION_DENIED]: 'PERMISSION_DENIED',
  [GrpcStatus.RESOURCE_EXHAUSTED]: 'RESOURCE_EXHAUSTED',
  [GrpcStatus.FAILED_PRECONDITION]: 'FAILED_PRECONDITION',
  [GrpcStatus.ABORTED]: 'ABORTED',
  [GrpcStatus.OUT_OF_RANGE]: 'OUT_OF_RANGE',
  [GrpcStatus.UNIMPLEMENTED]: 'UNIMPLEMENTED',
  [GrpcStatus.INTERNAL]: 'INTERNAL',
  [GrpcStatus.UNAVAILABLE]: 'UNAVAILABLE',
  [GrpcStatus.DATA_LOSS]: 'DATA_LOSS',
  [GrpcStatus.UNAUTHENTICATED]: 'UNAUTHENTICATED',
};

/** Context that makes a {@link VmdClientError}'s message actionable. */
export interface ErrorContext {
  /** The address the client dialled, as the user gave it (e.g. `127.0.0.1:50051`). */
  address?: string;
  /** The RPC path, e.g. `/vmd.v1.ExecutionService/Execute`. */
  method?: string;
  /** The original error, kept as `cause` (e.g. the caller's `AbortSignal.reason`). */
  cause?: unknown;
}

/** Fields of a {@link VmdClientError} (what its constructor takes). */
export interface VmdClientErrorInit {
  /** The vmd code (see {@link VmdErrorCode}). Unknown codes from a newer daemon are kept as-is. */
  code: VmdErrorCode | (string & {});
  /** The gRPC status code of the failed call. */
  grpcCode: GrpcStatus;
  /** The message for a person (without the code prefix). */
  message: string;
  /** The request field at fault (`vmd-error-field`), e.g. `limits.memory_mib`. */
  field?: string | undefined;
  /** How long to wait before retrying, milliseconds (`vmd-retry-after-ms`). */
  retryAfterMs?: number | undefined;
  /** The daemon's trace id for this call (`vmd-trace-id`): quote it in bug reports. */
  traceId?: string | undefined;
  /** The address the client dialled. */
  address?: string | undefined;
  /** The full trailers of the failed call (empty for client-side errors). */
  metadata?: Metadata | undefined;
  /** The status details exactly as received (for logs and diagnostics). */
  grpcDetails?: string | undefined;
  /** The underlying error, for logs. */
  cause?: unknown;
}

const CLIENT_ERROR_BRAND = Symbol.for('vmd.VmdClientError');

/**
 * A failed RPC: the platform refused or could not complete the request (auth, quotas,
 * malformed requests, an unreachable daemon, cancellation, deadlines).
 *
 * Failures of the tenant's *code* are not errors but values (`{ ok: false, failure }` outcomes).
 *
 * `message` reads `CODE: what went wrong — what to do`. `instanceof` works across duplicated
 * copies of this package (a `Symbol.for` brand, as Temporal's errors do).
 *
 * @example
 * ```ts
 * try { await client.run('1 + 1', { tenant: 'acme' }); }
 * catch (err) {
 *   if (err instanceof VmdClientError && err.isRetryable()) await sleep(err.retryAfterMs ?? 1000);
 * }
 * ```
 */
export class VmdClientError extends Error {
  /** The vmd code: from the `vmd-error-code` trailer, else derived from the gRPC status. */
  readonly code: VmdErrorCode | (string & {});
  /** The gRPC status code. */
  readonly grpcCode: GrpcStatus;
  /** The request field at fault, for INVALID_ARGUMENT-style errors. */
  readonly field: string | undefined;
  /** Suggested wait before retrying, milliseconds (quota and queue errors). */
  readonly retryAfterMs: number | undefined;
  /** The daemon's trace id of the failed call. */
  readonly traceId: string | undefined;
  /** The address the client dialled. */
  readonly address: string | undefined;
  /** The message without the `CODE: ` prefix. */
  readonly detail: string;
  /** Trailers of the failed call (empty for errors raised on the client). */
  readonly metadata: Metadata;
  /** The gRPC status details exactly as received (`''` for errors raised on the client). */
  readonly grpcDetails: string;

  constructor(init: VmdClientErrorInit) {
    super(`${init.code}: ${init.message}`, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = 'VmdClientError';
    this.code = init.code;
    this.grpcCode = init.grpcCode;
    this.detail = init.message;
    this.field = init.field;
    this.retryAfterMs = init.retryAfterMs;
    this.traceId = init.traceId;
    this.address = init.address;
    this.metadata = init.metadata ?? new Metadata();
    this.grpcDetails = init.grpcDetails ?? '';
    Object.defineProperty(this, CLIENT_ERROR_BRAND, { value: true });
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    return (
      typeof value === 'object' &&
      value !== null &&
      (value as Record<symbol, unknown>)[CLIENT_ERROR_BRAND] === true
    );
  }

  /**
   * True when the same request may succeed later: quota and queue pressure (honour
   * {@link retryAfterMs}), a daemon that is restarting or has no healthy worker, an
   * unreachable daemon, or a crashed worker (retry at most a few times: the tenant's own code
   * may be what crashes it). Never true for deadlines, cancellation, bad requests or auth.
   */
  isRetryable(): boolean {
    return RETRYABLE_CODES.has(this.code) || this.retryAfterMs !== undefined;
  }

  /**
   * Builds the error from a grpc-js `ServiceError` (or any status object with trailers):
   * reads `vmd-error-code`, `vmd-error-field`, `vmd-retry-after-ms` and `vmd-trace-id`, and
   * falls back to the gRPC status when there is no vmd code. Transport failures get a message
   * that says what to do (e.g. "cannot reach vmd at ADDR: is `vmd serve` running?").
   */
  static fromServiceError(
    error: Partial<ServiceError> | StatusObject,
    context: ErrorContext = {},
  ): VmdClientError {
    const grpcCode: GrpcStatus = typeof error.code === 'number' ? error.code : GrpcStatus.UNKNOWN;
    const metadata = error.metadata instanceof Metadata ? error.metadata : new Metadata();
    const trailerCode = firstString(metadata, ERROR_TRAILERS.code);
    const field = firstString(metadata, ERROR_TRAILERS.field);
    const traceId = firstString(metadata, ERROR_TRAILERS.traceId);
    const retryAfterMs = parseRetryAfter(firstString(metadata, ERROR_TRAILERS.retryAfterMs));
    const details = error.details ?? '';
    // grpc-js refuses oversized messages itself, before vmd can add a trailer (docs/errors.md)
    const statusCode =
      grpcCode === GrpcStatus.RESOURCE_EXHAUSTED && /message larger than max/i.test(error.details ?? '')
        ? 'MESSAGE_TOO_LARGE'
        : (CODE_FROM_GRPC_STATUS[grpcCode] ?? 'UNKNOWN');
    const code = trailerCode ?? statusCode;
    const message =
      trailerCode === undefined
        ? transportMessage(statusCode, details, context)
        : details || `the daemon failed the request with ${trailerCode}`;
    return new VmdClientError({
      code,
      grpcCode,
      message,
      field,
      retryAfterMs,
      traceId,
      address: context.address,
      metadata,
      grpcDetails: details,
      cause: context.cause ?? (error instanceof Error ? error : undefined),
    });
  }

  /** An error raised on the client before anything was sent (bad options, bad input). */
  static invalidArgument(field: string, message: string): VmdClientError {
    return new VmdClientError({
      code: 'INVALID_ARGUMENT',
      grpcCode: GrpcStatus.INVALID_ARGUMENT,
      field,
      message,
    });
  }

  /** The caller cancelled the call (an aborted `AbortSignal`, a `break` out of a stream). */
  static cancelled(context: ErrorContext = {}): VmdClientError {
    return new VmdClientError({
      code: 'CANCELLED',
      grpcCode: GrpcStatus.CANCELLED,
      message: 'the call was cancelled by the caller',
      address: context.address,
      cause: context.cause,
    });
  }
}

/** Wraps any thrown value as a {@link VmdClientError} (already-wrapped errors pass through). */
export function toVmdClientError(error: unknown, context: ErrorContext = {}): VmdClientError {
  if (error instanceof VmdClientError) return error;
  if (typeof error === 'object' && error !== null && typeof (error as { code?: unknown }).code === 'number') {
    return VmdClientError.fromServiceError(error, context);
  }
  return new VmdClientError({
    code: 'UNKNOWN',
    grpcCode: GrpcStatus.UNKNOWN,
    message: error instanceof Error ? error.message : String(error),
    address: context.address,
    cause: error,
  });
}

function firstString(metadata: Metadata, key: string): string | undefined {
  const [value] = metadata.get(key);
  if (value === undefined) return undefined;
  const text = typeof value === 'string' ? value : value.toString('utf8');
  return text === '' ? undefined : text;
}

function parseRetryAfter(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  return Number.isFinite(value) && value >= 0 ? Math.round(value) : undefined;
}

/** Messages for statuses that did not come from vmd's status mapping. */
function transportMessage(code: VmdErrorCode, details: string, context: ErrorContext): string {
  const where = context.address === undefined ? 'the daemon' : `vmd at ${context.address}`;
  const because = details === '' ? '' : ` (${details})`;
  switch (code) {
    case 'UNAVAILABLE':
      return unavailableMessage(details, where);
    case 'DEADLINE_EXCEEDED':
      return `${where} did not answer before the call's deadline${because}`;
    case 'CANCELLED':
      return details || 'the call was cancelled';
    case 'UNIMPLEMENTED':
      return `${where} does not implement ${context.method ?? 'this call'}: is it an older version?${because}`;
    default:
      return details || `the call failed with gRPC status ${code}`;
  }
}

/** The message of an UNAVAILABLE status without a vmd code: what kept the call from the daemon. */
function unavailableMessage(details: string, where: string): string {
  const reason = connectFailureReason(details);
  const said = reason === undefined ? '' : ` (${reason})`;
  switch (connectionProblem(details)) {
    case 'not-tls':
      return `${where} does not speak TLS there${said}: connect without TLS, or start vmd with --tls-cert and --tls-key`;
    case 'tls-expected':
      return `${where} accepted the connection but did not answer plaintext gRPC${said}: if it serves TLS, connect with TLS and its CA (tls.ca; VMD_TLS_CA for vmctl)`;
    case 'client-certificate-required':
      return `${where} requires a client certificate it trusts (mutual TLS)${said}: give the client a certificate signed by the daemon's client CA, and its key (tls.cert and tls.key; VMD_TLS_CERT and VMD_TLS_KEY for vmctl)`;
    case 'untrusted-certificate':
      return `${where} presented a TLS certificate this client does not trust${said}: give the client its CA (tls.ca; VMD_TLS_CA for vmctl) and connect by a name the certificate holds (tls.serverName; VMD_TLS_SERVER_NAME)`;
    case 'dropped':
      return `the connection to ${where} dropped during the call${said}: the daemon stopped or restarted, or the network failed; whether the call took effect is unknown`;
    case 'unreachable':
      return `cannot reach ${where}${said}: is \`vmd serve\` running?`;
  }
}

/** What kept a call from reaching the daemon, read from an UNAVAILABLE status without a vmd code. */
export type ConnectionProblem =
  /** Nothing answered at the address (refused, unresolvable, unroutable). */
  | 'unreachable'
  /** A TLS client met a plaintext port. */
  | 'not-tls'
  /** A plaintext client met a port that accepted the connection but not plaintext gRPC (TLS, most often). */
  | 'tls-expected'
  /** The daemon asks for a client certificate (mutual TLS) and got none, or one it does not trust. */
  | 'client-certificate-required'
  /** The daemon's certificate is not trusted by this client, or does not name the address used. */
  | 'untrusted-certificate'
  /** The connection was lost while the call was in flight. */
  | 'dropped';

/** Classifies grpc-js's details of an UNAVAILABLE status that carries no vmd error code. */
export function connectionProblem(details: string): ConnectionProblem {
  // A TLS client meets a plaintext port: OpenSSL reads the HTTP/2 preface as a bad record.
  if (/wrong version number|ssl3_get_record|packet length too long/i.test(details)) return 'not-tls';
  if (/certificate required|alert number 116|alert bad certificate|alert unknown ca/i.test(details)) {
    return 'client-certificate-required';
  }
  if (/certificate|altnames|self[- ]signed|unable to (?:get|verify)/i.test(details))
    return 'untrusted-certificate';
  if (/connection dropped/i.test(details)) return 'dropped';
  // grpc-js says "Failed to connect" when TCP connected but no HTTP/2 session followed; a
  // refused or unroutable address says "No connection established. Last error: …".
  if (/(?:^|Last error: )Failed to connect\b/i.test(details)) return 'tls-expected';
  return 'unreachable';
}

/**
 * The useful part of grpc-js's connection-failure details, e.g. `connect ECONNREFUSED
 * 127.0.0.1:50051` out of "No connection established. Last error: Error: connect
 * ECONNREFUSED 127.0.0.1:50051. Resolution note: ". Falls back to the details themselves.
 */
export function connectFailureReason(details: string): string | undefined {
  // OpenSSL's `40ED…:error:0A00045C:SSL routines:ssl3_read_bytes:tlsv13 alert certificate
  // required:../deps/openssl/…:918:SSL alert number 116`: the reason alone.
  const openssl = /error:[0-9A-F]+:SSL routines:[^:]*:([^:]+):/.exec(details);
  if (openssl !== null) return openssl[1]!.trim();
  const match = /Last error: (?:[A-Za-z]*Error: )?(.+?)\.?(?: Resolution note:.*)?$/s.exec(details);
  const reason = (match?.[1] ?? details).trim();
  return reason === '' ? undefined : reason;
}
