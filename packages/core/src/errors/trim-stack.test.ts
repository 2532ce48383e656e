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
  it('extracts the first tenant frame location', () => {
    expect(tenantLocation(STACK)).toEqual({ line: 2, column: 9 });
    expect(tenantLocation('Error: x\n    at vmd:bootstrap:1:1')).toEqual({ line: 0, column: 0 });
  });
});
