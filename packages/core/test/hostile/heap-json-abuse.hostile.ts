import type { HostileCase } from './harness.js';

/**
 * isolated-vm's tests/heap-limit-json-abuse.js: JSON.parse of a text that expands past the
 * heap limit (~2.8 M strings from a 32 MiB text) under a 32 MiB limit: MEMORY_LIMIT, worker
 * alive.
 */
const hostileCase: HostileCase = {
  name: 'heap-json-abuse',
  description: 'JSON.parse of a 32 MiB array-of-strings text under a 32 MiB isolate limit',
  limits: { memoryMib: 32, wallTimeMs: 2_000, cpuTimeMs: 2_000 },
  code: `JSON.parse('[' + Array(Math.floor(1024 * 1024 * 32 / 12)).fill('"aa"').join(',') + ']').length`,
  expect: { status: 'error', kind: 'MEMORY_LIMIT' },
};
export default hostileCase;
