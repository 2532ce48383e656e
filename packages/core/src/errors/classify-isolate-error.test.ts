import { describe, expect, it } from 'vitest';
import {
  classifyIsolateError,
  isTopLevelAwaitSyntaxError,
  parseSyntaxErrorLocation,
} from './classify-isolate-error.js';

// One test per isolated-vm / V8 message the engine depends on (messages as observed with
// isolated-vm 6.2 on Node 24).
describe('classifyIsolateError', () => {
  it('"Script execution timed out." → timeout', () => {
    expect(classifyIsolateError(new Error('Script execution timed out.'))).toEqual({ type: 'timeout' });
  });
  it('"Isolate was disposed during execution due to memory limit" → memory-limit', () => {
    expect(
      classifyIsolateError(new Error('Isolate was disposed during execution due to memory limit')),
    ).toEqual({ type: 'memory-limit' });
  });
  it('"Isolate was disposed during execution" → disposed', () => {
    expect(classifyIsolateError(new Error('Isolate was disposed during execution'))).toEqual({
      type: 'disposed',
    });
  });
  it('"Isolate is disposed" → disposed', () => {
    expect(classifyIsolateError(new Error('Isolate is disposed'))).toEqual({ type: 'disposed' });
  });
  it('"An object was thrown … not an instance of `Error`." → non-error-thrown', () => {
    const msg =
      'An object was thrown from supplied code within isolated-vm, but that object was not an instance of `Error`.';
    expect(classifyIsolateError(new Error(msg))).toEqual({ type: 'non-error-thrown' });
  });
  it('any other Error → tenant, with name/message/stack kept', () => {
    const e = new TypeError('x is not a function');
    expect(classifyIsolateError(e)).toMatchObject({
      type: 'tenant',
      name: 'TypeError',
      message: 'x is not a function',
    });
  });
  it('a thrown primitive → tenant "Uncaught <value>"', () => {
    expect(classifyIsolateError(42)).toMatchObject({ type: 'tenant', message: 'Uncaught 42' });
    expect(classifyIsolateError('s')).toMatchObject({ type: 'tenant', message: "Uncaught 's'" });
  });
});

describe('isTopLevelAwaitSyntaxError', () => {
  it('matches V8\'s "await is only valid in async functions and the top level bodies of modules"', () => {
    const e = new SyntaxError(
      'await is only valid in async functions and the top level bodies of modules [file:///tenant/main.js:1:1]',
    );
    expect(isTopLevelAwaitSyntaxError(e)).toBe(true);
    expect(isTopLevelAwaitSyntaxError(new SyntaxError("Unexpected token ')'"))).toBe(false);
  });
});

describe('parseSyntaxErrorLocation', () => {
  it('splits "<message> [<file>:<line>:<column>]"', () => {
    expect(parseSyntaxErrorLocation("Unexpected token ')' [file:///tenant/main.js:3:9]")).toEqual({
      message: "Unexpected token ')'",
      file: 'file:///tenant/main.js',
      line: 3,
      column: 9,
    });
    expect(parseSyntaxErrorLocation('no location')).toEqual({
      message: 'no location',
      file: '',
      line: 0,
      column: 0,
    });
  });
});
