import type { HostileCase } from './harness.js';

/**
 * `throw Symbol('boom')`: a value with no message, no properties, that `String()` can turn
 * into text but `'' + v` cannot. The failure is RUNTIME (ideally naming the symbol; the
 * security property is only that converting it neither crashes nor hangs anything).
 */
const hostileCase: HostileCase = {
  name: 'throw-symbol',
  description: "throw Symbol('boom') (not an Error, not convertible with +)",
  code: `throw Symbol('boom');`,
  expect: { status: 'error', kind: 'RUNTIME' },
};
export default hostileCase;
