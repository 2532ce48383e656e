import type { HostileCase } from './harness.js';

/**
 * The other Function constructors: AsyncFunction, GeneratorFunction, AsyncGeneratorFunction
 * (reached through `(async function(){}).constructor` etc.), and Promise/then results. Bodies
 * made by those constructors are run and awaited, so a host realm would show up in their
 * result. A module, for top-level await.
 */
const hostileCase: HostileCase = {
  name: 'constructor-chain-async-generators',
  description:
    '(async function(){}).constructor, generator constructors, Promise chains: constructor("return process")',
  sourceType: 'module',
  code: ({ prelude }) => `${prelude}
const AsyncFunction = (async function () {}).constructor;
const GeneratorFunction = (function* () {}).constructor;
const AsyncGeneratorFunction = (async function* () {}).constructor;
async function viaAsync(label, F) {
  try { __H.mark(label, String(await F(__H.BODY)())); } catch (e) { __H.mark(label, 'threw:' + e.name); }
}
function viaGenerator(label, F) {
  try { __H.mark(label, String(F(__H.BODY)().next().value)); } catch (e) { __H.mark(label, 'threw:' + e.name); }
}
async function viaAsyncGenerator(label, F) {
  try { __H.mark(label, String((await F(__H.BODY)().next()).value)); } catch (e) { __H.mark(label, 'threw:' + e.name); }
}
await viaAsync('AsyncFunction', AsyncFunction);
await viaAsync('async-arrow.constructor', (async () => 1).constructor);
await viaAsync('async-method.constructor', ({ async m() {} }).m.constructor);
viaGenerator('GeneratorFunction', GeneratorFunction);
viaGenerator('generator-method.constructor', ({ *g() {} }).g.constructor);
await viaAsyncGenerator('AsyncGeneratorFunction', AsyncGeneratorFunction);
__H.fn('AsyncFunction.constructor', AsyncFunction.constructor);
__H.fn('GeneratorFunction.constructor', GeneratorFunction.constructor);
__H.ctor('generator-object', (function* () {})());
__H.ctor('async-generator-object', (async function* () {})());
__H.ctor('iterator-result', (function* () { yield 1; })().next());
__H.ctor('Promise', Promise);
__H.ctor('promise', Promise.resolve(1));
__H.ctor('promise.then', Promise.resolve(1).then(() => 1));
__H.ctor('async-call-result', (async () => 1)());
let resolveFns = [];
await new Promise((resolve, reject) => { resolveFns = [resolve, reject]; resolve(1); });
__H.ctor('resolve-function', resolveFns[0]);
__H.ctor('reject-function', resolveFns[1]);
const wr = Promise.withResolvers ? Promise.withResolvers() : null;
if (wr) { __H.ctor('withResolvers.resolve', wr.resolve); wr.resolve(1); }
const settled = await Promise.allSettled([Promise.reject(new Error('x'))]);
__H.ctor('allSettled-entry', settled[0]);
__H.ctor('allSettled-reason', settled[0].reason);
export default __H.report();`,
  expect: { status: 'ok' },
  minProbes: 20,
};
export default hostileCase;
