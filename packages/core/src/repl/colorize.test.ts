import { stripVTControlCharacters } from 'node:util';
import { describe, expect, it } from 'vitest';
import { colorizePreview } from './colorize.js';

const Y = (s: string): string => `\u001b[33m${s}\u001b[39m`;
const G = (s: string): string => `\u001b[32m${s}\u001b[39m`;

describe('colorizePreview', () => {
  it('colours like util.inspect and never changes the text', () => {
    const preview = "{ a: 1, b: 'x', c: [ true, null, undefined ], f: [Function: f], s: Symbol(k), n: 10n }";
    const coloured = colorizePreview(preview);
    expect(stripVTControlCharacters(coloured)).toBe(preview);
    expect(coloured).toContain(`a: ${Y('1')}`);
    expect(coloured).toContain(`b: ${G("'x'")}`);
    expect(coloured).toContain(Y('true'));
    expect(coloured).toContain('\u001b[1mnull\u001b[22m');
    expect(coloured).toContain('\u001b[90mundefined\u001b[39m');
    expect(coloured).toContain('\u001b[36m[Function: f]\u001b[39m');
    expect(coloured).toContain(G('Symbol(k)'));
    expect(coloured).toContain(Y('10n'));
  });

  it('leaves keys and words plain, and keeps strings with tricky content whole', () => {
    expect(colorizePreview('{ true: 1 }')).toBe(`{ true: ${Y('1')} }`);
    expect(colorizePreview("'it\\'s 42'")).toBe(G("'it\\'s 42'"));
    expect(colorizePreview('Map(1) { 2 => 3 }')).toBe(`Map(${Y('1')}) { ${Y('2')} => ${Y('3')} }`);
  });
});
