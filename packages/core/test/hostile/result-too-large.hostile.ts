import { expect } from 'vitest';
import type { HostileCase } from './harness.js';

/**
 * DESIGN.md hazard: a 200 MB result string reached the host. The result is size-checked in
 * the isolate before any copy: a 64 MiB string under a 1 MiB result limit (heap big enough
 * to hold it) ends RESULT_TOO_LARGE, and the worker's RSS does not jump by the string's size.
 */
const hostileCase: HostileCase = {
  name: 'result-too-large',
  description: "'x'.repeat(64 MiB) returned under a 1 MiB result limit and a 512 MiB heap",
  limits: { memoryMib: 512, resultBytes: 1024 * 1024 },
  code: `var s = 'x'.repeat(64 * 1024 * 1024); s.charCodeAt(1000); s`,
  expect: {
    status: 'error',
    kind: 'RESULT_TOO_LARGE',
    check: (obs) => {
      if (obs.result.kind === 'outcome' && obs.result.outcome.status === 'error') {
        expect(obs.result.outcome.failure.message.length).toBeLessThan(64 * 1024);
      }
    },
  },
};
export default hostileCase;
