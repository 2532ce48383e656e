import { expect } from 'vitest';
import type { HostileCase } from './harness.js';

/**
 * The same synchronous-bridge hazard through every other API that may be host-backed:
 * crypto.getRandomValues / randomUUID, performance.now, structuredClone, TextEncoder/Decoder,
 * atob/btoa, in a tight loop under a 1 s wall limit. TIMEOUT near the wall limit, or CPU_LIMIT
 * just before it: what the worker's thread does for the run's calls counts as its CPU, on top of
 * its isolate's clock.
 */
const hostileCase: HostileCase = {
  name: 'host-api-tight-loop',
  description:
    'for(;;) { crypto.getRandomValues(); crypto.randomUUID(); performance.now(); structuredClone(); … }',
  limits: { wallTimeMs: 1_000, cpuTimeMs: 1_000 },
  code: `
var u8 = new Uint8Array(64), enc = new TextEncoder(), dec = new TextDecoder();
for (;;) {
  crypto.getRandomValues(u8); crypto.randomUUID(); performance.now();
  structuredClone({ a: [1, 2, 3] }); dec.decode(enc.encode('hello')); atob(btoa('hi'));
}`,
  expect: {
    status: 'error',
    kind: ['TIMEOUT', 'CPU_LIMIT'],
    check: (obs) =>
      expect(
        obs.result.kind === 'outcome' ? obs.result.wallMs : 0,
        'host-observed wall ms',
      ).toBeLessThanOrEqual(4_000),
  },
};
export default hostileCase;
