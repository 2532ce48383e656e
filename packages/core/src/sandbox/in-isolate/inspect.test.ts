/**
 * Console formatting inside the isolate vs Node's own util.inspect / util.format: each expression
 * is evaluated twice, by tenant code (console.log in the sandbox) and on the host (test-only
 * `Function`), and the texts must match.
 */
import { Console } from 'node:console';
import { Writable } from 'node:stream';
import { format } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../engine/engine.js';
import type { ExecutionOutcome, OutputEvent } from '../../engine/types.js';
import { DEFAULT_LIMITS } from '../../limits/limits.js';

let engine: Engine;
beforeAll(() => {
  engine = new Engine({ warmIsolatesPerClass: 1 });
});
afterAll(() => engine.dispose());

async function run(code: string, output: OutputEvent[] = []): Promise<ExecutionOutcome> {
  return engine.run(
    {
      code,
      sourceType: 'script',
      inputJson: '',
      filename: 'main.js',
      limits: { ...DEFAULT_LIMITS, wallTimeMs: 5000 },
    },
    { onOutput: (e) => output.push(e) },
  );
}

async function logLines(code: string): Promise<OutputEvent[]> {
  const output: OutputEvent[] = [];
  const outcome = await run(code, output);
  if (outcome.status !== 'ok') throw new Error(JSON.stringify(outcome.failure));
  return output;
}

/** Node's own console.table / console.trace text, written to a string instead of stdout. */
function nodeConsoleText(call: (c: Console) => void): string {
  let text = '';
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      text += chunk.toString();
      done();
    },
  });
  call(new Console({ stdout: sink, stderr: sink, colorMode: false }));
  return text.replace(/\n$/, '');
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
  'new DataView(new ArrayBuffer(2))',
  'new DataView(new Uint8Array([1, 2, 3, 4]).buffer, 1, 2)',
  'Object.assign(new DataView(new ArrayBuffer(1)), { x: 1 })',
  '{ a: { b: { c: new DataView(new ArrayBuffer(2)) } } }',
  '[[new DataView(new ArrayBuffer(2))]]',
  'new ArrayBuffer(60)',
  'Object.assign(new ArrayBuffer(2), { x: 1 })',
  '[[[new ArrayBuffer(2)]]]',
  '(() => { class Bytes extends ArrayBuffer {} return new Bytes(1); })()',
  '{ [Symbol.toStringTag]: "T", a: 1 }',
  'Object.defineProperty({}, Symbol.toStringTag, { value: "T" })',
  '{ [Symbol("e\\n\'")]: 1 }',
  '{ a: { b: { c: { __proto__: null, x: 1 } } } }',
  '{ a: { b: { c: new Map([[1, 2]]) } } }',
  '(() => { class Foo { x = 1; } return { a: { b: { c: new Foo() } } }; })()',
  '(function () { return arguments; })(1, 2)',
  'Object.setPrototypeOf(new Date(0), null)',
  'Object.setPrototypeOf(new Date(0), Object.prototype)',
  'Object.setPrototypeOf(new Error("x"), Object.prototype)',
  '{ constructor: function Foo() {} }',
  '{ __proto__: { constructor: Map } }',
  '(() => { class Foo {} return Foo.prototype; })()',
  'Object.groupBy([1, 2, 3], (n) => (n % 2 ? "odd" : "even"))',
  '[new Map([[1, 2]]).keys()].length',
  '[[[new Map([[1, 2]]).keys()]]]',
  '["\\u65e5\\u672c", "ab", "\\u4e2d\\u6587\\u5b57", "x", "\\u00e9t\\u00e9", "e\\u0301t\\u0065\\u0301", "\\ud83d\\ude00", "ok"]',
  '(() => { class Money { constructor(n) { this.n = n; } [Symbol.for("nodejs.util.inspect.custom")]() { return "Money<" + this.n + ">"; } } return [new Money(5), { m: new Money(7) }]; })()',
  '(() => { class Box { [Symbol.for("nodejs.util.inspect.custom")](depth, options, inspect) { return { depth, inner: inspect({ a: { b: { c: 1 } } }, { depth: 0 }), colors: options.colors }; } } return { x: new Box() }; })()',
  '(() => { class Multi { [Symbol.for("nodejs.util.inspect.custom")]() { return "line1\\nline2"; } } return { a: { m: new Multi() } }; })()',
  '(() => { class Same { [Symbol.for("nodejs.util.inspect.custom")]() { return this; } } return new Same(); })()',
  '(() => { class P { [Symbol.for("nodejs.util.inspect.custom")]() { return "never"; } } return P.prototype; })()',
  '(() => { const ab = new ArrayBuffer(8); ab.transfer(); return ab; })()',
  '(() => { const ab = new ArrayBuffer(8); ab.transfer(); return { ab }; })()',
  '(() => { const { proxy, revoke } = Proxy.revocable({}, {}); revoke(); return proxy; })()',
  '(() => { const { proxy, revoke } = Proxy.revocable([], {}); revoke(); return [proxy, { p: proxy }]; })()',
  '"del \\x7f c1 \\x85 \\x9f lone \\ud800 \\udfff pair \\ud83d\\ude00"',
];

