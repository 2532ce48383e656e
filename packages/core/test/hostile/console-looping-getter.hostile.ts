import type { HostileCase } from './harness.js';

/**
 * console.log of an object whose getter loops and (via `%s`) whose `toString` loops. If the
 * formatter invokes them, that happens inside the isolate and the wall/cpu limit ends the
 * run (CPU_LIMIT); if the formatter does not invoke accessors (Node prints `[Getter]`), the
 * run ends ok. Never a hung worker or daemon.
 */
const hostileCase: HostileCase = {
  name: 'console-looping-getter',
  description: 'console.log({ get x() { for(;;); } }) and console.log("%s", { toString() { for(;;); } })',
  limits: { wallTimeMs: 1_000, cpuTimeMs: 500 },
  code: `
var o = {}; Object.defineProperty(o, 'x', { enumerable: true, get: function () { for (;;) {} } });
console.log(o);
console.log('%s', { toString: function () { for (;;) {} } });
console.log('%d', { [Symbol.toPrimitive]: function () { for (;;) {} } });
'survived'`,
  expect: [{ status: 'error', kind: 'CPU_LIMIT' }, { status: 'ok' }],
};
export default hostileCase;
