import { ErrorCode, isErrorCode } from './codes.js';

const VMD_ERROR_BRAND = Symbol.for('vmd.VmdError');

/** Optional typed details that travel with a {@link VmdError}. */
export interface VmdErrorDetails {
  /** The request field at fault (INVALID_ARGUMENT), e.g. `limits.memory_mib`. */
  field?: string;
  /** The kind of resource that was not found or is exhausted, e.g. `tenant`. */
  resource?: string;
  /** How long the caller should wait before retrying, in milliseconds. */
  retryAfterMs?: number;
}

/** The wire form of a {@link VmdError} (IPC, logs). `cause` never crosses. */
export interface VmdErrorWire {
  code: ErrorCode;
  message: string;
  details: VmdErrorDetails;
}

/**
 * A platform failure with a stable {@link ErrorCode}: the RPC itself fails.
 * (Failures of tenant code are values, see `ExecutionFailure`.)
 *
 * `message` is written for a person: what went wrong and what to do. `cause` is kept for
 * logs and never sent to a client. Constructors have no side effects.
 *
 * `instanceof` works across duplicated package copies through a `Symbol.for` brand; across
 * processes use {@link VmdError.toWire} and {@link errorFromWire}.
 */
export class VmdError extends Error {
  readonly code: ErrorCode;
  readonly details: VmdErrorDetails;

  constructor(
    code: ErrorCode,
    message: string,
    details: VmdErrorDetails = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'VmdError';
    this.code = code;
    this.details = details;
    Object.defineProperty(this, VMD_ERROR_BRAND, { value: true });
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    return (
      typeof value === 'object' &&
      value !== null &&
      (value as Record<symbol, unknown>)[VMD_ERROR_BRAND] === true
    );
  }

  /** The serializable form: code, message, details. */
  toWire(): VmdErrorWire {
    return { code: this.code, message: this.message, details: { ...this.details } };
  }
}

/** Thrown when a request field is malformed; `field` names it (`limits.memory_mib`). */
export class InvalidArgumentError extends VmdError {
  constructor(field: string, message: string, code: ErrorCode = ErrorCode.INVALID_ARGUMENT) {
    super(code, message, { field });
    this.name = 'InvalidArgumentError';
  }
}

/** Thrown when a tenant, function or session does not exist. */
export class NotFoundError extends VmdError {
  constructor(code: ErrorCode, resource: string, id: string, message?: string) {
    super(code, message ?? `${resource} '${id}' was not found`, { resource });
    this.name = 'NotFoundError';
  }
}

/** Thrown when a quota (rate, queue, concurrency, …) is exhausted; retry after `retryAfterMs`. */
export class ResourceExhaustedError extends VmdError {
  constructor(code: ErrorCode, message: string, retryAfterMs?: number) {
    super(code, message, retryAfterMs === undefined ? {} : { retryAfterMs });
    this.name = 'ResourceExhaustedError';
  }
}

/** Thrown when the service cannot take the request now (shutting down, no healthy worker, worker crash). */
export class UnavailableError extends VmdError {
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, {}, options);
    this.name = 'UnavailableError';
  }
}

/** A bug in vmd. Its message is generic; the cause is for logs only. */
export class InternalError extends VmdError {
  constructor(message = 'internal error', options?: { cause?: unknown }) {
    super(ErrorCode.INTERNAL, message, {}, options);
    this.name = 'InternalError';
  }
}

/** Revives a {@link VmdErrorWire} (from IPC) as a {@link VmdError}. Unknown codes become INTERNAL. */
export function errorFromWire(wire: unknown): VmdError {
  if (typeof wire === 'object' && wire !== null) {
    const w = wire as Partial<VmdErrorWire>;
    if (isErrorCode(w.code) && typeof w.message === 'string') {
      return new VmdError(
        w.code,
        w.message,
        typeof w.details === 'object' && w.details !== null ? w.details : {},
      );
    }
  }
  return new InternalError('malformed error from a vmd component', { cause: wire });
}
