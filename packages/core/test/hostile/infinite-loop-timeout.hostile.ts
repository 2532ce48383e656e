import type { HostileCase } from './harness.js';

/** The baseline: `while(true){}` under a 500 ms cpu / 1 s wall limit ends CPU_LIMIT, worker alive. */
const hostileCase: HostileCase = {
  name: 'infinite-loop-timeout',
  description: 'while(true){} under cpu 500 ms / wall 1 s',
  limits: { wallTimeMs: 1_000, cpuTimeMs: 500 },
  code: `while (true) {}`,
  expect: { status: 'error', kind: 'CPU_LIMIT' },
};
export default hostileCase;
