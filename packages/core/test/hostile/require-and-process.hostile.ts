import { expect } from 'vitest';
import type { HostileCase } from './harness.js';

/**
 * Node's ambient host objects must simply not exist: `require`, `process` (and
 * `process.binding`, `process.dlopen`, `process.mainModule.require`), `module`, `exports`,
 * `__dirname`, `Buffer`, `global` (allowed only as an alias of the sandbox's own globalThis).
 * Looked up every way there is: bare identifiers, globalThis,
 * `this`, `Function('return this')()`, indirect eval.
 */
const hostileCase: HostileCase = {
  name: 'require-and-process',
  description: 'require / process / process.binding / module / Buffer / global via every lookup path',
  code: ({ prelude }) => `${prelude}
// (setImmediate is the sandbox's own, in-isolate like its other timers: not a host object.)
var names = ['require', 'process', 'module', 'exports', '__dirname', '__filename', 'Buffer', 'global',
  'importScripts', 'Deno', 'Bun', 'ivm', '_ivm', 'isolatedVm', '$0'];
var types = {};
// A \`global\` that is just another name for the sandbox's own global object is harmless.
var globalIsAlias = typeof global === 'object' && global === globalThis;
names.forEach(function (n) {
  types[n] = (0, eval)('typeof ' + n);
  __H.call(n + ':bare', function () { return (0, eval)(n); });
  __H.call(n + ':globalThis', function () { return globalThis[n]; });
  __H.call(n + ':Function-this', function () { return Function('return this')()[n]; });
});
__H.call('process.binding', function () { return process.binding('fs'); });
__H.call('process.dlopen', function () { return process.dlopen; });
__H.call('process.mainModule.require', function () { return process.mainModule.require('fs'); });
__H.call('require.main', function () { return require.main; });
__H.call('module.constructor._load', function () { return module.constructor._load('fs'); });
__H.call('globalThis.global.process', function () { return globalThis.global.process; });
__H.report({ types: types, globalIsAlias: globalIsAlias })`,
  expect: {
    status: 'ok',
    check: (v: { types: Record<string, string>; globalIsAlias: boolean }) => {
      for (const [n, t] of Object.entries(v.types)) {
        if (n === 'global' && v.globalIsAlias) continue;
        expect(t, `typeof ${n}`).toBe('undefined');
      }
    },
  },
  minProbes: 40,
};
export default hostileCase;
