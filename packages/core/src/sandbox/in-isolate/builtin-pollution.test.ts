/**
 * Tenant code may replace built-ins (`Array.prototype.push`, `String.prototype.replace`,
 * `Math.max`, `JSON.stringify`, a global such as `Map`...). Node's own console and util.inspect
 * are immune: they call intrinsics captured at startup ("primordials"). The sandbox's console
 * formatting, result serializer, structuredClone and TextEncoder/TextDecoder capture theirs when
 * the bootstrap runs, so each pollution below must leave the probe's console output, result JSON
 * and result preview exactly as they are in a run without it.
 *
 * The values are built first (unpolluted, so their error stacks have the same line numbers in
 * every run), then the pollution is applied, then the probe runs. The probe itself calls no
 * built-in method, only console.*, structuredClone, TextEncoder/TextDecoder and atob/btoa, so any
 * difference comes from the sandbox's own code.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../engine/engine.js';
import { DEFAULT_LIMITS } from '../../limits/limits.js';

const SETUP = String.raw`
class Point { constructor(x, y) { this.x = x; this.y = y; } }
class Empty {}
function named() {}
const err = new Error('boom');
const typeErr = new TypeError('bad "type"');
typeErr.code = 'E_CODE';
const cyc = { name: 'c', list: [1] };
cyc.self = cyc;
cyc.list[1] = cyc;
const nums = [];
for (let i = 0; i < 9; i++) nums[i] = i * 111;
const big = [];
for (let i = 0; i < 130; i++) big[i] = i;
const words = [];
for (let i = 0; i < 27; i++) words[i] = 'word' + i;
const objs = [];
for (let i = 0; i < 8; i++) objs[i] = { id: i };
const nested = { a: { b: { c: { d: { e: 1 } } } }, list: [1, [2, [3, [4, [5]]]]] };
const quoted = "it's \"both\"\nand a\ttab";
const single = "it's";
const backslash = 'back\\slash \x01 \x7f \ud800';
const multiline = 'first line is here\nsecond line is rather longer so the whole string passes eighty columns\nthird';
const long = 'y'.repeat(300);
const keys = { plain: 1, 'needs-quote': 2, "it's": 3, 42: 'n', _ok: 5, [Symbol('sym')]: 4 };
const map = new Map([['k', { deep: [1, 2] }], [2, 'two'], [{ o: 1 }, null]]);
const set = new Set([1, 'two', [3, 4]]);
const bigSet = new Set(big);
const date = new Date(86400000);
const badDate = new Date(NaN);
const re = /a+b/gi;
const bytes0 = new Uint8Array([1, 2, 255]);
const floats = new Float64Array([1.5, -0]);
const sparse = [1, , 3];
sparse[10] = 'x';
const boxed = [new String('boxed'), new Number(-0), new Boolean(false), Object(7n)];
const point = new Point(1, { y: [2] });
const buffer = new Uint8Array([0, 16, 255]).buffer;
const view = new DataView(new ArrayBuffer(4), 1, 2);
const mixed = { sym: Symbol('s'), fn: named, arrow: () => 1, Point, Empty, big: 10n, u: undefined, nil: null, neg: -0, nan: NaN, inf: -Infinity };
const accessors = { get g() { return 1; }, set s(v) {}, get gs() { return 1; }, set gs(v) {} };
const nullProto = Object.create(null);
nullProto.a = 1;
const weak = [new WeakMap(), new WeakSet(), Promise.resolve(1)];
const text = 'h\u00e9llo \ud83d\ude00 "q" \u2028 end \ud800';
const wide = '\u20ac\u00e9\ud83d\ude00';
const errWithCause = new RangeError('outer', { cause: err });
const into = new Uint8Array(8);
const badUtf8 = new Uint8Array([0xef, 0xbb, 0xbf, 0xe2, 0x82, 0xac, 0xff, 0xf0, 0x9f]);
const agg = new AggregateError([err, 'b'], 'agg');
const coded = Object.assign(new Error('coded', { cause: 'c' }), { code: 'E1' });
class Shown { constructor() { this.own = 1; } get shown() { return 1; } }
const rows = [{ a: 1, b: 'x' }, { a: 2, c: [1, 2, 3, 4] }, 3, { a: { k: 1, l: 2, m: 3 }, wide: '\u65e5\u672c' }];
const mapKeys = map.keys();
const tagged = { [Symbol.toStringTag]: 'T', a: 1 };
const nullDate = Object.setPrototypeOf(new Date(0), null);
const grouped = Object.groupBy([1, 2, 3], (n) => (n % 2 ? 'odd' : 'even'));
function traced() { console.trace('traced %d', 1); }
`;

const PROBE = String.raw`
console.log({ a: [1, 2] });
console.log([1, 2], 'a', 3);
console.log(nested, nums);
console.log(big);
console.log(words);
console.log(objs);
console.log(quoted, { quoted, single, multiline, backslash });
console.log([single, quoted, backslash, long]);
console.log(keys);
console.log(map, set, date, badDate);
console.log(bigSet);
console.log(err);
console.log({ typeErr, errWithCause });
console.log('%s %d %o %j', 'str', 42, { o: [1, { p: 2 }] }, { j: [1, 'x'] });
console.log('%s|%i|%f|%%|%O|%c|%s|%d', point, '42.9', '3.25', cyc, 'css', 10n, -0);
console.log('%j', cyc);
console.log('%s %s', nested, single, 'extra', 5);
console.log(cyc, re, bytes0, floats, sparse, boxed, buffer, view);
console.log(mixed, point, accessors, nullProto, weak);
console.error('to stderr', single);
console.warn(multiline);
console.info(point);
console.debug(wide);
console.group('group');
console.log('indented\nlines', { a: 1 });
console.group();
console.log(multiline);
console.groupEnd();
console.groupEnd();
console.count();
console.count('c');
console.count();
console.countReset();
console.count();
console.assert(false, 'assert %s', 'msg');
console.assert(false, { a: 1 });
console.assert(true, 'not printed');
console.dir(nested, { depth: 0 });
console.table(nums);
console.table(rows);
console.table(rows, ['a', 'c']);
console.table(map);
console.table(set);
console.log(agg, coded, mapKeys, tagged, nullDate, grouped);
console.log('%o|%o|%o|%o', [1, { b: [2] }], named, new Shown(), bytes0);
traced();
console.countReset('nope');
console.timeEnd('nope');
console.time('t');
console.time('t');
const cloned = structuredClone({ nested, map, set, date, err, errWithCause, cyc, nums, re, bytes0, floats, sparse, boxed, buffer, view, point, big: 10n });
console.log(cloned);
const encoded = new TextEncoder().encode(text);
const decoded = new TextDecoder().decode(encoded);
console.log(encoded, decoded, decoded === text);
console.log(new TextEncoder().encodeInto(wide, into), into);
console.log(new TextDecoder('UTF-8', { fatal: false }).decode(badUtf8), new TextDecoder().decode(view));
console.log(btoa('hello, world'), atob(' aGVs bG8= '), atob('YQ=='), btoa(''));
const failing = [
  () => structuredClone(named),
  () => structuredClone(mixed.sym),
  () => structuredClone(weak[0]),
  () => structuredClone(),
  () => atob('!'),
  () => btoa('\u0100'),
  () => new TextDecoder('latin1'),
  () => new TextDecoder('utf-8', { fatal: true }).decode(badUtf8),
  () => new TextDecoder().decode('not bytes'),
  () => new TextEncoder().encodeInto('x', []),
];
for (let i = 0; i < failing.length; i++) {
  try { failing[i](); console.log('no error', i); } catch (e) { console.log(e.name, e.message, e.code); }
}
({ nested, nums, big, quoted, multiline, keys, map, set, date, cyc, boxed, point, decoded, encoded, cloned, b64: btoa('hello'), n: 10n, mixed, sparse, long })
`;

const THROWS = (target: string): string =>
  `${target} = function () { throw new Error('polluted: ${target}'); };`;

const ARRAY_METHODS = [
  'push',
  'pop',
  'shift',
  'unshift',
  'join',
  'slice',
  'splice',
  'map',
  'filter',
  'forEach',
  'reduce',
  'sort',
  'reverse',
  'includes',
  'indexOf',
  'concat',
  'fill',
  'some',
  'every',
  'find',
  'keys',
  'values',
  'entries',
];
const STRING_METHODS = [
  'replace',
  'replaceAll',
  'split',
  'includes',
  'slice',
  'substring',
  'substr',
  'repeat',
  'padStart',
  'padEnd',
  'charCodeAt',
  'codePointAt',
  'startsWith',
  'endsWith',
  'toUpperCase',
  'toLowerCase',
  'trim',
  'indexOf',
  'lastIndexOf',
  'concat',
  'at',
  'valueOf',
];

/** [name, code run after SETUP and before PROBE]. */
const POLLUTIONS: [string, string][] = [
  ...ARRAY_METHODS.map((m): [string, string] => [
    `Array.prototype.${m} throws`,
    THROWS(`Array.prototype.${m}`),
  ]),
  ['Array.prototype.push does nothing', 'Array.prototype.push = function () { return 0; };'],
  ['Array.prototype.join returns J', `Array.prototype.join = () => 'J';`],
  ['Array.prototype.slice returns []', 'Array.prototype.slice = () => [];'],
  ['Array.prototype.map returns []', 'Array.prototype.map = () => [];'],
  ['Array.prototype.filter returns []', 'Array.prototype.filter = () => [];'],
  ['Array.prototype.includes is always true', 'Array.prototype.includes = () => true;'],
  ['Array.prototype.pop returns undefined', 'Array.prototype.pop = () => undefined;'],
  ['Array.prototype.sort is a no-op', 'Array.prototype.sort = function () { return this; };'],
  ['Array.prototype[Symbol.iterator] throws', THROWS('Array.prototype[Symbol.iterator]')],
  ['array iterator next throws', THROWS('Object.getPrototypeOf([][Symbol.iterator]()).next')],
  [
    'Array[Symbol.species] throws',
    `Object.defineProperty(Array, Symbol.species, { get() { throw new Error('polluted: species'); } });`,
  ],
  ['Array.isArray is always false', 'Array.isArray = () => false;'],
  ['globalThis.Array replaced', THROWS('globalThis.Array')],
  ...STRING_METHODS.map((m): [string, string] => [
    `String.prototype.${m} throws`,
    THROWS(`String.prototype.${m}`),
  ]),
  ['String.prototype.replace returns R', `String.prototype.replace = () => 'R';`],
  ['String.prototype.split returns [S]', `String.prototype.split = () => ['S'];`],
  ['String.prototype.includes is always true', 'String.prototype.includes = () => true;'],
  ['String.prototype.slice returns s', `String.prototype.slice = () => 's';`],
  ['String.prototype.repeat returns empty', `String.prototype.repeat = () => '';`],
  ['String.prototype.padStart returns P', `String.prototype.padStart = () => 'P';`],
  ['String.prototype.charCodeAt returns 0', 'String.prototype.charCodeAt = () => 0;'],
  ['String.prototype.indexOf returns -1', 'String.prototype.indexOf = () => -1;'],
  ['String.prototype[Symbol.split] on primitives', `String.prototype[Symbol.split] = () => ['S'];`],
  ['String.prototype[Symbol.replace] on primitives', `String.prototype[Symbol.replace] = () => 'R';`],
  ['String.prototype[Symbol.iterator] throws', THROWS('String.prototype[Symbol.iterator]')],
  ['String.fromCharCode returns F', `String.fromCharCode = () => 'F';`],
  ['String.fromCodePoint throws', THROWS('String.fromCodePoint')],
  ['globalThis.String replaced', `globalThis.String = () => 'S';`],
  ['Math.min/max return 0', 'Math.min = () => 0; Math.max = () => 0;'],
  ['Math.floor throws', THROWS('Math.floor')],
  [
    'Math.sqrt/round/ceil/trunc/abs return NaN',
    'Math.sqrt = Math.round = Math.ceil = Math.trunc = Math.abs = () => NaN;',
  ],
  ['globalThis.Math replaced', 'globalThis.Math = {};'],
  ['Number.prototype.toString returns N', `Number.prototype.toString = () => 'N';`],
  ['Number.prototype.toFixed throws', THROWS('Number.prototype.toFixed')],
  ['Number.isFinite is always false', 'Number.isFinite = () => false;'],
  ['globalThis.Number replaced', 'globalThis.Number = () => 0;'],
  ['parseInt/parseFloat/isFinite replaced', 'parseInt = parseFloat = isFinite = () => 0;'],
  ['BigInt.prototype.toString returns B', `BigInt.prototype.toString = () => 'B';`],
  ['Boolean replaced', 'globalThis.Boolean = () => true;'],
  ['Map.prototype.get throws', THROWS('Map.prototype.get')],
  ['Map.prototype.set throws', THROWS('Map.prototype.set')],
  ['Map.prototype.has throws', THROWS('Map.prototype.has')],
  [
    'Map.prototype.get/set/has/delete lie',
    'Map.prototype.get = () => 99; Map.prototype.set = function () { return this; }; Map.prototype.has = () => true; Map.prototype.delete = () => true;',
  ],
  [
    'Map.prototype.entries/keys/values/forEach throw',
    'Map.prototype.entries = Map.prototype.keys = Map.prototype.values = Map.prototype.forEach = function () { throw new Error("polluted: map iteration"); };',
  ],
  ['map iterator next throws', THROWS('Object.getPrototypeOf(new Map().entries()).next')],
  ['Map size getter lies', `Object.defineProperty(Map.prototype, 'size', { get() { return 1000; } });`],
  ['globalThis.Map replaced', THROWS('globalThis.Map')],
  ['Set.prototype.has throws', THROWS('Set.prototype.has')],
  ['Set.prototype.add throws', THROWS('Set.prototype.add')],
  [
    'Set.prototype.has/add/delete lie',
    'Set.prototype.has = () => true; Set.prototype.add = function () { return this; }; Set.prototype.delete = () => false;',
  ],
  [
    'Set.prototype.values/keys/entries throw',
    'Set.prototype.values = Set.prototype.keys = Set.prototype.entries = function () { throw new Error("polluted: set iteration"); };',
  ],
  ['set iterator next throws', THROWS('Object.getPrototypeOf(new Set().values()).next')],
  ['globalThis.Set replaced', THROWS('globalThis.Set')],
  [
    'WeakMap/WeakSet methods throw',
    'WeakMap.prototype.get = WeakMap.prototype.set = WeakMap.prototype.has = WeakSet.prototype.has = WeakSet.prototype.add = function () { throw new Error("polluted: weak"); };',
  ],
  [
    'globalThis.WeakMap/WeakSet/Promise replaced',
    'globalThis.WeakMap = globalThis.WeakSet = globalThis.Promise = function () {};',
  ],
  ['Function.prototype.call throws', THROWS('Function.prototype.call')],
  ['Function.prototype.apply throws', THROWS('Function.prototype.apply')],
  ['Function.prototype.bind throws', THROWS('Function.prototype.bind')],
  ['Function.prototype.toString lies', `Function.prototype.toString = () => 'class Forged {}';`],
  [
    'Promise[Symbol.hasInstance] is always true',
    'Object.defineProperty(Promise, Symbol.hasInstance, { value: () => true });',
  ],
  [
    'Error/TypeError/Number/String[Symbol.hasInstance] are always true',
    'for (const C of [Error, TypeError, Number, String, Boolean, BigInt, Symbol, WeakMap, WeakSet, ArrayBuffer, Uint8Array, DataView]) Object.defineProperty(C, Symbol.hasInstance, { value: () => true });',
  ],
  ['JSON.stringify throws', THROWS('JSON.stringify')],
  ['JSON.stringify returns X', `JSON.stringify = () => 'X';`],
  ['JSON.parse throws', THROWS('JSON.parse')],
  ['Object.keys returns []', 'Object.keys = () => [];'],
  [
    'Object.getOwnPropertyNames/Symbols return []',
    'Object.getOwnPropertyNames = Object.getOwnPropertySymbols = () => [];',
  ],
  ['Object.getOwnPropertyDescriptor throws', THROWS('Object.getOwnPropertyDescriptor')],
  ['Object.getPrototypeOf returns null', 'Object.getPrototypeOf = () => null;'],
  ['Object.defineProperty throws', THROWS('Object.defineProperty')],
  [
    'Object.hasOwn/is/entries/assign/create/freeze throw',
    'Object.hasOwn = Object.is = Object.entries = Object.assign = Object.create = Object.freeze = function () { throw new Error("polluted: Object.*"); };',
  ],
  [
    `Object.prototype.toString returns '[object Error]'`,
    `Object.prototype.toString = () => '[object Error]';`,
  ],
  [
    'Object.prototype.hasOwnProperty/isPrototypeOf throw',
    'Object.prototype.hasOwnProperty = Object.prototype.isPrototypeOf = function () { throw new Error("polluted: Object.prototype"); };',
  ],
  [
    'Object.prototype.get/set/value (descriptor pollution)',
    `Object.prototype.get = function () { return 'polluted'; }; Object.prototype.set = function () {}; Object.prototype.value = 'polluted';`,
  ],
  ['globalThis.Object replaced', THROWS('globalThis.Object')],
  [
    'Reflect.apply/ownKeys throw',
    'Reflect.apply = Reflect.ownKeys = function () { throw new Error("polluted: Reflect"); };',
  ],
  ['RegExp.prototype.exec returns null', 'RegExp.prototype.exec = () => null;'],
  ['RegExp.prototype.exec throws', THROWS('RegExp.prototype.exec')],
  ['RegExp.prototype.test is always false', 'RegExp.prototype.test = () => false;'],
  ['RegExp.prototype.test is always true', 'RegExp.prototype.test = () => true;'],
  ['RegExp.prototype[Symbol.replace] returns R', `RegExp.prototype[Symbol.replace] = () => 'R';`],
  ['RegExp.prototype[Symbol.split] returns [S]', `RegExp.prototype[Symbol.split] = () => ['S'];`],
  ['RegExp.prototype[Symbol.match] throws', THROWS('RegExp.prototype[Symbol.match]')],
  ['globalThis.RegExp replaced', THROWS('globalThis.RegExp')],
  ['Symbol.prototype.toString returns S', `Symbol.prototype.toString = () => 'S';`],
  ['globalThis.Symbol replaced', 'globalThis.Symbol = function () {};'],
  [
    'globalThis.Error/TypeError/RangeError replaced',
    'globalThis.Error = globalThis.TypeError = globalThis.RangeError = function () { return {}; };',
  ],
  [
    'Error.prototype frozen (a lockdown)',
    'Object.freeze(Error.prototype); Object.freeze(TypeError.prototype);',
  ],
  [
    'Object.prototype code/cause setters throw',
    `for (const k of ['code', 'cause']) Object.defineProperty(Object.prototype, k, { set() { throw new Error('polluted: setter ' + k); }, configurable: true });`,
  ],
  ['Date.prototype.getTime throws', THROWS('Date.prototype.getTime')],
  ['Date.now throws', THROWS('Date.now')],
  ['globalThis.Date replaced', THROWS('globalThis.Date')],
  [
    'globalThis.Uint8Array/ArrayBuffer/DataView replaced',
    'globalThis.Uint8Array = globalThis.ArrayBuffer = globalThis.DataView = globalThis.Float64Array = function () { throw new Error("polluted: typed arrays"); };',
  ],
  ['ArrayBuffer.isView is always false', 'ArrayBuffer.isView = () => false;'],
  ['ArrayBuffer.prototype.slice throws', THROWS('ArrayBuffer.prototype.slice')],
  [
    'TypedArray.prototype slice/subarray/set/fill throw',
    'const TA = Object.getPrototypeOf(Uint8Array.prototype); TA.slice = TA.subarray = TA.set = TA.fill = TA.map = TA.join = function () { throw new Error("polluted: TypedArray.prototype"); };',
  ],
  [
    'TypedArray length/buffer/byteOffset/byteLength getters lie',
    `const TA = Object.getPrototypeOf(Uint8Array.prototype); for (const k of ['length', 'byteOffset', 'byteLength']) Object.defineProperty(TA, k, { get() { return 1; } }); Object.defineProperty(TA, 'buffer', { get() { return new ArrayBuffer(1); } });`,
  ],
  [
    'DataView buffer/byteOffset/byteLength getters lie',
    `for (const k of ['byteOffset', 'byteLength']) Object.defineProperty(DataView.prototype, k, { get() { return 0; } }); Object.defineProperty(DataView.prototype, 'buffer', { get() { return new ArrayBuffer(1); } });`,
  ],
  [
    'Uint8Array[Symbol.species] throws',
    `Object.defineProperty(Uint8Array, Symbol.species, { get() { throw new Error('polluted: typed species'); } });`,
  ],
  ['Uint8Array.from throws', THROWS('Uint8Array.from')],
  ['Error.captureStackTrace throws', THROWS('Error.captureStackTrace')],
  [
    'String.prototype.normalize/codePointAt throw',
    'String.prototype.normalize = String.prototype.codePointAt = function () { throw new Error("polluted: normalize"); };',
  ],
  [
    'Object.values/Array.from/Object.prototype.propertyIsEnumerable throw',
    'Object.values = Array.from = Object.prototype.propertyIsEnumerable = function () { throw new Error("polluted: values"); };',
  ],
  [
    'Object.prototype[Symbol.iterator] defined (every object looks iterable)',
    'Object.prototype[Symbol.iterator] = function* () {};',
  ],
  [
    'Object.prototype.constructor replaced',
    'Object.defineProperty(Object.prototype, "constructor", { value: function Forged() {}, configurable: true, writable: true });',
  ],
  [
    'Map/Set iterator prototypes next/toStringTag replaced',
    `for (const it of [new Map().keys(), new Set().values()]) { const p = Object.getPrototypeOf(it); p.next = () => ({ done: true }); }`,
  ],
];

