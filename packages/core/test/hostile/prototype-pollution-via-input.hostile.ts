import { expect } from 'vitest';
import type { HostileCase } from './harness.js';

/**
 * Input JSON that tries prototype pollution: `__proto__`, `constructor.prototype`, nested
 * `__proto__` inside arrays. Parsed JSON keeps `__proto__` as an own data property; it must
 * not become the prototype of `input`, nor pollute the sandbox's Object.prototype, nor the
 * host's (the runner's worker health check and the follow-up run check the latter).
 */
const hostileCase: HostileCase = {
  name: 'prototype-pollution-via-input',
  description:
    'input {"__proto__": {"polluted": true}, "constructor": {"prototype": …}} must not pollute anything',
  inputJson:
    '{"__proto__":{"polluted":true,"toString":"x"},"constructor":{"prototype":{"polluted2":true}},"a":1,"list":[{"__proto__":{"polluted3":true}}]}',
  code: `
({
  polluted: typeof ({}).polluted,
  polluted2: typeof ({}).polluted2,
  polluted3: typeof ({}).polluted3,
  inputProtoIsObjectPrototype: Object.getPrototypeOf(input) === Object.prototype,
  ownProto: Object.prototype.hasOwnProperty.call(input, '__proto__'),
  ownProtoValue: JSON.stringify(Object.getOwnPropertyDescriptor(input, '__proto__') && Object.getOwnPropertyDescriptor(input, '__proto__').value),
  inputPolluted: input.polluted,
  elementProtoIsObjectPrototype: Object.getPrototypeOf(input.list[0]) === Object.prototype,
  a: input.a,
  toStringWorks: String({}) === '[object Object]',
})`,
  expect: {
    status: 'ok',
    check: (v: Record<string, unknown>) => {
      expect(v.polluted).toBe('undefined');
      expect(v.polluted2).toBe('undefined');
      expect(v.polluted3).toBe('undefined');
      expect(v.inputProtoIsObjectPrototype).toBe(true);
      expect(v.elementProtoIsObjectPrototype).toBe(true);
      expect(v.inputPolluted).toBeUndefined();
      expect(v.a).toBe(1);
      expect(v.toStringWorks).toBe(true);
    },
  },
  followUp: {
    code: `({ polluted: typeof ({}).polluted, input: typeof input === 'undefined' ? 'none' : JSON.stringify(input) })`,
    expect: {
      status: 'ok',
      check: (v: { polluted: string; input: string }) => {
        expect(v.polluted).toBe('undefined');
        expect(v.input === 'none' || v.input === 'null' || v.input === undefined).toBe(true);
      },
    },
  },
};
export default hostileCase;
