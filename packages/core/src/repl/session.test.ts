import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../engine/engine.js';
import type { OutputEvent } from '../engine/types.js';
import { DEFAULT_LIMITS, type Limits } from '../limits/limits.js';
import type { ReplEvalOutcome, ReplSession } from './session.js';

/** REPL sessions on real isolates: state, `_`/`_error`, await, limits, interrupt, completion. */
const LIMITS: Limits = { ...DEFAULT_LIMITS, wallTimeMs: 2000, cpuTimeMs: 300 };
let engine: Engine;
let session: ReplSession;
let background: OutputEvent[];

beforeAll(() => {
  engine = new Engine({ warmIsolatesPerClass: 1 });
});
afterAll(() => engine.dispose());
const open = (limits: Partial<Limits> = {}): ReplSession => {
  background = [];
  session = engine.openReplSession({
    limits: { ...LIMITS, ...limits },
    onBackgroundOutput: (e) => background.push(e),
  });
  return session;
};
afterEach(() => {
  if (session) engine.closeReplSession(session);
});

async function ev(code: string, s: ReplSession = session): Promise<ReplEvalOutcome & { output: string[] }> {
  const output: string[] = [];
  const outcome = await s.eval(code, { onOutput: (e) => output.push(e.text) });
  return { ...outcome, output };
}
async function value(code: string, s: ReplSession = session): Promise<string> {
  const r = await ev(code, s);
  if (r.status !== 'ok') throw new Error(`expected ok for ${code}, got ${JSON.stringify(r)}`);
  return r.preview;
}

