import { expect } from 'vitest';
import type { HostileCase } from './harness.js';

/**
 * DESIGN.md hazard: isolated-vm's `timeout` is not a wall clock while tenant code loops over
 * a synchronous callback (a console bridge made with applySync ran 18 s under a 1 s timeout).
 * Tight console loop with generous output limits (a line rate the quota bounds allow), 2 s
 * wall: the run must end TIMEOUT (or OUTPUT_LIMIT) close to its wall limit: the host gives it
 * wall + 1.5 s.
 *
 * Regression guard: the first engine failed this. Its console emitted one host task and one
 * IPC message per line with no backpressure; at the ~3·10^5 lines/s a tight loop reaches, the
 * wall limit fired late (2 s limit: 4.1 s by the engine's own metric), ~700 000 output
 * messages queued behind the result, no ping was answered, and the worker's RSS climbed past
 * 1.25 GiB until it died of its own heap limit (SIGABRT after 8.6 s), taking every other
 * in-flight run with it. Fixed the same day; the RSS bound below guards it.
 */
const hostileCase: HostileCase = {
  name: 'console-tight-loop',
  description: "for(;;) console.log('') under 2 s wall with huge output/line-rate limits",
  limits: {
    wallTimeMs: 2_000,
    cpuTimeMs: 2_000,
    outputBytes: 256 * 1024 * 1024,
    consoleLinesPerSecond: 1_000_000,
  },
  code: `for (;;) { console.log(''); console.error(''); }`,
  maxWorkerRssMib: 512,
  expect: {
    status: 'error',
    kind: ['TIMEOUT', 'OUTPUT_LIMIT'],
    check: (obs) =>
      expect(
        obs.result.kind === 'outcome' ? obs.result.wallMs : 0,
        'host-observed wall ms',
      ).toBeLessThanOrEqual(3_500),
  },
};
export default hostileCase;
