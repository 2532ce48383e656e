import type { HostileCase } from './harness.js';

/**
 * The result has a getter that loops forever. Serializing it (JSON or preview) runs the
 * getter; DESIGN.md requires that to happen inside the isolate under the time limit, so the
 * run ends CPU_LIMIT and neither the worker nor the daemon hangs.
 */
const hostileCase: HostileCase = {
  name: 'getter-loop-on-result',
  description: 'result object with an enumerable getter that loops forever',
  limits: { wallTimeMs: 1_000, cpuTimeMs: 500 },
  code: `({ a: 1, get b() { for (;;) {} } })`,
  expect: { status: 'error', kind: 'CPU_LIMIT' },
};
export default hostileCase;
