import type { HostileCase } from './harness.js';

/**
 * ArrayBuffer backing stores live outside the V8 heap. Keeping 64 MiB buffers forever under
 * a 64 MiB limit must be refused (RangeError "Array buffer allocation failed": RUNTIME, or
 * MEMORY_LIMIT) without the worker's RSS running away (the runner's RSS ceiling).
 */
const hostileCase: HostileCase = {
  name: 'arraybuffer-bomb',
  description: 'for(;;) keep.push(new ArrayBuffer(64 MiB)); also new ArrayBuffer(2**32) under 64 MiB',
  limits: { memoryMib: 64 },
  maxWorkerRssMib: 1024,
  code: `
var keep = [];
try { keep.push(new ArrayBuffer(2 ** 32)); } catch (e) {}
for (;;) keep.push(new Uint8Array(new ArrayBuffer(64 * 1024 * 1024)).fill(1));`,
  expect: { status: 'error', kind: ['RUNTIME', 'MEMORY_LIMIT'] },
};
export default hostileCase;
