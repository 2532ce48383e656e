/**
 * The sandbox's TextDecoder against Node's: the same bytes, cut into the same chunks, decoded
 * with and without `{ stream: true }`, must give the same strings (and the same failures).
 */
import { describe, expect, it } from 'vitest';
import { sandboxValues } from '../../../test/support/sandbox-value.js';

const inSandbox = sandboxValues();

/** Decodes `bytes` cut at `cuts` with one decoder; every chunk streamed, then a final flush. */
function decodeChunks(
  Decoder: typeof TextDecoder,
  bytes: number[],
  cuts: number[],
  options: { fatal?: boolean; ignoreBOM?: boolean },
): string[] {
  const d = new Decoder('utf-8', options);
  const out: string[] = [];
  let from = 0;
  for (const to of [...cuts, bytes.length]) {
    try {
      out.push(d.decode(new Uint8Array(bytes.slice(from, to)), { stream: true }));
    } catch (e) {
      out.push(`throws ${(e as Error).name}`);
    }
    from = to;
  }
  try {
    out.push(d.decode());
  } catch (e) {
    out.push(`throws ${(e as Error).name}`);
  }
  return out;
}

const enc = (s: string): number[] => [...new TextEncoder().encode(s)];
const CASES: Array<[string, number[], number[], { fatal?: boolean; ignoreBOM?: boolean }]> = [
  ['a 3-byte character cut after its first byte', enc('a€b'), [2], {}],
  ['a 3-byte character cut in every place', enc('€€'), [1, 2, 4, 5], {}],
  ['a 4-byte character one byte per chunk', enc('x😀y'), [1, 2, 3, 4, 5], {}],
  ['a BOM cut in two, then text', [0xef, 0xbb, 0xbf, ...enc('hi')], [1, 2], {}],
  ['a BOM kept with ignoreBOM', [0xef, 0xbb, 0xbf, ...enc('hi')], [2], { ignoreBOM: true }],
  ['a second BOM mid-stream is text', [0xef, 0xbb, 0xbf, 0x41, 0xef, 0xbb, 0xbf], [4], {}],
  ['a cut character never completed', [...enc('ok'), 0xe2, 0x82], [2], {}],
  ['a cut character never completed, fatal', [...enc('ok'), 0xe2, 0x82], [2], { fatal: true }],
  ['an invalid byte mid-stream', [0x61, 0xff, 0x62], [1, 2], {}],
];

describe('TextDecoder', () => {
  it.each(CASES)('%s: as Node decodes it', async (_what, bytes, cuts, options) => {
    const expected = decodeChunks(TextDecoder, bytes, cuts, options);
    const code = `(${decodeChunks.toString()})(TextDecoder, ${JSON.stringify(bytes)}, ${JSON.stringify(cuts)}, ${JSON.stringify(options)})`;
    expect(await inSandbox(code)).toEqual(expected);
  });

  it('starts afresh after a flush: the next stream may begin with a BOM again', async () => {
    const code = `const d = new TextDecoder();
      const bom = new Uint8Array([0xef, 0xbb, 0xbf, 0x41]);
      [d.decode(bom, { stream: true }), d.decode(), d.decode(bom), d.decode(bom)]`;
    const d = new TextDecoder();
    const bom = new Uint8Array([0xef, 0xbb, 0xbf, 0x41]);
    expect(await inSandbox(code)).toEqual([
      d.decode(bom, { stream: true }),
      d.decode(),
      d.decode(bom),
      d.decode(bom),
    ]);
  });
});
