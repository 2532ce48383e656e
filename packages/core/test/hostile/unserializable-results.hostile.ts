import { expect } from 'vitest';
import type { HostileCase } from './harness.js';

/**
 * Results JSON cannot represent, in one object: a cycle, a BigInt, a Symbol, a function,
 * a revoked Proxy, a Map with object keys, a getter that throws. The engine must come back
 * with a typed outcome: ok with json absent (or partial) and a preview, or RUNTIME.
 */
const hostileCase: HostileCase = {
  name: 'unserializable-results',
  description: 'result with a cycle, BigInt, Symbol, function, revoked Proxy, throwing getter',
  code: `
var r = { big: 10n, sym: Symbol('s'), fn: function () {}, map: new Map([[{}, 1]]) };
r.self = r;
var rp = Proxy.revocable({}, {}); rp.revoke(); r.revoked = rp.proxy;
Object.defineProperty(r, 'boom', { enumerable: true, get: function () { throw new Error('getter threw'); } });
r`,
  expect: [
    {
      status: 'ok',
      check: (_v: unknown, obs) => {
        if (obs.result.kind === 'outcome' && obs.result.outcome.status === 'ok') {
          expect(typeof obs.result.outcome.preview).toBe('string');
        }
      },
    },
    { status: 'error', kind: 'RUNTIME' },
  ],
};
export default hostileCase;
