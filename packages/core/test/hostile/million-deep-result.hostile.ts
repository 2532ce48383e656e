import type { HostileCase } from './harness.js';

/**
 * A result nested one million levels deep, as objects (`{ a: { a: … } }`): every recursive
 * walk of it (JSON.stringify, the preview formatter, a structured copy) overflows the stack
 * long before the end. Expected: a result with a depth-limited preview, or a typed error; the
 * worker neither crashes nor grows past a few hundred MiB, and the next run is clean.
 */
const hostileCase: HostileCase = {
  name: 'million-deep-result',
  description: 'result = { a: { a: … } } 1 000 000 levels deep, 128 MiB isolate',
  code: `var d = {}; var c = d; for (var i = 0; i < 1e6; i++) { c.a = {}; c = c.a; } d`,
  limits: { memoryMib: 128, wallTimeMs: 5_000, cpuTimeMs: 4_000 },
  maxWorkerRssMib: 768,
  expect: [{ status: 'ok' }, { status: 'error', kind: ['RUNTIME', 'RESULT_TOO_LARGE', 'MEMORY_LIMIT'] }],
  followUp: { code: '[1, 2].length', expect: { status: 'ok', check: (v) => void expectTwo(v) } },
};

function expectTwo(value: unknown): void {
  if (value !== 2) throw new Error(`follow-up returned ${JSON.stringify(value)}`);
}
export default hostileCase;
