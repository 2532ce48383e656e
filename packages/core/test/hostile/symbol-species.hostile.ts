import type { HostileCase } from './harness.js';

/**
 * `Symbol.species` on Array and Promise subclasses returned as results: whatever the engine
 * does with the result (`map`, `slice`, `then`, `await`) constructs the species, which
 * receives the engine's arguments (executors, lengths) and can inspect them and its caller.
 * Species constructors here record what they get and otherwise behave.
 */
const hostileCase: HostileCase = {
  name: 'symbol-species',
  description:
    'Array/Promise subclasses with Symbol.species that probe their constructor arguments and callers',
  sourceType: 'module',
  code: ({ prelude }) => `${prelude}
const calls = [];
class EvilArray extends Array {
  static get [Symbol.species]() {
    calls.push('array-species');
    return function Species(n) {
      __H.val('array-species.arg', n);
      try { __H.val('array-species.caller', Species.caller); } catch (e) { __H.mark('array-species.caller', 'threw:' + e.name); }
      return new Array(n);
    };
  }
}
class EvilPromise extends Promise {
  static get [Symbol.species]() {
    calls.push('promise-species');
    return function PromiseSpecies(executor) {
      __H.ctor('promise-species.executor', executor);
      __H.val('promise-species.executor-value', executor);
      return new Promise(executor);
    };
  }
}
const arr = EvilArray.from([1, 2, 3]);
arr.map((x) => x); // exercise species once ourselves, so there is always a probe
const p = new EvilPromise((r) => r(42));
p.then(() => {});
globalThis.__results = { arr, p };
export default async function () {
  const v = await p;
  return { arr, v, nested: [EvilArray.of(1, 2)], report: __H.report({ calls }) };
}`,
  expect: { status: 'ok' },
  minProbes: 2,
};
export default hostileCase;