describe('REPL session state', () => {
  it('keeps let/const/class/function declarations across inputs and allows redeclaring them', async () => {
    open();
    expect(await value('let a = 1')).toBe('undefined');
    expect(await value('const b = a + 1; b')).toBe('2');
    expect(await value('class P { constructor(x) { this.x = x } }')).toBe('undefined');
    expect(await value('function twice(n) { return n * 2 }')).toBe('undefined');
    expect(await value('twice(new P(b).x)')).toBe('4');
    expect(await value('let a = "again"; a')).toBe("'again'");
    expect(await value('const b = 10; b')).toBe('10');
    expect(await value('const { x, y: [z] } = { x: 1, y: [2] }; x + z')).toBe('3');
  });

  it('a const cannot be assigned, in its own input or a later one, but may be declared again', async () => {
    open();
    const own = await ev('const y = 1; y = 3');
    expect(own.status === 'error' && own.failure).toMatchObject({
      name: 'TypeError',
      message: 'Assignment to constant variable.',
      line: 1,
      column: 16,
    });
    expect(await value('y')).toBe('1');
    const later = await ev('y++');
    expect(later.status === 'error' && later.failure.message).toBe('Assignment to constant variable.');
    expect(await value('y')).toBe('1');
    expect(await value('const y = 2; y')).toBe('2');
    expect(await value('let y = 5; y += 1; y')).toBe('6');
    // Destructured, awaited and class declarations keep their kinds.
    await value('const { p, q: [r] } = { p: 1, q: [2] }');
    expect((await ev('r = 9')).status).toBe('error');
    await value('const w = await Promise.resolve(7)');
    expect((await ev('w = 1')).status).toBe('error');
    await value('class K {}');
    expect(await value('K = 1; K')).toBe('1');
    // Names are inferred as for a declaration, and a const object still completes.
    expect(await value('const fn = () => 1; fn.name')).toBe("'fn'");
    expect(await value('const obj = { alpha: 1 }')).toBe('undefined');
    expect(await session.complete('obj.al', 6)).toMatchObject({ candidates: ['alpha'] });
    // A var of an earlier input may become a const; a non-configurable global may not.
    await value('var v0 = 1');
    expect(await value('const v0 = 2; v0')).toBe('2');
    const clash = await ev('const NaN = 2');
    expect(clash.status === 'error' && clash.failure).toMatchObject({
      name: 'SyntaxError',
      message: "Identifier 'NaN' has already been declared",
    });
  });

  it('__replDeclare survives hostile calls and cannot be replaced', async () => {
    open();
    const trap = await ev("__replDeclare('const', new Proxy({}, { ownKeys() { throw new Error('trap') } }))");
    expect(trap.status === 'error' && trap.failure.message).toBe('trap');
    const getter = await ev("__replDeclare('let', { get g() { throw new Error('getter') } })");
    expect(getter.status === 'error' && getter.failure.message).toBe('getter');
    expect(await value('__replDeclare = null; delete globalThis.__replDeclare; typeof __replDeclare')).toBe(
      "'function'",
    );
    expect(await value('Object.keys(globalThis).includes("__replDeclare")')).toBe('false');
    expect(await value('const after = 1; after')).toBe('1');
    expect((await ev('after = 2')).status).toBe('error');
  });

  it('keeps _ (the last result) and _error (the last error)', async () => {
    open();
    await value('6 * 7');
    expect(await value('_ + 1')).toBe('43');
    const failed = await ev('null.prop');
    expect(failed.status).toBe('error');
    expect(await value('_error instanceof TypeError')).toBe('true');
    expect(await value('_error.message')).toContain('Cannot read properties of null');
  });

  it('supports top-level await, also in declarations', async () => {
    open();
    expect(await value('const v = await new Promise((r) => setTimeout(() => r(5), 20)); v * 2')).toBe('10');
    expect(await value('v')).toBe('5');
    expect(await value('await Promise.resolve("done")')).toBe("'done'");
    // Without await the value is shown as it is, like Node's REPL.
    expect(await value('Promise.resolve(1)')).toMatch(/^Promise/);
  });

  it('answers incomplete for an unfinished input and evaluates it once completed', async () => {
    open();
    expect((await ev('function add(a, b) {')).status).toBe('incomplete');
    expect(await value('function add(a, b) {\n  return a + b\n}')).toBe('undefined');
    expect(await value('add(2, 3)')).toBe('5');
  });

  it('reports a syntax error with its position, and the session goes on', async () => {
    open();
    const r = await ev('let = ;');
    expect(r.status).toBe('error');
    if (r.status === 'error') {
      expect(r.failure).toMatchObject({ kind: 'SYNTAX', name: 'SyntaxError', line: 1 });
      expect(r.stateLost).toBe(false);
    }
    expect(await value('1 + 1')).toBe('2');
    // Worded and placed as V8 (and so `node`) says it, on the line typed.
    const second = await ev('const a = 1;\nlet x = ;');
    expect(second.status === 'error' && second.failure).toMatchObject({
      message: "Unexpected token ';'",
      line: 2,
      column: 9,
      stack: "SyntaxError: Unexpected token ';'\n    at file:///tenant/REPL3:2:9",
    });
  });

  it('streams console output of an input', async () => {
    open();
    const r = await ev('console.log("a", 1); console.error("b"); 3');
    expect(r.output).toEqual(['a 1', 'b']);
    expect(r.status === 'ok' && r.preview).toBe('3');
  });

  it('keeps firing timers between inputs, delivering their output in the background', async () => {
    open();
    await value('setTimeout(() => console.log("later"), 30); "scheduled"');
    for (let i = 0; i < 100 && background.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(background.map((e) => e.text)).toEqual(['later']);
  });

  it('an awaited timer set by a microtask fires when due, not after a later timer', async () => {
    // After a timer fires, its microtasks run once the host's call has taken the status; the
    // session must read the timers again, or it sleeps until the 1.9 s timer first.
    open({ wallTimeMs: 5000 });
    const started = performance.now();
    const r = await ev(
      'const later = setTimeout(() => {}, 1900);\n' +
        'await new Promise((r) => setTimeout(() => Promise.resolve().then(() => setTimeout(r, 0)), 0));\n' +
        'clearTimeout(later); "done"',
    );
    expect(r.status === 'ok' && r.preview).toBe("'done'");
    expect(performance.now() - started).toBeLessThan(1500);
  });

  it('errors point at what was typed, each input a REPL<n> file, with no wrapper frames', async () => {
    open();
    const rejected = await ev('await Promise.reject(new RangeError("rej"))');
    expect(rejected.status === 'error' && rejected.failure).toMatchObject({ line: 1, column: 22 });
    const first = rejected.status === 'error' ? rejected.failure.stack.split('\n').slice(1) : [];
    expect(first).toEqual([expect.stringMatching(/^ {4}at file:\/\/\/tenant\/REPL1:1:22$/)]);

    await value('const k = 1;\nfunction thrower() {\n  throw new TypeError("t");\n}');
    const later = await ev('let z = 0; await 0; thrower()');
    expect(later.status === 'error' && later.failure.stack.split('\n').slice(1)).toEqual([
      '    at thrower (file:///tenant/REPL2:3:9)',
      '    at file:///tenant/REPL3:1:21',
    ]);
    expect(later.status === 'error' && later.failure).toMatchObject({ line: 3, column: 9 });
  });

  it('prints what a timer threw between inputs with the tenant frames only, at the positions typed', async () => {
    open();
    await value('const q = 1; setTimeout(function tm() { null.x }, 5); 1');
    for (let i = 0; i < 100 && background.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(background.map((e) => e.text)).toEqual([
      "Uncaught TypeError: Cannot read properties of null (reading 'x')\n    at Timeout.tm (file:///tenant/REPL1:1:46)",
    ]);
  });

  it('two sessions do not share state', async () => {
    open();
    const other = engine.openReplSession({ limits: LIMITS });
    try {
      await value('let secret = 1');
      expect(await value('typeof secret', other)).toBe("'undefined'");
    } finally {
      engine.closeReplSession(other);
    }
  });
});

describe('REPL limits and interrupt', () => {
  it('ends an infinite loop at the cpu limit and keeps the state', async () => {
    open({ cpuTimeMs: 100 });
    await value('let kept = "yes"');
    const r = await ev('while (true) {}');
    expect(r.status).toBe('error');
    if (r.status === 'error') {
      expect(r.failure.kind).toBe('CPU_LIMIT');
      expect(r.failure.name).toBe('CpuLimitError');
      expect(r.stateLost).toBe(false);
    }
    expect(await value('kept')).toBe("'yes'");
  });

  it("an input's own signal stops it, running or queued, and no other input", async () => {
    open();
    const sleepThen = (v: string): string =>
      `await new Promise((r) => setTimeout(r, 150)); globalThis.order = (globalThis.order ?? '') + '${v}'; '${v}'`;
    const first = new AbortController();
    const second = new AbortController();
    const third = new AbortController();
    const runs = [first, second, third].map((c, i) =>
      session.eval(sleepThen(String(i + 1)), { onOutput: () => undefined, signal: c.signal }),
    );
    second.abort(); // queued behind the first: it never runs
    const one = await runs[0]!;
    const two = await runs[1]!;
    expect(one.status === 'ok' && one.preview).toBe("'1'");
    expect(two.status === 'error' && two.failure).toMatchObject({ kind: 'CANCELLED', name: 'AbortError' });
    expect(two.status === 'error' && two.failure.message).toContain('before it ran');
    await new Promise((r) => setTimeout(r, 60)); // the third awaits its timer now
    third.abort(); // running: stopped as an interrupt would, between calls, so state is kept
    const three = await runs[2]!;
    expect(three.status === 'error' && three.failure.kind).toBe('CANCELLED');
    expect(three.status === 'error' && three.stateLost).toBe(false);
    expect(await value('globalThis.order')).toBe("'1'");
  });

  it('ends a long await at the wall limit and keeps the state', async () => {
    open({ wallTimeMs: 200 });
    await value('let kept = 1');
    const r = await ev('await new Promise((r) => setTimeout(r, 60000))');
    expect(r.status === 'error' && r.failure.kind).toBe('TIMEOUT');
    expect(await value('kept')).toBe('1');
  });

  it('answers at once for an await that can never settle', async () => {
    open();
    const r = await ev('await new Promise(() => {})');
    expect(r.status === 'error' && r.failure.message).toContain('never settled');
  });

  it('interrupts a never-ending await within 100 ms; the state survives', async () => {
    open({ wallTimeMs: 60_000 });
    await value('let kept = 1');
    const pending = ev('await new Promise((r) => setTimeout(r, 60000))');
    await new Promise((r) => setTimeout(r, 50));
    const at = performance.now();
    expect(session.interrupt()).toBe(true);
    const r = await pending;
    expect(performance.now() - at).toBeLessThan(100);
    expect(r.status === 'error' && [r.failure.kind, r.stateLost]).toEqual(['CANCELLED', false]);
    expect(await value('kept')).toBe('1');
  });

  it('interrupts while (true) {} within 100 ms by restarting the session, saying state was lost', async () => {
    open({ cpuTimeMs: 60_000, wallTimeMs: 60_000 });
    await value('let kept = 1');
    const pending = ev('while (true) {}');
    await new Promise((r) => setTimeout(r, 50));
    const at = performance.now();
    expect(session.interrupt()).toBe(true);
    const r = await pending;
    expect(performance.now() - at).toBeLessThan(100);
    expect(r.status).toBe('error');
    if (r.status === 'error') {
      expect(r.failure.kind).toBe('CANCELLED');
      expect(r.stateLost).toBe(true);
      expect(r.failure.message).toContain('state');
    }
    expect(await value('typeof kept')).toBe("'undefined'");
    expect(await value('1 + 1')).toBe('2');
  });

  it('restarts the session past its heap limit, saying state was lost', async () => {
    open({ memoryMib: 16, cpuTimeMs: 5000, wallTimeMs: 10_000 });
    await value('let kept = 1');
    const r = await ev('const hog = []; while (true) hog.push(new Array(100000).fill(1))');
    expect(r.status).toBe('error');
    if (r.status === 'error') {
      expect(r.failure.kind).toBe('MEMORY_LIMIT');
      expect(r.stateLost).toBe(true);
    }
    expect(await value('typeof kept')).toBe("'undefined'");
  });

  it('reset() gives a fresh context', async () => {
    open();
    await value('let gone = 1');
    session.reset();
    expect(await value('typeof gone')).toBe("'undefined'");
  });
});

describe('REPL completion', () => {
  it('completes globals, keywords and property paths (own and inherited)', async () => {
    open();
    await value('const config = { server: { port: 1, portName: "x" }, list: [1] }');
    expect((await session.complete('con', 3)).candidates).toEqual(
      expect.arrayContaining(['config', 'console', 'const', 'continue']),
    );
    expect(await session.complete('config.server.po', 16)).toEqual({
      prefix: 'po',
      candidates: ['port', 'portName'],
    });
    const arrayMethods = await session.complete('config.list.fi', 14);
    expect(arrayMethods.candidates).toEqual(expect.arrayContaining(['fill', 'filter', 'find', 'findIndex']));
    expect((await session.complete('console.lo', 10)).candidates).toEqual(['log']);
  });

  it('never calls a getter or returns completions inside a string', async () => {
    open();
    await value('globalThis.calls = 0; const o = { get trap() { calls++; return { inner: 1 } } }');
    expect((await session.complete('o.trap.', 7)).candidates).toEqual([]);
    expect((await session.complete('o.tr', 4)).candidates).toEqual(['trap']);
    expect(await value('calls')).toBe('0');
    expect((await session.complete('"con', 4)).candidates).toEqual([]);
  });

  it('is bounded in time against a hostile Proxy and keeps the session usable', async () => {
    open();
    await value('const p = new Proxy({}, { ownKeys() { while (true) {} } })');
    const at = performance.now();
    expect((await session.complete('p.', 2)).candidates).toEqual([]);
    expect(performance.now() - at).toBeLessThan(1000);
    expect(await value('1 + 1')).toBe('2');
  });

  it('uses the intrinsics from before tenant code ran', async () => {
    open();
    await value(
      'Object.getOwnPropertyNames = () => { throw new Error("hijacked") }; const obj = { alpha: 1 }',
    );
    expect((await session.complete('obj.al', 6)).candidates).toEqual(['alpha']);
  });
});