/**
 * Errors, with stacks fixed to tenant-like frames so that the sandbox and Node print the same
 * text (the sandbox keeps `file:///tenant/` frames as they are).
 */
const WITH_STACK = String.raw`const withStack = (e, ...names) => {
  e.stack = e.name + ': ' + e.message + names.map((n, i) => '\n    at ' + n + ' (file:///tenant/main.js:' + (i + 1) + ':1)').join('');
  return e;
};`;
const ERRORS = [
  'withStack(new Error("outer", { cause: withStack(new Error("inner"), "k", "g", "h", "i", "j") }), "f", "g", "h", "i", "j")',
  'withStack(new Error("outer", { cause: withStack(new Error("inner"), "g") }), "f")',
  'withStack(new Error("with cause", { cause: "c" }), "f")',
  'withStack(new Error("x", { cause: undefined }), "f")',
  '{ e: withStack(new Error("nested", { cause: withStack(new TypeError("t"), "g") }), "f") }',
  'withStack(new AggregateError([withStack(new Error("a"), "f"), "b"], "agg"), "g")',
  'Object.assign(withStack(new Error("x"), "f"), { code: "E1" })',
  'Object.assign(withStack(new Error("x"), "f"), { name: "TypeError" })',
  '(() => { const e = new Error("sl", { cause: "c" }); e.stack = ""; return e; })()',
  '(() => { const e = new Error("sl2"); e.stack = "Error: sl2"; e.extra = [1]; return e; })()',
  '(() => { class MyErr extends Error {} return withStack(new MyErr("m"), "f"); })()',
  '(() => { class ValidationError extends Error {} return withStack(new ValidationError("v"), "f"); })()',
  'Object.setPrototypeOf(withStack(new Error("np"), "f"), null)',
  '[withStack(new Error("in array", { cause: 1 }), "f")]',
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
  ['"%o"', '[1]'],
  ['"%o"', '{ b: [1] }'],
  ['"%o"', 'function f() {}'],
  ['"%o"', '[[1, [2, [3, [4, [5, [6]]]]]]]'],
  ['"%o"', '{ f() {}, g: () => 1 }'],
  ['"%o"', 'class A { static x = 1; get y() { return 1; } }'],
  ['"%o"', 'new (class Foo { constructor() { this.a = 1; } get g() { return 1; } })()'],
  ['"%o"', 'new Uint8Array(2)'],
  ['"%o"', 'new DataView(new ArrayBuffer(1))'],
  ['"%o"', '/x/g'],
  ['"%o"', 'new Map([[1, { a: 1 }]])'],
  ['"%o"', 'new String("ab")'],
  ['"%o"', 'async function af() {}'],
  ['"%o"', 'function* gen() {}'],
  ['"%o"', 'Object.create(null)'],
  ['"%o"', 'Object.create({ x: 1 })'],
  ['"%o"', '[, 1]'],
  ['"%o"', '"a"', '"b"'],
  ['"%o"', '(function () { return arguments; })(1, 2)'],
  ['"%s|%s"', '[1, 2, 3]', '[[["deep"]]]'],
  ['"%s"', 'new Date(0)'],
  ['"%s|%s"', 'new String("boxed")', 'new Number(5)'],
  ['"%s"', '{ [Symbol.toPrimitive]() { return "prim"; } }'],
  ['"%s"', '(() => { class A { toString() { return "A!"; } } return new A(); })()'],
  ['"%s"', '(() => { class B extends Array {} return B.from([1]); })()'],
  ['"%s"', '{ toString() { return "own"; } }'],
  ['"%s"', 'new URL("http://x.y/p")'],
  ['"%s"', '(() => { class P { [Symbol.toPrimitive]() { return "inherited"; } } return new P(); })()'],
  ['"%s|%s"', '(() => { class Q extends Date {} return new Q(0); })()', 'Object.create(Date.prototype)'],
  ['"%s"', '(() => { const { proxy, revoke } = Proxy.revocable({}, {}); revoke(); return proxy; })()'],
];

