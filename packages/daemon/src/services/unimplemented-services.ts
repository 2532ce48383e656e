import type {
  Server,
  ServerDuplexStream,
  ServerReadableStream,
  ServerUnaryCall,
  ServerWritableStream,
  ServiceDefinition,
  UntypedHandleCall,
  UntypedServiceImplementation,
} from '@grpc/grpc-js';
import { ErrorCode, VmdError } from '@vmd/core';
import { adaptFailing, type AdaptOptions, type CallContext } from '../grpc/adapt-handlers.js';
import type { Authorizer } from '../auth/authorizer.js';

/** Services of the contract that this daemon does not implement yet. */
export const NOT_YET_IMPLEMENTED: readonly ServiceDefinition[] = [];

/**
 * Checks a call's credentials before it is answered UNIMPLEMENTED: resolves when they are
 * valid (any principal), rejects (UNAUTHENTICATED) when they are missing, wrong or revoked.
 */
export type Authenticate = (ctx: CallContext) => Promise<void>;

/**
 * {@link Authenticate} through the {@link Authorizer}: a valid tenant API key or the admin token
 * passes (local mode: everyone). Only the authorizer's "who are you" answer matters here, so
 * `admin()` refusing a tenant key (PERMISSION_DENIED, i.e. "authenticated, not an admin") counts
 * as authenticated.
 */
export function authenticateAny(authorizer: Pick<Authorizer, 'admin'>): Authenticate {
  return async (ctx) => {
    try {
      await authorizer.admin(ctx);
    } catch (err) {
      if (err instanceof VmdError && err.code === ErrorCode.PERMISSION_DENIED) return;
      throw err;
    }
  };
}

type AnyCall =
  | ServerUnaryCall<unknown, unknown>
  | ServerWritableStream<unknown, unknown>
  | ServerReadableStream<unknown, unknown>
  | ServerDuplexStream<unknown, unknown>;

function notImplemented(path: string): VmdError {
  return new VmdError(ErrorCode.UNIMPLEMENTED, `${path.replace(/^\//, '')} is not implemented yet`);
}

/** The context {@link Authenticate} sees (credentials, peer, deadline) of a raw call. */
function contextOf(call: AnyCall): CallContext {
  const d = call.getDeadline();
  const ms = d instanceof Date ? d.getTime() : d;
  return {
    signal: new AbortController().signal,
    metadata: call.metadata,
    peer: call.getPeer(),
    deadlineMs: Number.isFinite(ms) ? ms : Infinity,
    logFields: {},
  };
}

/**
 * An UNIMPLEMENTED handler for one method (for a service built method by method). With
 * `authenticate` (secure mode), the call's credentials are checked first, so an unauthenticated
 * caller learns UNAUTHENTICATED, not which RPCs exist.
 */
export function unimplementedMethod(
  method: { path: string; requestStream: boolean; responseStream: boolean },
  opts: AdaptOptions,
  authenticate?: Authenticate,
): UntypedHandleCall {
  if (authenticate === undefined) {
    return adaptFailing(method.path, method, () => notImplemented(method.path), opts);
  }
  const handler = (call: AnyCall, callback?: unknown): void => {
    authenticate(contextOf(call))
      .then(
        () => notImplemented(method.path),
        (err: unknown) => err,
      )
      .then((err) => {
        // The failing adapter maps any thrown value (a non-VmdError becomes INTERNAL) and writes
        // the access-log line, for every method shape.
        const fail = adaptFailing(method.path, method, () => err as VmdError, opts) as (
          call: AnyCall,
          callback?: unknown,
        ) => void;
        fail(call, callback);
      })
      .catch((err: unknown) => opts.logger.error({ err }, 'unimplemented handler failed'));
  };
  return handler;
}

/**
 * Registers `service` with handlers that answer UNIMPLEMENTED naming the RPC
 * ("vmd.v1.MonitorService/GetStats is not implemented yet"). In secure mode pass the
 * `authorizer`: a call without valid credentials (no, wrong or revoked key) then gets
 * UNAUTHENTICATED, like every implemented RPC; a valid key or the admin token gets UNIMPLEMENTED.
 */
export function addUnimplementedService(
  server: Server,
  service: ServiceDefinition,
  opts: AdaptOptions,
  authorizer?: Pick<Authorizer, 'admin'>,
): void {
  const authenticate = authorizer === undefined ? undefined : authenticateAny(authorizer);
  const impl: UntypedServiceImplementation = {};
  for (const [name, method] of Object.entries(service)) {
    impl[name] = unimplementedMethod(method, opts, authenticate);
  }
  server.addService(service, impl);
}
