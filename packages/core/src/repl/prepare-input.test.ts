import { describe, expect, it } from 'vitest';
import { prepareReplInput } from './prepare-input.js';

describe('prepareReplInput: incomplete input', () => {
  it.each([
    'function f() {',
    'if (x) {',
    'const o = {',
    '[1, 2,',
    'foo(',
    'foo(1,',
    '1 +',
    'a ?',
    'a ? b :',
    'const x =',
    'let {a,',
    '`abc',
    '`a ${',
    '/* a comment',
    'class A {',
    'class A extends',
    'x =>',
    '(x) => {',
    'for (let i = 0; i < 3; i++)',
    'while (true)',
    'if (a) b; else',
    'new',
    'async function g() {\n  await 1;',
    'try {',
    'try { } catch (e)',
    'switch (x) {',
    '({',
    'obj.',
    'return_value = [\n  1,\n  2,',
    'const s = `line 1\nline 2',
  ])('%j is incomplete', (code) => {
    expect(prepareReplInput(code)).toEqual({ kind: 'incomplete' });
  });
});

describe('prepareReplInput: real syntax errors are not incomplete', () => {
  it.each([
    ['let = ;', 1],
    ['}', 1],
    ['1 +* 2', 1],
    [')', 1],
    ['let let = 1', 1],
    ['"unterminated string', 1],
    ['const x;', 1],
    ['a b', 1],
    ['function () {}', 1],
    ['1 = 2', 1],
    ['let x = 1;\nlet x = 2;', 2],
    ['import x from "y"', 1],
  ])('%j is a syntax error on line %i', (code, line) => {
    const r = prepareReplInput(code);
    expect(r.kind).toBe('syntax-error');
    if (r.kind === 'syntax-error') {
      expect(r.line).toBe(line);
      expect(r.column).toBeGreaterThan(0);
      expect(r.message).not.toMatch(/\(\d+:\d+\)$/);
    }
  });
});

describe('prepareReplInput: rewriting', () => {
  const code = (input: string): string => {
    const r = prepareReplInput(input);
    if (r.kind !== 'code') throw new Error(`expected code, got ${r.kind}`);
    return r.code;
  };

  it('empty input', () => {
    expect(prepareReplInput('  \n ')).toEqual({ kind: 'empty' });
  });

  it('turns let/const/class into global declarations through __replDeclare, in place', () => {
    expect(code('let a = 1, b')).toBe(
      "void (__replDeclare('let', { a: 1 }), __replDeclare('let', { b: undefined }));",
    );
    expect(code('const { x, y: [z], ...rest } = o')).toBe(
      "void (__replDeclare('const', (({ x, y: [z], ...rest }) => ({ x, z, rest }))(o)));",
    );
    expect(code('class A { m() { let q = 1; } }')).toBe(
      "void __replDeclare('let', { A: class A { m() { let q = 1; } } });",
    );
    // `{ __proto__: v }` would set the prototype: the key is computed.
    expect(code('let __proto__ = 1')).toBe("void (__replDeclare('let', { ['__proto__']: 1 }));");
    // var stays global as it is; inside the await wrapper it is declared outside and assigned.
    expect(code('var v = await 1')).toBe('var v; (async () => {void ((v = await 1));\n})()');
  });

  it('keeps var and function declarations, and nested declarations, as they are', () => {
    expect(code('var v = 1; function f() { const inner = 2; return inner }')).toBe(
      'var v = 1; function f() { const inner = 2; return inner }',
    );
    expect(code('{ let block = 1 }')).toBe('{ let block = 1 }');
    expect(code('for (let i = 0; i < 2; i++) {}')).toBe('for (let i = 0; i < 2; i++) {}');
  });

  it('wraps top-level await in an async function returning the last expression', () => {
    const r = prepareReplInput('const x = await f();\nx * 2');
    expect(r).toMatchObject({
      kind: 'code',
      awaitResult: true,
      code: "(async () => {void (__replDeclare('const', { x: await f() }));\nreturn (x * 2);\n})()",
    });
    expect(code('function g() { return 1 }\nawait g()')).toBe(
      'function g() { return 1 }(async () => {\nreturn (await g());\n})()',
    );
    // await inside a nested function is not top-level
    expect(prepareReplInput('async function h() { await 1 }').kind).toBe('code');
    expect((prepareReplInput('async function h() { await 1 }') as { awaitResult: boolean }).awaitResult).toBe(
      false,
    );
  });

  it('reads a leading { as an object literal when it is one', () => {
    expect(code('{ a: 1, b: [2] }')).toBe('({ a: 1, b: [2] }\n)');
    expect(code('{ let x = 1; x }')).toBe('{ let x = 1; x }');
  });
});

describe('prepareReplInput: positions in the input', () => {
  /** 1-based line/column of the first `needle` in `text`. */
  const find = (text: string, needle: string): { line: number; column: number } => {
    const at = text.indexOf(needle);
    if (at < 0) throw new Error(`${needle} not in ${text}`);
    const before = text.slice(0, at).split('\n');
    return { line: before.length, column: before.at(-1)!.length + 1 };
  };

  it.each([
    ['const x = await f();\nx * 2', ['f()', 'x * 2', 'await']],
    ['let a = 1, b = g(a)', ['g(a)']],
    ['const { p, q: [r] } = s(1)', ['s(1)', 'q: [r]']],
    ['class A { m() { return h() } }', ['h()', 'class A']],
    ['await 0;\nfunction g() {\n  return k();\n}\ng()', ['k()', 'function g', 'g()\n'.trim()]],
    ['{ a: q(), b: [2] }', ['q()', 'b: [2]']],
    ['var v = 1;\nconst w = await r(v);\nw', ['r(v)', 'var v']],
  ])('maps positions of %j back to what was typed', (input, needles) => {
    const r = prepareReplInput(input);
    if (r.kind !== 'code') throw new Error(r.kind);
    for (const needle of needles) {
      // The last occurrence in the code is the copy (hoisted text moves before the wrapper).
      const inCode = r.code.lastIndexOf(needle) >= 0 ? find(r.code, needle) : null;
      expect(inCode, needle).not.toBeNull();
      expect(r.originalPosition(inCode!.line, inCode!.column), needle).toEqual(find(input, needle));
    }
  });

  it('maps the async wrapper to no position of the input', () => {
    const r = prepareReplInput('await 1');
    if (r.kind !== 'code') throw new Error(r.kind);
    const lines = r.code.split('\n');
    expect(lines.at(-1)).toBe('})()');
    expect(r.originalPosition(lines.length, 3)).toBeNull();
  });
});
