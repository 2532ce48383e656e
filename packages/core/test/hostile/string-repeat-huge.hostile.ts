import type { HostileCase } from './harness.js';

/**
 * `'x'.repeat(2**28)` is a cheap rope until something flattens it; `indexOf` then needs a
 * 256 MiB flat string under a 64 MiB limit: MEMORY_LIMIT, worker alive (and no RSS blow-up:
 * the runner's RSS ceiling stands in for the supervisor).
 *
 * Regression guard: the first engine failed this (the run ended ok with heapUsedBytes ≈ 269 MB
 * under a 64 MiB limit); fixed the same day.
 */
const hostileCase: HostileCase = {
  name: 'string-repeat-huge',
  description: "'x'.repeat(2**28).indexOf('y') (forces a 256 MiB flat string) under 64 MiB",
  limits: { memoryMib: 64 },
  code: `var s = 'x'.repeat(2 ** 28); s.indexOf('y');`,
  expect: { status: 'error', kind: 'MEMORY_LIMIT' },
};
export default hostileCase;
