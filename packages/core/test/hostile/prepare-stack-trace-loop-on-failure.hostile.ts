import type { HostileCase } from './harness.js';

/**
 * `Error.prepareStackTrace` that loops, installed before throwing: when the engine (or V8,
 * lazily) formats the stack of the failure, tenant code runs. It must run in the isolate
 * under the limit: RUNTIME or CPU_LIMIT, never a hang.
 */
const hostileCase: HostileCase = {
  name: 'prepare-stack-trace-loop-on-failure',
  description: 'Error.prepareStackTrace = () => { for(;;); }; throw new Error()',
  limits: { wallTimeMs: 1_000, cpuTimeMs: 500 },
  code: `
Error.prepareStackTrace = function () { for (;;) {} };
throw new Error('formatted lazily');`,
  expect: { status: 'error', kind: ['RUNTIME', 'CPU_LIMIT'] },
};
export default hostileCase;
