import type { HostileCase } from './harness.js';

/**
 * A result nested 200 000 levels deep: JSON.stringify and any recursive preview formatter
 * run out of stack inside the engine's own serializer. Expected: ok (the preview
 * depth-limited, json absent) or a typed error; never a crash or a hang.
 */
const hostileCase: HostileCase = {
  name: 'deeply-nested-result',
  description: 'result = [[[[…]]]] 200 000 levels deep',
  code: `var d = []; var c = d; for (var i = 0; i < 200000; i++) { var n = []; c.push(n); c = n; } d`,
  expect: [{ status: 'ok' }, { status: 'error', kind: ['RUNTIME', 'RESULT_TOO_LARGE'] }],
};
export default hostileCase;
