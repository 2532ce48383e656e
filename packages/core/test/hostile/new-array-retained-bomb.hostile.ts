import type { HostileCase } from './harness.js';

/**
 * DESIGN.md hazard: a loop that keeps `new Array(n)` arrays can defeat both the time and the
 * memory limit (measured: 5 s under a 50 ms timeout, then a catastrophic error or SIGSEGV;
 * kept arrays grew past 4 GiB RSS under 64 MiB). Run with a 50 ms cpu / 200 ms wall limit.
 * Expected: the worker ends it itself (MEMORY_LIMIT or CPU_LIMIT) and stays alive; the
 * supervisor (here the runner: RSS ceiling 2 GiB, wall + 5 s) is only the documented last
 * line, and a kill by it is reported by the test name's outcome, not silently accepted
 * elsewhere.
 */
const hostileCase: HostileCase = {
  name: 'new-array-retained-bomb',
  description: 'const keep = []; for(;;) keep.push(new Array(1e6)) under 50 ms cpu / 200 ms wall / 64 MiB',
  limits: { memoryMib: 64, cpuTimeMs: 50, wallTimeMs: 200 },
  code: `var keep = []; for (;;) keep.push(new Array(1e6));`,
  expect: [{ status: 'error', kind: ['MEMORY_LIMIT', 'CPU_LIMIT'] }],
};
export default hostileCase;
