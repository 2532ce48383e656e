import type { HostileCase } from './harness.js';

/**
 * The classic vm escape: walk `.constructor.constructor` from every object the language gives
 * for free to a Function constructor, and ask it for `process`. In an isolate every chain must
 * end at the isolate's own Function, whose realm has no `process`.
 */
const hostileCase: HostileCase = {
  name: 'constructor-chain-globals',
  description:
    'this/{}/[]/primitives/functions/classes/builtins .constructor.constructor("return process")()',
  code: ({ prelude }) => `${prelude}
var self = this;
__H.ctor('this', self);
__H.ctor('globalThis', globalThis);
__H.ctor('object-literal', {});
__H.ctor('array', []);
__H.ctor('string', '');
__H.ctor('number', 0);
__H.ctor('boolean', true);
__H.ctor('bigint', 1n);
__H.ctor('symbol', Symbol('s'));
__H.ctor('regexp', /x/);
__H.ctor('date', new Date(0));
__H.ctor('map', new Map());
__H.ctor('weakmap', new WeakMap());
__H.ctor('typed-array', new Uint8Array(1));
__H.ctor('array-buffer', new ArrayBuffer(1));
__H.ctor('function', function () {});
__H.ctor('arrow', () => 1);
__H.ctor('class', class A {});
__H.ctor('bound', function () {}.bind(null));
__H.ctor('math', Math);
__H.ctor('json', JSON);
__H.ctor('reflect', Reflect);
__H.ctor('proxy', new Proxy({}, {}));
__H.ctor('arguments', (function () { return arguments; })(1));
__H.ctor('global-proto', Object.getPrototypeOf(globalThis));
__H.ctor('iterator', [][Symbol.iterator]());
__H.fn('Function', Function);
__H.fn('this.constructor.constructor', self.constructor.constructor);
__H.call('Function-return-this.process', function () { return Function('return this')().process; });
__H.call('Function-return-process', function () { return Function('return process')(); });
__H.call('Function-return-require', function () { return Function('return require')(); });
__H.call('Reflect.construct', function () { return Reflect.construct(Function, ['return process'])(); });
__H.report()`,
  expect: { status: 'ok' },
  minProbes: 32,
};
export default hostileCase;
