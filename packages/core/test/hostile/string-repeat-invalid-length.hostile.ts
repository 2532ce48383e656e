import type { HostileCase } from './harness.js';

/** `'x'.repeat(2**31)` passes V8's maximum string length: a RangeError, i.e. RUNTIME (not a crash). */
const hostileCase: HostileCase = {
  name: 'string-repeat-invalid-length',
  description: "'x'.repeat(2**31): Invalid string length",
  code: `'x'.repeat(2 ** 31)`,
  expect: { status: 'error', kind: 'RUNTIME', name: 'RangeError' },
};
export default hostileCase;
