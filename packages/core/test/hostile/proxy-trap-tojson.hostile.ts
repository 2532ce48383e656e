import type { HostileCase } from './harness.js';

/**
 * A Proxy returned as the result whose every trap loops forever. DESIGN.md: results are
 * serialized inside the isolate under the execution's time limit, so the loop is stopped by
 * the timeout; the host never touches the live object and cannot hang.
 */
const hostileCase: HostileCase = {
  name: 'proxy-trap-tojson',
  description: 'result is a Proxy whose get/ownKeys/getPrototypeOf/has traps loop (toJSON lookup hangs)',
  limits: { wallTimeMs: 1_000, cpuTimeMs: 500 },
  code: `
var loop = function () { for (;;) {} };
new Proxy({}, {
  get: loop, has: loop, ownKeys: loop, getPrototypeOf: loop,
  getOwnPropertyDescriptor: loop, isExtensible: loop, apply: loop,
})`,
  expect: { status: 'error', kind: 'CPU_LIMIT' },
};
export default hostileCase;
