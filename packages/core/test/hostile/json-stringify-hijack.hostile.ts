import { expect } from 'vitest';
import type { HostileCase } from './harness.js';

/**
 * The tenant replaces `JSON.stringify` (the serializer an engine is most likely to call
 * after tenant code) with one that returns invalid JSON, a non-string object whose
 * `toString` loops, or a 64 MiB string. The outcome's `json` is promised to be JSON (clients
 * parse it): a robust engine serializes with the builtin it captured at bootstrap. Anything
 * else must still be typed, bounded and valid: never invalid JSON, never a hang.
 */
const hostileCase: HostileCase = {
  name: 'json-stringify-hijack',
  description:
    'JSON.stringify replaced by one returning invalid JSON / a looping object; result must stay valid JSON',
  limits: { wallTimeMs: 2_000, cpuTimeMs: 1_000 },
  code: `
var calls = 0;
JSON.stringify = function () {
  calls++;
  if (calls === 1) return 'not json {';
  return { toString: function () { for (;;) {} } };
};
({ a: 1, b: [true, null] })`,
  expect: [
    {
      status: 'ok',
      check: (v: unknown, obs) => {
        const r = obs.result;
        // json must be absent or valid JSON of the real value.
        const json = r.kind === 'outcome' && r.outcome.status === 'ok' ? r.outcome.json : undefined;
        if (json !== undefined) {
          expect(() => JSON.parse(json), `json is not JSON: ${json}`).not.toThrow();
          expect(v).toEqual({ a: 1, b: [true, null] });
        }
      },
    },
    { status: 'error', kind: ['RUNTIME', 'TIMEOUT'] },
  ],
  followUp: {
    code: `JSON.stringify.toString()`,
    expect: { status: 'ok', check: (v: string) => expect(v).toMatch(/\[native code\]/) },
  },
};
export default hostileCase;
