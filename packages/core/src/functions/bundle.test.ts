import { describe, expect, it } from 'vitest';
import { analyzeFile, checkBundle } from './bundle.js';

const HOW = 'a handler is module.exports = async (event, ctx) => …';

/** The problems `checkBundle` reports for a one-file bundle whose entry is that file. */
function problemsOf(path: string, content: string): string[] {
  const r = checkBundle([{ path, content }], path);
  return r.ok ? [] : r.problems.map((p) => `${p.file}:${p.line}: ${p.message}`);
}

describe('checkBundle: the entry must be able to give a handler', () => {
  it.each([
    ['index.js', ''],
    ['index.js', ' \n\t\r\n'],
    ['index.js', '// a comment\n/* and another */'],
    ['index.js', "#!/usr/bin/env node\n'use strict';\n;;"],
    ['index.mjs', '/* nothing */'],
    ['index.cjs', '\n'],
  ])('refuses %s with no code (%j)', (path, content) => {
    const problems = problemsOf(path, content);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(`${path}:0: the entry point has no code`);
    expect(problems[0]).toContain(HOW);
  });

  it.each([
    ['export const version = 1;'],
    ['const handle = () => 1;\nexport { handle };'],
    ["import './side.mjs';\nexport class Handler {}"],
  ])('refuses an ES module exporting neither default nor handler: %s', (content) => {
    const r = checkBundle(
      [
        { path: 'index.mjs', content },
        { path: 'side.mjs', content: 'export default 1' },
      ],
      'index.mjs',
    );
    expect(r.ok === false && r.problems).toEqual([
      expect.objectContaining({
        file: 'index.mjs',
        message: expect.stringContaining(
          'the entry point is an ES module that exports neither default nor handler',
        ),
      }),
    ]);
  });

  it('refuses a JSON entry', () => {
    expect(problemsOf('data.json', '{"handler": 1}')).toEqual([
      expect.stringContaining('data.json:0: the entry point is a JSON file, which cannot export a function'),
    ]);
  });

  it.each([
    ['index.js', 'module.exports = async () => 1;'],
    ['index.js', 'exports.handler = () => 1;'],
    // CommonJS exports are known only when it runs: any code may export a handler.
    ['index.js', 'this.handler = () => 1;'],
    ['index.mjs', 'export default () => 1;'],
    ['index.mjs', 'export async function handler() { return 1; }'],
    ['index.mjs', 'export const handler = () => 1;'],
    ['index.mjs', 'const h = () => 1;\nexport { h as default };'],
    ['index.mjs', "const h = () => 1;\nexport { h as 'handler' };"],
    ['index.mjs', 'export const { handler } = { handler: () => 1 };'],
  ])('accepts %s: %s', (path, content) => {
    expect(problemsOf(path, content)).toEqual([]);
  });

  it('accepts an ES module that re-exports another module of the bundle', () => {
    const r = checkBundle(
      [
        { path: 'index.mjs', content: "export * from './impl.mjs';" },
        { path: 'impl.mjs', content: 'export const handler = () => 1;' },
      ],
      'index.mjs',
    );
    expect(r).toEqual({ ok: true, kind: 'esm' });
  });

  it('checks only the entry: other files of the bundle may be empty or export nothing', () => {
    const r = checkBundle(
      [
        { path: 'index.js', content: "require('./empty.js');\nmodule.exports = () => 1;" },
        { path: 'empty.js', content: '' },
        { path: 'consts.mjs', content: 'export const a = 1;' },
      ],
      'index.js',
    );
    expect(r).toEqual({ ok: true, kind: 'cjs' });
  });
});

describe('analyzeFile', () => {
  it('says whether a file is empty and whether an ES module exports a handler', () => {
    expect(analyzeFile({ path: 'a.js', content: '// x' })).toMatchObject({
      empty: true,
      exportsHandler: 'maybe',
    });
    expect(analyzeFile({ path: 'a.mjs', content: 'export default 1' })).toMatchObject({
      kind: 'esm',
      empty: false,
      exportsHandler: 'yes',
    });
    expect(analyzeFile({ path: 'a.mjs', content: "export * from './b.mjs'" })).toMatchObject({
      exportsHandler: 'maybe',
    });
    expect(analyzeFile({ path: 'a.mjs', content: 'export const b = 1' })).toMatchObject({
      exportsHandler: 'no',
    });
  });
});
