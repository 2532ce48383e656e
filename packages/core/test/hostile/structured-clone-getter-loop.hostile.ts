import type { HostileCase } from './harness.js';

/**
 * structuredClone of an object whose getter loops. If structuredClone is a host bridge
 * (copy out, copy back), the copy reads the getter while the host is waiting on the bridge:
 * the limit must still end it. CPU_LIMIT, at the cpu limit.
 */
const hostileCase: HostileCase = {
  name: 'structured-clone-getter-loop',
  description: 'structuredClone({ get x() { for(;;); } })',
  limits: { wallTimeMs: 1_000, cpuTimeMs: 500 },
  code: `structuredClone({ get x() { for (;;) {} } })`,
  expect: { status: 'error', kind: 'CPU_LIMIT' },
};
export default hostileCase;
