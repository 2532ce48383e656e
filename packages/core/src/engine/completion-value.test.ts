import { describe, expect, it } from 'vitest';
import { returnLastExpression, topLevelAwaitRewrite } from './completion-value.js';

describe('topLevelAwaitRewrite', () => {
  it.each([
    ['await null; "done"'],
    ['const x = await f();\nx + 1'],
    ['if (a) { for (const b of c) { await b; } }'],
    ['for await (const x of xs) log(x);'],
    ['label: { (await p).q; }'],
    ['const f = async () => 1; const [v = await f()] = [];'],
  ])('finds top-level await in %j and rewrites it like returnLastExpression', (code) => {
    expect(topLevelAwaitRewrite(code)).toEqual(returnLastExpression(code));
  });

  it.each([
    ['1 + 1'],
    ['// await in a comment\n"await in a string"'],
    ['async function f() { await g(); }\nf();'],
    ['const f = async () => { await g(); };'],
    ['const o = { async m() { await g(); } };'],
    ['class C { async m() { for await (const x of y) {} } }'],
    ['var await = 1; await + 1'],
    ['var await = 1; await (2)'],
  ])('leaves %j alone: no await outside a function, or a valid script anyway', (code) => {
    expect(topLevelAwaitRewrite(code)).toBeNull();
  });

  it.each([
    ['await null; return 5', 'a top-level return (a SyntaxError in a script)'],
    ['await 1;\n\nfoo bar;', 'a syntax error'],
  ])('leaves %j to the slow path: %s', (code) => {
    expect(topLevelAwaitRewrite(code)).toBeNull();
  });
});
