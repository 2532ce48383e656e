import { describe, expect, it } from 'vitest';
import { CONTROL_SERVICES, HEALTH_SERVICES, HealthService, WORKER_SERVICES } from './health.js';

describe('HealthService', () => {
  it('reports the daemon as a whole and every vmd.v1 service', () => {
    expect(HEALTH_SERVICES).toEqual([
      '',
      'vmd.v1.ExecutionService',
      'vmd.v1.FunctionService',
      'vmd.v1.ReplService',
      'vmd.v1.TenantService',
      'vmd.v1.MonitorService',
    ]);
  });

  it('NOT_SERVING until started; then the services that run code follow the workers; all NOT_SERVING when stopping', () => {
    const h = new HealthService();
    const all = () => Object.fromEntries(HEALTH_SERVICES.map((s) => [s, h.status(s)]));
    expect(new Set(Object.values(all()))).toEqual(new Set(['NOT_SERVING']));
    h.update({ serving: true, workersAvailable: true });
    expect(new Set(Object.values(all()))).toEqual(new Set(['SERVING']));
    h.update({ serving: true, workersAvailable: false });
    for (const s of ['', ...WORKER_SERVICES]) expect(h.status(s)).toBe('NOT_SERVING');
    for (const s of CONTROL_SERVICES) expect(h.status(s)).toBe('SERVING');
    h.update({ serving: false, workersAvailable: true });
    expect(new Set(Object.values(all()))).toEqual(new Set(['NOT_SERVING']));
    expect(h.status('vmd.v1.Nope')).toBeUndefined();
  });
});
