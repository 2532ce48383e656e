import { HealthImplementation, type ServingStatus } from 'grpc-health-check';
import type { Server } from '@grpc/grpc-js';

/** Service names reported by grpc.health.v1.Health. */
export const HEALTH_SERVICES = ['', 'vmd.v1.ExecutionService'] as const;

/** grpc.health.v1.Health: NOT_SERVING until workers are ready, and again while shutting down. */
export class HealthService {
  private readonly impl = new HealthImplementation(
    Object.fromEntries(HEALTH_SERVICES.map((s) => [s, 'NOT_SERVING'])),
  );

  addToServer(server: Server): void {
    this.impl.addToServer(server);
  }

  /** Sets every vmd service name to `status`. */
  set(status: ServingStatus): void {
    for (const s of HEALTH_SERVICES) this.impl.setStatus(s, status);
  }
}
