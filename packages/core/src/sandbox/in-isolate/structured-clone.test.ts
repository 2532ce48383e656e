/**
 * structuredClone's transfer list in the sandbox against Node's: the same program, run in both,
 * must report the same byte lengths, contents and errors.
 */
import { describe, expect, it } from 'vitest';
import { sandboxValues } from '../../../test/support/sandbox-value.js';

const inSandbox = sandboxValues();

/** Each program's value, or the name and message of what it threw. */
const PROGRAMS: Array<[string, string]> = [
  [
    'a transferred buffer is detached; the clone has its bytes, views keep their offsets',
    `const b = new ArrayBuffer(8); const v = new Uint8Array(b, 2, 3); v[0] = 7;
     const c = structuredClone({ v, b }, { transfer: [b] });
     [b.byteLength, b.detached, c.b.byteLength, c.v.byteOffset, c.v.length, c.v[0], c.v.buffer === c.b]`,
  ],
  [
    'an empty or absent transfer list detaches nothing',
    `const b = new ArrayBuffer(2); structuredClone(b, { transfer: [] }); structuredClone(b, {}); b.byteLength`,
  ],
  ['something else than an ArrayBuffer', `structuredClone(1, { transfer: [{}] })`],
  ['a duplicate', `const b = new ArrayBuffer(2); structuredClone(1, { transfer: [b, b] })`],
  [
    'a detached buffer in the list',
    `const b = new ArrayBuffer(2); b.transfer(); structuredClone(1, { transfer: [b] })`,
  ],
  ['a detached buffer in the value', `const b = new ArrayBuffer(2); b.transfer(); structuredClone(b)`],
  ['a transfer list that is not a sequence', `structuredClone(1, { transfer: 5 })`],
  ['options that are not an object', `structuredClone(1, 5)`],
  [
    'a failed clone detaches nothing',
    `const b = new ArrayBuffer(2); try { structuredClone({ f() {} }, { transfer: [b] }); } catch {} b.byteLength`,
  ],
];

function outcomeOf(program: string): unknown {
  try {
    return { value: (0, eval)(program) as unknown };
  } catch (e) {
    return { threw: `${(e as Error).name}: ${(e as Error).message}` };
  }
}

describe('structuredClone transfer', () => {
  it.each(PROGRAMS)('%s: as in Node', async (_what, program) => {
    const wrapped = `(() => { try { return { value: (0, eval)(${JSON.stringify(program)}) }; } catch (e) { return { threw: e.name + ': ' + e.message }; } })()`;
    expect(await inSandbox(wrapped)).toEqual(JSON.parse(JSON.stringify(outcomeOf(program))));
  });
});
