import { expect } from 'vitest';
import type { HostileCase } from './harness.js';

/**
 * One tenant's run leaves secrets everywhere it can (a global, a property on a builtin, a
 * Symbol.for registry entry, a frozen prototype, a WeakMap keyed by a builtin); the next run
 * in the same worker (in production: possibly another tenant) must find none of it: fresh
 * isolate (or context) per run.
 */
const hostileCase: HostileCase = {
  name: 'state-leak-between-runs',
  description: 'run 1 hides state in globals/builtins/Symbol registry; run 2 in the same worker looks for it',
  code: `
globalThis.secret = 'tenant-A-secret';
Math.secret = 'tenant-A-secret';
Array.prototype.secret = 'tenant-A-secret';
Symbol.for('vmd.secret').description; // registers the key
globalThis[Symbol.for('vmd.secret')] = 'tenant-A-secret';
Object.freeze(Object.prototype);
'planted'`,
  expect: { status: 'ok' },
  followUp: {
    code: `({
      global: typeof secret,
      math: typeof Math.secret,
      array: typeof [].secret,
      symbol: typeof globalThis[Symbol.for('vmd.secret')],
      frozen: Object.isFrozen(Object.prototype),
    })`,
    expect: {
      status: 'ok',
      check: (v: unknown) =>
        expect(v).toEqual({
          global: 'undefined',
          math: 'undefined',
          array: 'undefined',
          symbol: 'undefined',
          frozen: false,
        }),
    },
  },
};
export default hostileCase;
