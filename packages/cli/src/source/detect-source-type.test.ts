import { describe, expect, it } from 'vitest';
import { detectSourceType, hasModuleSyntax } from './detect-source-type.js';

describe('detectSourceType', () => {
  it('a flag wins, then the extension', () => {
    expect(detectSourceType('1', 'a.js', 'module')).toBe('module');
    expect(detectSourceType('export default 1', 'a.mjs', 'script')).toBe('script');
    expect(detectSourceType('1', 'a.mjs', undefined)).toBe('module');
    expect(detectSourceType('export default 1', 'a.cjs', undefined)).toBe('script');
  });

  it.each([
    "import x from './x.js'",
    "import { a, b } from 'y'",
    "import * as ns from 'z'",
    "import 'side-effect'",
    'export default async function (input) {}',
    'export const a = 1',
    'export { a as b }',
    '  export class A {}',
    "import def, { named } from 'mod'",
    'const here = import.meta.url',
    'export default 1; const x = await f()',
  ])('module: %s', (source) => {
    expect(hasModuleSyntax(`// header\n${source}\n`)).toBe(true);
  });

  it.each([
    '1 + 1',
    "const m = await import('x')",
    'console.log("export default")',
    '// import x from "y"',
    '/* export default 1 */ 42',
    'const important = 1; important',
    'exports.x = 1',
    'const s = `\nimport x from "y"\n`; s.length',
    'const s = `\nexport default 1\n`; s',
    'const t = "a\\\nimport x from \'y\'"; t',
    'await fetch("x")\nreturn 1',
    'with (o) { x }',
    '#!/usr/bin/env node\n1',
    'let a = ;',
  ])('script: %s', (source) => {
    expect(hasModuleSyntax(source)).toBe(false);
  });
});
