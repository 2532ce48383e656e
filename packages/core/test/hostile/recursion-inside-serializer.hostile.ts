import type { HostileCase } from './harness.js';

/**
 * Stack exhaustion inside the engine's own code: the result's `toJSON` recurses without end
 * (and so does a getter), so the RangeError is raised while the engine's serializer is on the
 * stack, and near the stack limit engine code itself may fail. Typed RUNTIME, worker alive.
 */
const hostileCase: HostileCase = {
  name: 'recursion-inside-serializer',
  description: 'result whose toJSON / getter recurse infinitely',
  code: `
function deep(n) { return deep(n + 1); }
({ toJSON: function () { return deep(0); }, get g() { return deep(0); } })`,
  expect: { status: 'error', kind: 'RUNTIME' },
};
export default hostileCase;
