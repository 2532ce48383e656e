import { expect } from 'vitest';
import type { HostileCase } from './harness.js';

/**
 * Many small console lines as fast as possible under a 64 KiB output limit: OUTPUT_LIMIT
 * (bytes or line rate), the delivered output bounded, no flood of IPC after the end.
 */
const hostileCase: HostileCase = {
  name: 'output-flood-many-lines',
  description: 'for(;;) console.log(i++) under outputBytes = 64 KiB',
  limits: { outputBytes: 64 * 1024, wallTimeMs: 3_000 },
  maxWorkerRssMib: 512,
  code: `var i = 0; for (;;) console.log('line ' + i++);`,
  expect: {
    status: 'error',
    kind: 'OUTPUT_LIMIT',
    check: (obs) => {
      const bytes = obs.output.reduce((n, e) => n + Buffer.byteLength(e.text) + 1, 0);
      expect(bytes, 'bytes of output delivered').toBeLessThanOrEqual(64 * 1024 + 1024);
    },
  },
};
export default hostileCase;