/** console.table argument lists. */
const TABLES = [
  '[{ a: 1, b: "x" }, { a: 2, c: true }]',
  '[1, "a", { x: 1 }]',
  '{ r1: { c: 1 }, r2: { c: 2, d: [1, 2, 3, 4] } }',
  '[{ a: 1, b: 2 }, { a: 3, b: 4 }], ["b"]',
  '[{ a: 1 }], ["a", "a", 2]',
  '[[1, 2], [3, 4, 5]]',
  'new Map([["k", { v: 1 }], [{ o: 1 }, 2]])',
  'new Set(["s", 1])',
  '5',
  'null',
  '[{ a: { x: 1, y: 2, z: 3 }, b: { x: 1 }, c: [1, 2, 3, 4, 5] }]',
  '[{ "\\u00e9": "\\u65e5\\u672c", s: "it\'s" }]',
  '[]',
  '{}',
  '[{ a: 1 }], []',
  '[1, { a: 1 }], ["a"]',
  '[{ b: 1, 2: "two", a: 3 }]',
  'new Uint8Array([1, 2])',
  '[new Uint8Array([1, 2])]',
  '[{ f() {} }, null, undefined]',
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

  it('errors: cause, AggregateError errors, extra properties, class names', async () => {
    const lines = await logLines(WITH_STACK + '\n' + ERRORS.map((v) => `console.log(${v});`).join('\n'));
    expect(lines).toHaveLength(ERRORS.length);
    const mismatches = ERRORS.flatMap((v, i) => {
      // eslint-disable-next-line @typescript-eslint/no-implied-eval -- trusted test literals: Node's own rendering is the oracle
      const expected = format(new Function(`${WITH_STACK}\nreturn (${v});`)());
      return lines[i]?.text === expected ? [] : [{ v, expected, actual: lines[i]?.text }];
    });
    expect(mismatches).toEqual([]);
  });

  it('a result error keeps its cause in the preview', async () => {
    const outcome = await run(`${WITH_STACK}\nwithStack(new Error('with cause', { cause: 'c' }), 'f')`);
    expect(outcome.status === 'ok' && outcome.preview).toBe(
      "Error: with cause\n    at f (file:///tenant/main.js:1:1) {\n  [cause]: 'c'\n}",
    );
  });

  it('console.table renders as Node does', async () => {
    const lines = await logLines(TABLES.map((args) => `console.table(${args});`).join('\n'));
    expect(lines).toHaveLength(TABLES.length);
    const mismatches = TABLES.flatMap((args, i) => {
      // eslint-disable-next-line @typescript-eslint/no-implied-eval -- trusted test literals: Node's own rendering is the oracle
      const values = new Function(`return [${args}];`)() as [unknown, string[]?];
      const expected = nodeConsoleText((c) => {
        c.table(...values);
      });
      return lines[i]?.text === expected ? [] : [{ args, expected, actual: lines[i]?.text }];
    });
    expect(mismatches).toEqual([]);
    expect(lines.every((l) => l.stream === 'stdout')).toBe(true);
  });

  it('console.table refuses properties that are not an array, as Node does', async () => {
    const [line] = await logLines(
      'try { console.table([], "x"); } catch (e) { console.log(e.name, e.code, e.message); }',
    );
    let expected = '';
    try {
      nodeConsoleText((c) => {
        c.table([], 'x' as unknown as string[]);
      });
    } catch (e) {
      const err = e as Error & { code: string };
      expected = `${err.name} ${err.code} ${err.message}`;
    }
    expect(line?.text).toBe(expected);
  });

  it('console.trace prints the tenant frames only, to stderr', async () => {
    const lines = await logLines('function f() {\n  console.trace("tr %d", 1);\n}\nf();\nconsole.trace();');
    expect(lines.map((l) => l.stream)).toEqual(['stderr', 'stderr']);
    expect(lines.map((l) => l.text)).toEqual([
      'Trace: tr 1\n    at f (file:///tenant/main.js:2:11)\n    at file:///tenant/main.js:4:1',
      'Trace\n    at file:///tenant/main.js:5:9',
    ]);
  });

  it('count, time and timeLog warn about unknown labels as Node does', async () => {
    const lines = await logLines(
      'console.countReset("nope"); console.timeEnd("x"); console.timeLog("x"); console.time("t"); console.time("t"); console.count(); console.countReset(); console.countReset();',
    );
    expect(lines.map((l) => `${l.stream}:${l.text}`)).toEqual([
      "stderr:Warning: Count for 'nope' does not exist",
      "stderr:Warning: No such label 'x' for console.timeEnd()",
      "stderr:Warning: No such label 'x' for console.timeLog()",
      "stderr:Warning: Label 't' already exists for console.time()",
      'stdout:default: 1',
      "stderr:Warning: Count for 'default' does not exist",
    ]);
  });

  it('Map and Set iterators are shown without being advanced', async () => {
    const lines = await logLines(
      'const m = new Map([[1, 2]]); const it = m.keys(); console.log(it, m.entries(), new Set([1]).values()); console.log([...it]);',
    );
    expect(lines.map((l) => l.text)).toEqual([
      '[Map Iterator] { <items unknown> } [Map Iterator] { <items unknown> } [Set Iterator] { <items unknown> }',
      '[ 1 ]',
    ]);
  });

  it('%o inspects deeper (depth 4)', async () => {
    const [line] = await logLines('console.log("%o", { a: { b: { c: { d: { e: 1 } } } } });');
    expect(line?.text).toBe(format('%o', { a: { b: { c: { d: { e: 1 } } } } }));
  });

  it.each([
    ['{ a: { b: { c: { d: { e: 1 } } } } }', '{ depth: null }'],
    ['{ a: { b: { c: { d: { e: 1 } } } } }', '{ depth: Infinity }'],
    ['{ a: { b: { c: { d: { e: 1 } } } } }', '{ depth: 0 }'],
    ['{ a: { b: { c: { d: { e: 1 } } } } }', 'undefined'],
    ['[1, 2]', '{ showHidden: true }'],
    ['{ list: [1, 2], f() {} }', '{ showHidden: true, depth: 1 }'],
  ])('console.dir(%s, %s) prints as Node does', async (value, options) => {
    const [line] = await logLines(`console.dir(${value}, ${options});`);
    const expected = nodeConsoleText((c) => {
      // eslint-disable-next-line @typescript-eslint/no-implied-eval -- the same text the sandbox ran
      c.dir(new Function(`return ${value}`)(), new Function(`return ${options}`)());
    });
    expect(line?.text).toBe(expected);
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
