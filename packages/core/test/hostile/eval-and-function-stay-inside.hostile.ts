import { expect } from 'vitest';
import type { HostileCase } from './harness.js';

/**
 * `eval` and `new Function` are allowed (they are ECMAScript) but compile in the isolate's
 * realm only: direct and indirect eval, Function('return this')(), nested evals, a Function
 * made by a Function made by eval… all see the sandbox global and no `process`.
 */
const hostileCase: HostileCase = {
  name: 'eval-and-function-stay-inside',
  description: 'eval / indirect eval / new Function / nested constructors all stay in the isolate realm',
  code: ({ prelude }) => `${prelude}
var r = {
  directEval: eval('typeof process'),
  indirectEval: (0, eval)('typeof process'),
  fnThisIsGlobal: Function('return this')() === globalThis,
  evalThisIsGlobal: (0, eval)('this') === globalThis,
  nested: eval('Function("return eval(\\\\"typeof require\\\\")")()'),
  evalResult: eval('1 + 1'),
};
__H.fn('eval-made-Function', eval('(function(){}).constructor'));
__H.fn('Function-made-Function', Function('return Function')());
__H.call('eval-process', function () { return eval('process'); });
__H.call('indirect-eval-globalThis.process', function () { return (0, eval)('globalThis.process'); });
__H.call('with-scope', function () { return Function('with (this) { return process }').call(globalThis); });
__H.report(r)`,
  expect: {
    status: 'ok',
    check: (v: Record<string, unknown>) => {
      expect(v.directEval).toBe('undefined');
      expect(v.indirectEval).toBe('undefined');
      expect(v.fnThisIsGlobal).toBe(true);
      expect(v.evalThisIsGlobal).toBe(true);
      expect(v.nested).toBe('undefined');
      expect(v.evalResult).toBe(2);
    },
  },
  minProbes: 5,
};
export default hostileCase;
