import { expect } from 'vitest';
import type { HostileCase } from './harness.js';

/**
 * An error whose message is 48 MiB and whose stack (through prepareStackTrace) is another
 * 48 MiB. DESIGN.md: copies made on the host side are not bounded by the isolate's memory
 * limit, so whatever leaves the isolate is size-checked inside it first. The failure is
 * RUNTIME with name/message/stack trimmed to a sane size (here: at most the result limit),
 * not a 100 MB copy into the worker and on to the daemon and the client.
 *
 * Regression guard: the first engine failed this (a classic script's synchronous throw was
 * converted by isolated-vm on the host side, unbounded (name + message + stack = 100 663 308
 * characters over IPC)); fixed the same day.
 */
const hostileCase: HostileCase = {
  name: 'huge-error-message',
  description:
    'throw new Error("x".repeat(48 MiB)) with a 48 MiB stack; the failure that leaves the isolate must be bounded',
  limits: { memoryMib: 512, resultBytes: 1024 * 1024 },
  code: `
var big = 'x'.repeat(48 * 1024 * 1024);
big.charCodeAt(big.length >> 1); // flatten
Error.prepareStackTrace = function () { return big; };
var e = new Error(big);
e.name = big.slice(0, 8 * 1024 * 1024);
throw e;`,
  expect: [
    {
      status: 'error',
      kind: 'RUNTIME',
      check: (obs) => {
        if (obs.result.kind === 'outcome' && obs.result.outcome.status === 'error') {
          const f = obs.result.outcome.failure;
          expect(f.message.length + f.stack.length + f.name.length, 'failure size').toBeLessThanOrEqual(
            1024 * 1024,
          );
        }
      },
    },
    { status: 'error', kind: ['RESULT_TOO_LARGE', 'MEMORY_LIMIT'] },
  ],
};
export default hostileCase;
