import { expect } from 'vitest';
import type { HostileCase } from './harness.js';

/**
 * One 32 MiB console.log under a 64 KiB output limit. Output is size-checked in the isolate
 * before any copy: OUTPUT_LIMIT, and what reached the host is at most the limit (a little
 * slack for a truncation note).
 */
const hostileCase: HostileCase = {
  name: 'output-flood-single-line',
  description: "console.log('x'.repeat(32 MiB)) under outputBytes = 64 KiB",
  limits: { outputBytes: 64 * 1024, memoryMib: 256 },
  code: `var s = 'x'.repeat(32 * 1024 * 1024); s.charCodeAt(5); console.log(s); console.error(s); 'after'`,
  expect: [
    {
      status: 'error',
      kind: 'OUTPUT_LIMIT',
      check: (obs) => {
        const bytes = obs.output.reduce((n, e) => n + Buffer.byteLength(e.text), 0);
        expect(bytes, 'bytes of output delivered').toBeLessThanOrEqual(64 * 1024 + 1024);
      },
    },
  ],
};
export default hostileCase;
