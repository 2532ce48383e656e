import type { HostileCase } from './harness.js';

/** Unbounded recursion: V8's stack guard throws RangeError, a RUNTIME failure, worker alive. */
const hostileCase: HostileCase = {
  name: 'infinite-recursion',
  description: 'function f() { return f() } f()',
  code: `function f(a) { return f(a + 1) + 1; } f(0);`,
  expect: { status: 'error', kind: 'RUNTIME', name: 'RangeError' },
};
export default hostileCase;
