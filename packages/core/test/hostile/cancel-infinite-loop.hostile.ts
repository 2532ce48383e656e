import type { HostileCase } from './harness.js';

/**
 * A client cancel disposes the isolate at once (DESIGN.md): `cancel` 300 ms into an
 * infinite loop that has a 10 s wall limit ends the run CANCELLED, long before the limit,
 * and the worker stays alive.
 */
const hostileCase: HostileCase = {
  name: 'cancel-infinite-loop',
  description: 'while(true){} with a 10 s wall limit, cancelled after 300 ms',
  limits: { wallTimeMs: 10_000, cpuTimeMs: 10_000 },
  cancelAfterMs: 300,
  code: `while (true) {}`,
  expect: { status: 'error', kind: 'CANCELLED' },
};
export default hostileCase;
