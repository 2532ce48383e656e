import type { Server, ServiceDefinition, UntypedServiceImplementation } from '@grpc/grpc-js';
import { ErrorCode, VmdError } from '@vmd/core';
import { MonitorServiceService } from '@vmd/client/wire';
import { adaptFailing, type AdaptOptions } from '../grpc/adapt-handlers.js';

/** Services of the contract that this daemon does not implement yet. */
export const NOT_YET_IMPLEMENTED = [MonitorServiceService] as const;

/** An UNIMPLEMENTED handler for one method (for a service built method by method). */
export function unimplementedMethod(
  method: { path: string; requestStream: boolean; responseStream: boolean },
  opts: AdaptOptions,
): ReturnType<typeof adaptFailing> {
  const rpc = method.path.replace(/^\//, '');
  return adaptFailing(
    method.path,
    method,
    () => new VmdError(ErrorCode.UNIMPLEMENTED, `${rpc} is not implemented yet`),
    opts,
  );
}

/**
 * Registers `service` with handlers that answer UNIMPLEMENTED naming the RPC
 * ("vmd.v1.TenantService/CreateTenant is not implemented yet").
 */
export function addUnimplementedService(
  server: Server,
  service: ServiceDefinition,
  opts: AdaptOptions,
): void {
  const impl: UntypedServiceImplementation = {};
  for (const [name, method] of Object.entries(service)) impl[name] = unimplementedMethod(method, opts);
  server.addService(service, impl);
}