interface Observed {
  status: string;
  json?: string | undefined;
  preview?: string;
  failure?: unknown;
  output: { stream: string; level: string; text: string }[];
}

let engine: Engine;
let expected: Observed;

async function observe(pollution: string): Promise<Observed> {
  const output: Observed['output'] = [];
  const outcome = await engine.run(
    {
      code: `${SETUP}\n${pollution}\n${PROBE}`,
      sourceType: 'script',
      inputJson: '',
      filename: 'main.js',
      limits: { ...DEFAULT_LIMITS, wallTimeMs: 10_000 },
    },
    { onOutput: (e) => output.push({ stream: e.stream, level: e.level, text: e.text }) },
  );
  if (outcome.status === 'ok') {
    return { status: 'ok', json: outcome.json, preview: outcome.preview, output };
  }
  return { status: outcome.status, failure: outcome.failure, output };
}

beforeAll(async () => {
  engine = new Engine({ warmIsolatesPerClass: 1 });
  expected = await observe('');
});
afterAll(() => engine.dispose());

describe('sandbox built-ins under tenant pollution', () => {
  it('the unpolluted probe exercises what the pollutions target', () => {
    expect(expected.status).toBe('ok');
    const texts = expected.output.map((l) => l.text);
    expect(texts[0]).toBe('{ a: [ 1, 2 ] }');
    expect(texts[1]).toBe('[ 1, 2 ] a 3');
    const all = texts.join('\n');
    for (const fragment of [
      '... 30 more items',
      'single: "it\'s"',
      'quoted: `it\'s "both"\\nand a\\ttab`',
      "multiline: 'first line is here\\n' +\n    'second line",
      "backslash: 'back\\\\slash \\x01 \\x7F \\ud800'",
      '<ref *1>',
      '[Circular *1]',
      "Map(3) { 'k' => { deep: [ 1, 2 ] }",
      'Set(3) {',
      '1970-01-02T00:00:00.000Z',
      'Error: boom\n    at file:///tenant/main.js:',
      'Point { x: 1, y: { y: [ 2 ] } }',
      'str 42 { o: [ 1, { p: 2 }, [length]: 2 ] } {"j":[1,"x"]}',
      "[ 1, <1 empty item>, 3, <7 empty items>, 'x' ]",
      'Uint8Array(8) [\n  226, 130, 172, 195,',
      'Assertion failed: assert msg',
      'default: 2',
      'Uint8Array(3) [ 1, 2, 255 ]',
      '[Uint8Contents]: <00 10 ff>',
      'aGVsbG8sIHdvcmxk hello a ',
      '[cause]: Error: boom',
      '[errors]: [\n    Error: boom\n        at file:///tenant/main.js:',
      "{\n  code: 'E1',\n  [cause]: 'c'\n}",
      '[Map Iterator] { <items unknown> }',
      "{ a: 1, Symbol(Symbol.toStringTag): 'T' }",
      '[Date: null prototype] 1970-01-01T00:00:00.000Z',
      '[Object: null prototype] { odd: [ 1, 3 ], even: [ 2 ] }',
      '[ 1, { b: [ 2, [length]: 1 ] }, [length]: 2 ]|<ref *1> [Function: named] {',
      'Shown { own: 1, [shown]: [Getter] }',
      '[BYTES_PER_ELEMENT]: 1',
      '\u250c\u2500\u2500\u2500\u2500\u2500\u2500\u2500\u2500\u2500\u252c',
      '\u2502 (index) \u2502 a        \u2502 b   \u2502 c                            \u2502 wide   \u2502 Values \u2502',
      '\u2502 (iteration index) \u2502 Key',
      'Trace: traced 1\n    at traced (file:///tenant/main.js:',
      "Warning: Count for 'nope' does not exist",
      "Warning: No such label 'nope' for console.timeEnd()",
      "Warning: Label 't' already exists for console.time()",
      '[buffer]: ArrayBuffer { [Uint8Contents]: <00 00 00 00>, [byteLength]: 4 }',
    ]) {
      expect(all).toContain(fragment);
    }
    expect(expected.preview).toContain('quoted:');
    expect(JSON.parse(expected.json ?? 'null')).toMatchObject({ cyc: { self: '[Circular]' } });
  });

  it.each(POLLUTIONS)('%s', async (_name, pollution) => {
    const actual = await observe(pollution);
    expect(actual).toEqual(expected);
  });
});
