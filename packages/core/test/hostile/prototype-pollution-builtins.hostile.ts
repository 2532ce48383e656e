import { expect } from 'vitest';
import type { HostileCase } from './harness.js';

/**
 * Prototype pollution aimed at the engine and the host: the tenant rewrites the builtins an
 * engine is likely to use after the tenant's code ran (Object.prototype, Array.prototype.push,
 * map/join, JSON.stringify/parse, Function.prototype.call/apply, String.prototype methods,
 * Object.keys, Reflect.ownKeys, Promise.prototype.then, Symbol.iterator, Error.prototype).
 * Every replacement records that it was called and probes its receiver and caller.
 *
 * Expected: the run still ends with a typed outcome (the engine's own code should use
 * builtins it captured before tenant code ran, so `ok` with the right JSON); a second run in
 * the SAME worker sees clean builtins (a fresh isolate), and the worker still works (the host
 * realm was not touched).
 */
const hostileCase: HostileCase = {
  name: 'prototype-pollution-builtins',
  description:
    'Object.prototype.polluted, Array.prototype.push=…, JSON.stringify=…, call/apply/then rewritten; then a clean second run',
  code: ({ prelude }) => `${prelude}
var called = {};
var R = Reflect.apply;
function spy(name, original) {
  return function spied() {
    called[name] = (called[name] || 0) + 1;
    if (called[name] === 1) {
      try { __H.val(name + '.caller', spied.caller); } catch (e) { __H.mark(name + '.caller', 'threw:' + e.name); }
      if (this !== undefined && this !== null && (typeof this === 'object' || typeof this === 'function')) __H.ctor(name + '.this', this);
    }
    return R(original, this, arguments);
  };
}
Object.prototype.polluted = 'yes';
Object.prototype.isAdmin = true;
Array.prototype.push = spy('Array.push', Array.prototype.push);
Array.prototype.map = spy('Array.map', Array.prototype.map);
Array.prototype.join = spy('Array.join', Array.prototype.join);
Array.prototype.forEach = spy('Array.forEach', Array.prototype.forEach);
String.prototype.slice = spy('String.slice', String.prototype.slice);
String.prototype.replace = spy('String.replace', String.prototype.replace);
Object.keys = spy('Object.keys', Object.keys);
Object.entries = spy('Object.entries', Object.entries);
Reflect.ownKeys = spy('Reflect.ownKeys', Reflect.ownKeys);
JSON.parse = spy('JSON.parse', JSON.parse);
Promise.prototype.then = spy('Promise.then', Promise.prototype.then);
Error.prototype.toString = spy('Error.toString', Error.prototype.toString);
Object.prototype.toString = spy('Object.toString', Object.prototype.toString);
Function.prototype.apply = spy('Function.apply', Function.prototype.apply);
Function.prototype.call = spy('Function.call', Function.prototype.call);
Array.prototype[Symbol.iterator] = spy('Array.iterator', Array.prototype[Symbol.iterator]);
Object.defineProperty(Object.prototype, 'toJSON', { configurable: true, writable: true, enumerable: false, value: undefined });
({ a: 1, list: [1, 2, 3], text: 'hello', called: called, report: __H.report() })`,
  expect: [
    {
      status: 'ok',
      check: (v: { a: number; list: number[]; text: string }) => {
        expect(v.a).toBe(1);
        expect(v.list).toEqual([1, 2, 3]);
        expect(v.text).toBe('hello');
      },
    },
    { status: 'error', kind: 'RUNTIME' },
  ],
  followUp: {
    code: `({
      polluted: typeof ({}).polluted,
      isAdmin: typeof ({}).isAdmin,
      push: Array.prototype.push.toString(),
      stringify: JSON.stringify.toString(),
      parse: JSON.parse.toString(),
      then: Promise.prototype.then.toString(),
      call: Function.prototype.call.toString(),
      keys: Object.keys.toString(),
      toJSON: 'toJSON' in Object.prototype,
      ordinary: JSON.stringify({ b: [1, 2] }),
    })`,
    expect: {
      status: 'ok',
      check: (v: Record<string, unknown>) => {
        expect(v.polluted).toBe('undefined');
        expect(v.isAdmin).toBe('undefined');
        for (const k of ['push', 'stringify', 'parse', 'then', 'call', 'keys'])
          expect(v[k], k).toMatch(/\[native code\]/);
        expect(v.toJSON).toBe(false);
        expect(v.ordinary).toBe('{"b":[1,2]}');
      },
    },
  },
};
export default hostileCase;
