import { describe, expect, it } from 'vitest';
import { tenantLocation, trimStack } from './trim-stack.js';

const STACK = [
  'TypeError: boom',
  '  second header line',
  '    at inner (file:///tenant/main.js:2:9)',
  '    at fire (vmd:bootstrap:400:3)',
  '    at file:///tenant/main.js:4:1',
  '    at (<isolated-vm boundary>)',
  '    at run (node:internal/modules/run_main:1:1)',
].join('\n');

describe('trimStack', () => {
  it('keeps the header and only tenant frames', () => {
    expect(trimStack(STACK)).toBe(
      [
        'TypeError: boom',
        '  second header line',
        '    at inner (file:///tenant/main.js:2:9)',
        '    at file:///tenant/main.js:4:1',
      ].join('\n'),
    );
  });
  it('names frames of code run through the sandbox eval as Node names them', () => {
    // Tenant code runs through an indirect eval: V8 calls its top-level frame `eval` and an
    // anonymous function in it `<receiver>.eval`; Node shows `at file…` and `<receiver>.<anonymous>`.
    const stack = [
      'Error: x',
      '    at Timeout.eval (file:///tenant/main.js:1:23)',
      '    at Object.eval (file:///tenant/index.js:3:9)',
      '    at async Promise.all (index 0)',
      '    at eval (file:///tenant/main.js:5:1)',
      '    at async eval (file:///tenant/main.js:6:1)',
      '    at evaluate (file:///tenant/main.js:7:1)',
      '    at Foo.evalThing (file:///tenant/main.js:8:1)',
    ].join('\n');
    expect(trimStack(stack).split('\n').slice(1)).toEqual([
      '    at Timeout.<anonymous> (file:///tenant/main.js:1:23)',
      '    at Object.<anonymous> (file:///tenant/index.js:3:9)',
      '    at file:///tenant/main.js:5:1',
      '    at async file:///tenant/main.js:6:1',
      '    at evaluate (file:///tenant/main.js:7:1)',
      '    at Foo.evalThing (file:///tenant/main.js:8:1)',
    ]);
  });

  it('extracts the first tenant frame location', () => {
    expect(tenantLocation(STACK)).toEqual({ line: 2, column: 9 });
    expect(tenantLocation('Error: x\n    at vmd:bootstrap:1:1')).toEqual({ line: 0, column: 0 });
  });
});
