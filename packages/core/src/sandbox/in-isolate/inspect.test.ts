/**
 * Console formatting inside the isolate vs Node's own util.inspect / util.format: each expression
 * is evaluated twice, by tenant code (console.log in the sandbox) and on the host (test-only
 * `Function`), and the texts must match.
 */
import { format } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../engine/engine.js';
import type { OutputEvent } from '../../engine/types.js';
import { DEFAULT_LIMITS } from '../../limits/limits.js';

let engine: Engine;
beforeAll(() => {
  engine = new Engine({ warmIsolatesPerClass: 1 });
});
afterAll(() => engine.dispose());

async function logLines(code: string): Promise<OutputEvent[]> {
  const output: OutputEvent[] = [];
  const outcome = await engine.run(
    {
      code,
      sourceType: 'script',
      inputJson: '',
      filename: 'main.js',
      limits: { ...DEFAULT_LIMITS, wallTimeMs: 5000 },
    },
    { onOutput: (e) => output.push(e) },
  );
  if (outcome.status !== 'ok') throw new Error(JSON.stringify(outcome.failure));
  return output;
}

const VALUES = [
  'undefined',
  'null',
  'true',
  '-0',
  '1.5',
  '10n',
  'Symbol("s")',
  'NaN',
  '[1, 2, 3]',
  '[]',
  '{}',
  '[1, , 3]',
  '[undefined, null]',
  '{ a: 1, "b-c": 2, [Symbol("k")]: 3, _ok: 4 }',
  '{ a: { b: { c: { d: 1 } } } }',
  '[[[[1]]]]',
  '{ a: [ { b: { c: {} } } ] }',
  'new Map([["a", 1], [{ x: 1 }, [2]]])',
  'new Map()',
  'new Set([1, "two"])',
  'new Set()',
  'new Date(0)',
  'new Date(NaN)',
  '/ab+c/gi',
  '(() => { class Foo { constructor() { this.x = 1; } } return new Foo(); })()',
  '(() => { class Foo {} return new Foo(); })()',
  '(() => { class A {} class B extends A {} return B; })()',
  'Object.create(null)',
  'Object.assign(Object.create(null), { a: 1 })',
  'Array.from({ length: 120 }, (_, i) => i)',
  'Array.from({ length: 30 }, (_, i) => "item" + i)',
  'Array.from({ length: 7 }, (_, i) => i * 1000)',
  '(() => { const o = { name: "o" }; o.self = o; o.list = [o]; return o; })()',
  '(() => { const a = { n: 1 }; const b = { a }; a.b = b; return [a, b]; })()',
  '{ f() {}, g: () => 1, h: async function named() {}, k: class K {}, gen: function* () {} }',
  '[function () {}, async () => {}]',
  '{ get x() { return 1; }, set y(v) {}, get z() { return 1; }, set z(v) {} }',
  '"x".repeat(100)',
  '{ s: "x".repeat(100) }',
  '{ s: "line1\\nline2 that is quite long so that the whole string is longer than the break length okay" }',
  '["it\'s", "say \\"hi\\"", "tab\\there", "both \' and \\""]',
  '[new Number(3), new String("s"), new Boolean(false)]',
  'new Uint8Array([1, 2, 3])',
  'new Float64Array(2)',
  'new ArrayBuffer(4)',
  '{ und: undefined, nul: null, nan: NaN, inf: -Infinity, big: 1n }',
  '{ alpha: "aaaaaaaaaaaa", beta: "bbbbbbbbbbbbbbbb", gamma: "cccccccccccccc", delta: [1, 2, 3], epsilon: { z: 1 } }',
  '{ m: new Map([[1, { deep: { deeper: { deepest: 1 } } }]]) }',
  'Array.from({ length: 26 }, (_, i) => ({ id: i }))',
  '{ "1": 1, "01": 2, "a b": 3 }',
  'new URL("https://u:p@a.b:81/c?d=1&e=2#h")',
  '[[new URL("http://x.y/")]]',
  '[[[new URL("http://x.y/")]]]',
  '(() => { const u = new URL("http://x.y/p"); u.extra = 1; return { u }; })()',
  '(() => { class Link extends URL {} return new Link("http://x.y/"); })()',
  'new URLSearchParams("a=1&b=it\'s")',
  'new URLSearchParams()',
  '{ p: new URLSearchParams("a=1") }',
  '[[[new URLSearchParams("a=1")]]]',
  'new URLSearchParams("alpha=aaaaaaaaaaaaaaaaaaa&beta=bbbbbbbbbbbbbbbbbbbbbbbbbb&gamma=cccccccccccccccccccccccc")',
  '[{ q: new URLSearchParams("alpha=aaaaaaaaaaaaaaaaaaa&beta=bbbbbbbbbbbbbbbbbbbbbbbbbb&gamma=cccccccccccccccc") }]',
  'new URLSearchParams("d=1&e=2").keys()',
  'new URLSearchParams("d=1&e=2").entries()',
  '[new URLSearchParams("d=1&e=2").values()]',
  '[[new URLSearchParams("d=1&e=2").entries()]]',
  '[[[new URLSearchParams("d=1").keys()]]]',
  '(() => { const it = new URLSearchParams("d=1").keys(); it.next(); return it; })()',
  '(() => { const q = new URLSearchParams(); for (let i = 0; i < 10; i++) q.append("key" + i, "v" + i); return [q.keys(), q.entries()]; })()',
];

