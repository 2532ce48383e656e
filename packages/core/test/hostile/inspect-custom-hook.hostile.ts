import type { HostileCase } from './harness.js';

/**
 * util.inspect.custom (Symbol.for('nodejs.util.inspect.custom')) is honoured by console output
 * and the result preview, as in Node: tenant code runs while its value is printed. A hook that
 * loops, one that returns an ever-deeper chain of hooked objects, and one that throws must all
 * end inside the isolate (a limit, or the tenant's own error), with no host involved.
 */
const hostileCase: HostileCase = {
  name: 'inspect-custom-hook',
  description: 'inspect.custom hooks that loop, recurse without end, or throw, in console.log and the result',
  limits: { wallTimeMs: 1_000, cpuTimeMs: 500 },
  code: `
var hook = Symbol.for('nodejs.util.inspect.custom');
var deeper = function () { var o = {}; o[hook] = deeper; return o; };
var thrower = {}; thrower[hook] = function () { throw new TypeError('from the hook'); };
try { console.log(thrower); } catch (e) { console.log('caught', e.message); }
try { var d = {}; d[hook] = deeper; console.log(d); } catch (e) { console.log('caught', e.name); }
var looping = {}; looping[hook] = function () { for (;;) {} };
looping`,
  expect: { status: 'error', kind: 'CPU_LIMIT' },
};
export default hostileCase;
