import { expect } from 'vitest';
import type { HostileCase } from './harness.js';

/**
 * The console-tight-loop hazard without tripping the line-rate limit: 400 000 lines/s, paced
 * by Date.now() to stay under a 1 000 000 lines/s quota (LIMIT_BOUNDS allows it), so only the
 * 2 s wall or cpu limit can end the run. The bridge must keep up or push back: TIMEOUT near the
 * wall limit (the host gives it wall + 1.5 s), or CPU_LIMIT before it (the isolate's thread and
 * the worker's thread, which receives the lines, both work for the run: its CPU passes 2 s
 * before its wall time does), the worker's RSS bounded, no backlog after the end.
 */
const hostileCase: HostileCase = {
  name: 'console-paced-flood',
  description: '400k console lines/s (under a 1M lines/s quota) until the 2 s wall limit',
  limits: {
    wallTimeMs: 2_000,
    cpuTimeMs: 2_000,
    outputBytes: 256 * 1024 * 1024,
    consoleLinesPerSecond: 1_000_000,
  },
  maxWorkerRssMib: 512,
  code: `
var n = 0, t0 = Date.now();
for (;;) { if (n < (Date.now() - t0) * 400) { console.log(''); n++; } }`,
  expect: {
    status: 'error',
    kind: ['TIMEOUT', 'CPU_LIMIT', 'OUTPUT_LIMIT'],
    check: (obs) =>
      expect(
        obs.result.kind === 'outcome' ? obs.result.wallMs : 0,
        'host-observed wall ms',
      ).toBeLessThanOrEqual(3_500),
  },
};
export default hostileCase;
