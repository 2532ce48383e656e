import { expect } from 'vitest';
import type { HostileCase } from './harness.js';

/**
 * SharedArrayBuffer and Atomics are removed from the sandbox (DESIGN.md): no shared memory,
 * no `Atomics.wait` (a futex wait that a termination may not interrupt). Also tries the
 * indirect ways to a SharedArrayBuffer: a shared WebAssembly.Memory, and structuredClone.
 * If Atomics is present anyway, `Atomics.wait` is tried with a 3 s timeout under a 1 s wall
 * limit: the run must still end on time.
 */
const hostileCase: HostileCase = {
  name: 'sab-atomics-absent',
  description: 'typeof SharedArrayBuffer/Atomics, Atomics.wait, shared WebAssembly.Memory',
  limits: { wallTimeMs: 1_000, cpuTimeMs: 1_000 },
  code: `
var out = { sab: typeof SharedArrayBuffer, atomics: typeof Atomics, wasm: typeof WebAssembly, viaWasm: 'n/a', wait: 'n/a' };
try { if (typeof WebAssembly !== 'undefined') out.viaWasm = String(new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true }).buffer); }
catch (e) { out.viaWasm = 'threw:' + e.name; }
try { if (typeof Atomics !== 'undefined') {
  var sab = typeof SharedArrayBuffer !== 'undefined' ? new SharedArrayBuffer(4) : null;
  out.wait = sab ? String(Atomics.wait(new Int32Array(sab), 0, 0, 3000)) : 'no-sab';
} } catch (e) { out.wait = 'threw:' + e.name; }
out`,
  expect: {
    status: 'ok',
    check: (v: Record<string, string>) => {
      expect(v.sab).toBe('undefined');
      expect(v.atomics).toBe('undefined');
      expect(v.viaWasm).not.toMatch(/SharedArrayBuffer/);
      expect(v.wait).toBe('n/a');
    },
  },
};
export default hostileCase;