const FORMATS = [
  ['"%s %d %i %f %j %%"', '"str"', '42.5', '42.5', '"3.5"', '{ a: 1 }'],
  ['"%s"', '{ a: 1, b: { c: 1 } }'],
  ['"%s|%s|%s"', '10n', '-0', 'Symbol("q")'],
  ['"%d|%i|%f"', '"42"', '"x"', '10n'],
  ['"%c styled", "color: red"'],
  ['"a"', '1', '"b"', '{ c: [1] }'],
  ['"%s"'],
  ['"100%"', '5'],
  ['1', '"two"', '[3]'],
  ['"%O"', '{ a: { b: { c: { d: 1 } } } }'],
  ['"%j"', '(() => { const o = {}; o.o = o; return o; })()'],
];

describe('console formatting matches node:util', () => {
  it('util.inspect of values', async () => {
    const lines = await logLines(VALUES.map((v) => `console.log(${v});`).join('\n'));
    expect(lines).toHaveLength(VALUES.length);
    const mismatches = VALUES.flatMap((v, i) => {
      // eslint-disable-next-line @typescript-eslint/no-implied-eval -- trusted test literals: Node's own rendering is the oracle
      const expected = format(new Function(`return (${v});`)());
      return lines[i]?.text === expected ? [] : [{ v, expected, actual: lines[i]?.text }];
    });
    expect(mismatches).toEqual([]);
  });

  it('util.format specifiers', async () => {
    const lines = await logLines(FORMATS.map((args) => `console.log(${args.join(', ')});`).join('\n'));
    const mismatches = FORMATS.flatMap((args, i) => {
      // eslint-disable-next-line @typescript-eslint/no-implied-eval -- trusted test literals: Node's own rendering is the oracle
      const expected = format(...(new Function(`return [${args.join(', ')}];`)() as unknown[]));
      return lines[i]?.text === expected ? [] : [{ args, expected, actual: lines[i]?.text }];
    });
    expect(mismatches).toEqual([]);
  });

  it('%o inspects deeper (depth 4)', async () => {
    const [line] = await logLines('console.log("%o", { a: { b: { c: { d: { e: 1 } } } } });');
    expect(line?.text).toBe(format('%o', { a: { b: { c: { d: { e: 1 } } } } }));
  });

  it('errors print their stack without sandbox frames; levels map to streams', async () => {
    const lines = await logLines(
      'console.error(new Error("boom")); console.warn("w"); console.info("i"); console.debug("d");',
    );
    expect(lines.map((l) => `${l.stream}:${l.level}`)).toEqual([
      'stderr:error',
      'stderr:warn',
      'stdout:info',
      'stdout:debug',
    ]);
    expect(lines[0]?.text).toMatch(/^Error: boom\n {4}at file:\/\/\/tenant\/main\.js:1:15/);
    expect(lines[0]?.text).not.toContain('vmd:');
  });

  it('groups indent, count and assert behave like Node', async () => {
    const lines = await logLines(
      'console.group("g"); console.log("a\\nb"); console.groupEnd(); console.count(); console.count(); console.assert(false, "x %d", 1);',
    );
    expect(lines.map((l) => l.text)).toEqual([
      'g',
      '  a\n  b',
      'default: 1',
      'default: 2',
      'Assertion failed: x 1',
    ]);
  });
});
