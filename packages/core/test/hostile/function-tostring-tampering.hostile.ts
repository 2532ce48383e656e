import { expect } from 'vitest';
import type { HostileCase } from './harness.js';

/**
 * `Function.prototype.toString` (and `Object.prototype.toString`, `Symbol.toStringTag`)
 * replaced with versions that lie, throw, or return enormous strings, then functions and
 * classes are returned and logged. A preview built with the tampered methods would be
 * attacker-controlled text at best: the preview must stay bounded, the run typed.
 */
const hostileCase: HostileCase = {
  name: 'function-tostring-tampering',
  description:
    'Function.prototype.toString replaced (lying / throwing / 16 MiB); functions returned and logged',
  limits: { memoryMib: 128 },
  code: `
var huge = 'f'.repeat(16 * 1024 * 1024);
var n = 0;
Function.prototype.toString = function () {
  n++;
  if (n % 3 === 0) throw new Error('no source for you');
  if (n % 3 === 1) return 'function () { [native code] } /* forged */';
  return huge;
};
Object.prototype.toString = function () { return huge; };
function tenantFn(a, b) { return a + b; }
class TenantClass { method() {} }
try { console.log(tenantFn, TenantClass, [tenantFn], { f: tenantFn }); } catch (e) {}
({ fn: tenantFn, cls: TenantClass, arrow: () => 1, native: Math.max, bound: tenantFn.bind(null) })`,
  expect: [
    {
      status: 'ok',
      check: (_v: unknown, obs) => {
        if (obs.result.kind === 'outcome' && obs.result.outcome.status === 'ok') {
          expect(obs.result.outcome.preview.length, 'preview size').toBeLessThanOrEqual(1024 * 1024);
        }
        expect(
          obs.output.reduce((n, e) => n + e.text.length, 0),
          'output size',
        ).toBeLessThanOrEqual(1024 * 1024 + 4096);
      },
    },
    { status: 'error', kind: ['RUNTIME', 'RESULT_TOO_LARGE', 'OUTPUT_LIMIT'] },
  ],
};
export default hostileCase;
