import { expect } from 'vitest';
import type { HostileCase } from './harness.js';

/**
 * DESIGN.md: `memoryLimit` does not bound WebAssembly memory (3 GiB committed under a 64 MiB
 * limit), so WebAssembly is off (or its memory capped). If `WebAssembly` exists, the payload
 * tries to grow a Memory to 512 MiB under a 32 MiB isolate limit and to compile a module;
 * both must fail. The runner's RSS ceiling stands in for the supervisor.
 */
const hostileCase: HostileCase = {
  name: 'webassembly-absent',
  description: 'typeof WebAssembly; if present, grow a Memory far past the isolate memory limit',
  limits: { memoryMib: 32 },
  code: `
var out = { type: typeof WebAssembly, grow: 'n/a', compile: 'n/a', viaReflect: typeof Reflect.get(globalThis, 'WebAssembly') };
if (typeof WebAssembly !== 'undefined') {
  try { var m = new WebAssembly.Memory({ initial: 1 }); m.grow(8191); out.grow = 'grew:' + m.buffer.byteLength; }
  catch (e) { out.grow = 'threw:' + e.name; }
  try { new WebAssembly.Module(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0])); out.compile = 'compiled'; }
  catch (e) { out.compile = 'threw:' + e.name; }
}
out`,
  expect: [
    {
      status: 'ok',
      check: (v: Record<string, string>) => {
        expect(v.type).toBe('undefined');
        expect(v.viaReflect).toBe('undefined');
      },
    },
    // WebAssembly present but bounded: the growth is refused.
    { status: 'error', kind: 'MEMORY_LIMIT' },
  ],
};
export default hostileCase;
