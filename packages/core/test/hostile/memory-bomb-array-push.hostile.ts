import type { HostileCase } from './harness.js';

/** Keep pushing small objects until the heap is full: MEMORY_LIMIT, worker alive. */
const hostileCase: HostileCase = {
  name: 'memory-bomb-array-push',
  description: 'for(;;) a.push({ … }) under a 32 MiB isolate limit',
  limits: { memoryMib: 32, wallTimeMs: 2_000, cpuTimeMs: 2_000 },
  code: `var a = []; for (;;) a.push({ x: a.length, y: 'abc' + a.length });`,
  expect: { status: 'error', kind: 'MEMORY_LIMIT' },
};
export default hostileCase;
