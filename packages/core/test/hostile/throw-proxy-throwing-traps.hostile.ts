import type { HostileCase } from './harness.js';

/**
 * The tenant throws a Proxy whose every trap throws another Proxy like it (so converting the
 * failure raises more hostile values), from inside a promise rejection in a module. The
 * engine's conversion must not recurse without bound or crash: RUNTIME, with a string name
 * and message.
 */
const hostileCase: HostileCase = {
  name: 'throw-proxy-throwing-traps',
  description: 'reject with a Proxy whose traps throw Proxies whose traps throw…',
  sourceType: 'module',
  code: `
function evil() {
  const thrower = () => { throw evil(); };
  return new Proxy(function () {}, {
    get: thrower, getPrototypeOf: thrower, has: thrower, ownKeys: thrower,
    getOwnPropertyDescriptor: thrower, apply: thrower, construct: thrower,
  });
}
await Promise.resolve();
throw evil();`,
  expect: {
    status: 'error',
    kind: 'RUNTIME',
    check: (obs) => {
      if (obs.result.kind === 'outcome' && obs.result.outcome.status === 'error') {
        const f = obs.result.outcome.failure;
        if (typeof f.name !== 'string' || typeof f.message !== 'string' || typeof f.stack !== 'string') {
          throw new Error('failure fields must be strings');
        }
      }
    },
  },
};
export default hostileCase;
