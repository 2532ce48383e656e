import type { HostileCase } from './harness.js';

/**
 * setImmediate is due at once, so a callback that schedules itself keeps the host calling
 * into the isolate with no sleep between turns, and a flood of them fills the timer table.
 * Both must end at a limit (the chain at the cpu or wall limit: every turn's host work is
 * charged to the run; the flood at the pending-timer limit, a RangeError in tenant code),
 * with the worker serving the next run.
 */
const hostileCase: HostileCase = {
  name: 'immediate-chain',
  description: 'function f() { setImmediate(f) } f(), and 200,000 pending setImmediate calls',
  limits: { wallTimeMs: 1_500, cpuTimeMs: 700 },
  code: `
var flood = 'none', handles = [];
try { for (var i = 0; i < 200000; i++) handles.push(setImmediate(function () {})); } catch (e) { flood = e.name; }
if (flood !== 'RangeError') throw new Error('the flood was not refused: ' + flood);
handles.forEach(clearImmediate);
function f() { setImmediate(f); }
f();
'never settles while the chain runs'`,
  expect: { status: 'error', kind: ['CPU_LIMIT', 'TIMEOUT'] },
  followUp: { code: '1 + 1', expect: { status: 'ok' } },
};
export default hostileCase;
