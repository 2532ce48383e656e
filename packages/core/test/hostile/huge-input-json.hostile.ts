import type { HostileCase } from './harness.js';

/**
 * The same JSON expansion through `input`: a 12 MiB input text of small objects under a
 * 16 MiB isolate limit. Wherever the engine parses it (in the isolate, or on the host and
 * copied in), the expansion must not reach the host unbounded: a typed MEMORY_LIMIT (or the
 * request refused as invalid), worker alive.
 */
const PARTS = Math.floor((12 * 1024 * 1024) / 14);
const hostileCase: HostileCase = {
  name: 'huge-input-json',
  description: '12 MiB input JSON ([{"a":[1]},…]) under a 16 MiB isolate limit',
  limits: { memoryMib: 16 },
  inputJson: () => `[${new Array(PARTS).fill('{"a":[1,2]}').join(',')}]`,
  code: `input.length`,
  expect: [
    { status: 'error', kind: 'MEMORY_LIMIT' },
    { status: 'run-error', code: 'INVALID_ARGUMENT' },
  ],
};
export default hostileCase;
