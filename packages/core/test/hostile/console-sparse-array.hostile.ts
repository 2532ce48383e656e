import { expect } from 'vitest';
import type { HostileCase } from './harness.js';

/**
 * console.log of a sparse array of length 2^32-1 with one element. Node prints
 * `[ <4294967294 empty items>, 1 ]` at once; a formatter that walks every index burns the
 * whole cpu budget (bounded by the limit, so not an escape, but a tenant's one-liner should not
 * cost 4 billion iterations). Expected: ok, one short line.
 *
 * Regression guard: the first engine failed this (formatter walked every index and the run
 * ended TIMEOUT at its cpu limit); fixed the same day.
 */
const hostileCase: HostileCase = {
  name: 'console-sparse-array',
  description: 'console.log of [ <4294967294 empty items>, 1 ] (sparse array of length 2^32-1)',
  limits: { wallTimeMs: 2_000, cpuTimeMs: 1_000 },
  code: `var a = []; a.length = 4294967295; a[4294967294] = 1; console.log(a); a.length`,
  expect: {
    status: 'ok',
    check: (v: unknown, obs) => {
      expect(v).toBe(4294967295);
      expect(obs.output.length).toBe(1);
      expect(obs.output[0]?.text.length).toBeLessThan(200);
    },
  },
};
export default hostileCase;
