import type { HostileCase } from './harness.js';

/** Catastrophic regexp backtracking runs inside V8's regexp engine: the limit must still end it (CPU_LIMIT). */
const hostileCase: HostileCase = {
  name: 'regexp-backtracking',
  description: "/(a+)+$/.test('a'.repeat(40) + 'b')",
  limits: { wallTimeMs: 1_000, cpuTimeMs: 500 },
  code: `/(a+)+$/.test('a'.repeat(40) + 'b')`,
  expect: { status: 'error', kind: 'CPU_LIMIT' },
};
export default hostileCase;
