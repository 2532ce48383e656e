/**
 * grpc.health.v1.Health for the overall service `''` and every vmd.v1 service. Its own
 * implementation (of grpc-health-check's definition) rather than that package's, because the
 * shutdown drain must be able to end the endless Watch streams it holds.
 */
import type {
  handleServerStreamingCall,
  handleUnaryCall,
  Server,
  ServerWritableStream,
  UntypedServiceImplementation,
} from '@grpc/grpc-js';
import { status as Status } from '@grpc/grpc-js';
import type { VmdError } from '@vmd/core';
import { service as healthDefinition } from 'grpc-health-check';
import { toGrpcStatus } from '../grpc/status-mapping.js';

/** A service's health, as grpc.health.v1 names it. */
export type ServingStatus = 'SERVING' | 'NOT_SERVING' | 'SERVICE_UNKNOWN';

/** Services that run tenant code: they need a worker that can take runs. */
export const WORKER_SERVICES = [
  'vmd.v1.ExecutionService',
  'vmd.v1.FunctionService',
  'vmd.v1.ReplService',
] as const;

/** Services that need no worker (the store and the daemon's own state). */
export const CONTROL_SERVICES = ['vmd.v1.TenantService', 'vmd.v1.MonitorService'] as const;

/** Service names reported by grpc.health.v1.Health: `''` is the daemon as a whole. */
export const HEALTH_SERVICES = ['', ...WORKER_SERVICES, ...CONTROL_SERVICES] as const;

/** What health is computed from. */
export interface HealthState {
  /** Started (listening, a worker was ready once) and not shutting down. */
  serving: boolean;
  /** At least one worker can run code now (or is being replaced after a planned stop). */
  workersAvailable: boolean;
}

interface HealthCheckRequest {
  service: string;
}
interface HealthCheckResponse {
  status: ServingStatus;
}

/** An open Watch stream and the last status it was sent. */
interface Watch {
  service: string;
  call: ServerWritableStream<HealthCheckRequest, HealthCheckResponse>;
  last: ServingStatus | undefined;
}

/**
 * grpc.health.v1.Health: everything NOT_SERVING until started; then `''` and the services that
 * run code follow the workers, the others stay SERVING; everything NOT_SERVING again from the
 * start of the shutdown drain.
 */
export class HealthService {
  private readonly statuses = new Map<string, ServingStatus>(HEALTH_SERVICES.map((s) => [s, 'NOT_SERVING']));
  private readonly watches = new Set<Watch>();

  addToServer(server: Server): void {
    const check: handleUnaryCall<HealthCheckRequest, HealthCheckResponse> = (call, callback) => {
      const status = this.statuses.get(call.request.service);
      if (status === undefined) {
        callback({
          code: Status.NOT_FOUND,
          details: `no health status for service '${call.request.service}'`,
        });
        return;
      }
      callback(null, { status });
    };
    const watch: handleServerStreamingCall<HealthCheckRequest, HealthCheckResponse> = (call) => {
      const w: Watch = { service: call.request.service, call, last: undefined };
      this.watches.add(w);
      const forget = (): void => {
        this.watches.delete(w);
      };
      call.on('cancelled', forget);
      call.on('close', forget);
      this.send(w);
    };
    const list: handleUnaryCall<unknown, { statuses: Record<string, HealthCheckResponse> }> = (
      _call,
      callback,
    ) => {
      callback(null, {
        statuses: Object.fromEntries([...this.statuses].map(([s, status]) => [s, { status }])),
      });
    };
    const impl: UntypedServiceImplementation = { check, watch, list };
    server.addService(healthDefinition, impl);
  }

  /** The status reported for `service` (undefined: not a known service). */
  status(service: string): ServingStatus | undefined {
    return this.statuses.get(service);
  }

  /** Recomputes every service's status from `state`; watchers see each change. */
  update(state: HealthState): void {
    const runsCode: ServingStatus = state.serving && state.workersAvailable ? 'SERVING' : 'NOT_SERVING';
    const control: ServingStatus = state.serving ? 'SERVING' : 'NOT_SERVING';
    this.statuses.set('', runsCode);
    for (const s of WORKER_SERVICES) this.statuses.set(s, runsCode);
    for (const s of CONTROL_SERVICES) this.statuses.set(s, control);
    for (const w of this.watches) this.send(w);
  }

  /** Ends every Watch stream with `error`'s status (the listener is about to close). */
  endWatches(error: VmdError): void {
    const status = toGrpcStatus(error);
    for (const w of [...this.watches]) {
      this.watches.delete(w);
      w.call.emit('error', status);
    }
  }

  private send(w: Watch): void {
    const status = this.statuses.get(w.service) ?? 'SERVICE_UNKNOWN';
    if (status === w.last) return;
    w.last = status;
    w.call.write({ status });
  }
}
