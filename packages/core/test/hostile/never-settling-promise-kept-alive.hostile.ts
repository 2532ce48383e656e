import type { HostileCase } from './harness.js';

/**
 * A result promise that never settles while an interval keeps the run "alive" (so the engine
 * cannot conclude early that nothing can settle it): only the wall limit ends it, TIMEOUT.
 */
const hostileCase: HostileCase = {
  name: 'never-settling-promise-kept-alive',
  description: 'setInterval(() => {}, 50); await new Promise(() => {})',
  sourceType: 'module',
  limits: { wallTimeMs: 1_000, cpuTimeMs: 500 },
  code: `setInterval(() => {}, 50);
await new Promise(() => {});
export default 'never';`,
  expect: { status: 'error', kind: 'TIMEOUT' },
};
export default hostileCase;
