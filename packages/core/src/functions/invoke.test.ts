import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine, type InvokeOutcome, type InvokeRequest } from '../engine/engine.js';
import { DEFAULT_LIMITS } from '../limits/limits.js';
import { checkBundle } from './bundle.js';

/** Deployed-function invocation on real isolates: handler forms, bundles, warm instances. */
let engine: Engine;
beforeAll(() => {
  engine = new Engine({ warmIsolatesPerClass: 1 });
});
afterAll(() => engine.dispose());

let seq = 0;
function request(
  files: Record<string, string>,
  entry: string,
  extra: Partial<InvokeRequest> = {},
): InvokeRequest {
  return {
    key: `t/f/${++seq}`,
    files: Object.entries(files).map(([path, content]) => ({ path, content })),
    entry,
    eventJson: '{"name":"vmd"}',
    ctx: { tenant: 't', functionName: 'f', version: 1, requestId: 'req-1', env: { GREETING: 'Hello' } },
    limits: { ...DEFAULT_LIMITS, wallTimeMs: 3000, cpuTimeMs: 1000 },
    fresh: false,
    ...extra,
  };
}
async function invoke(req: InvokeRequest): Promise<InvokeOutcome & { output: string[] }> {
  const output: string[] = [];
  const outcome = await engine.invoke(req, { onOutput: (e) => output.push(e.text) });
  return { ...outcome, output };
}
const value = (o: InvokeOutcome): unknown => (o.status === 'ok' ? JSON.parse(o.json ?? 'null') : o.failure);

describe('Engine.invoke', () => {
  it('calls a CommonJS handler with the event and ctx (tenant, function, version, request id, env, remaining time)', async () => {
    const r = await invoke(
      request(
        {
          'index.js': `module.exports = async (event, ctx) => {
            console.log('invoked', ctx.requestId);
            return { statusCode: 200, body: ctx.env.GREETING + ' ' + event.name, who: [ctx.tenant, ctx.functionName, ctx.version],
                     left: ctx.getRemainingTimeInMillis() > 0 };
          };`,
        },
        'index.js',
      ),
    );
    expect(value(r)).toEqual({ statusCode: 200, body: 'Hello vmd', who: ['t', 'f', 1], left: true });
    expect(r.output).toEqual(['invoked req-1']);
    expect(r.warm).toBe(false);
  });

  it("locates a runtime error on line 1 of a CommonJS file in the tenant's text, as on later lines", async () => {
    // Line 1 is evaluated after the CommonJS wrapper's text; its columns were reported 62 too far.
    const r = await invoke(
      request(
        {
          'a.js': 'module.exports = (e) => e.x.y;',
          'b.js': "const a = require('./a.js');\nmodule.exports = (e) => a(e) + e.q.r;",
        },
        'b.js',
      ),
    );
    expect(r.status).toBe('error');
    const f = r.status === 'error' ? r.failure : undefined;
    expect([f?.name, f?.line, f?.column]).toEqual(['TypeError', 1, 29]); // Node: a.js:1:29
    expect(f?.stack).toContain('at module.exports (file:///tenant/a.js:1:29)');
    expect(f?.stack).toContain('(file:///tenant/b.js:2:25)');
    const stackText = await invoke(
      request({ 'index.js': 'module.exports = () => new Error("here").stack;' }, 'index.js'),
    );
    expect(value(stackText)).toMatch(/\n {4}at module\.exports \(file:\/\/\/tenant\/index\.js:1:24\)/);
  });

  it('supports exports.handler and require() of files in the bundle (not outside it)', async () => {
    const r = await invoke(
      request(
        {
          'main.js':
            "const { twice } = require('./lib/math'); const cfg = require('./cfg.json'); exports.handler = (e) => twice(cfg.base);",
          'lib/math.js': 'exports.twice = (n) => n * 2;',
          'cfg.json': '{"base": 21}',
        },
        'main.js',
      ),
    );
    expect(value(r)).toBe(42);
    const escape = await invoke(request({ 'main.js': "require('fs'); module.exports = () => 1" }, 'main.js'));
    expect(escape.status === 'error' && escape.failure.message).toContain("Cannot find module 'fs'");
  });

  it('runs an ES module bundle: export default, with imports between its files', async () => {
    const r = await invoke(
      request(
        {
          'handler.mjs':
            "import { greet } from './util/greet.mjs';\nexport default async function (event) { return greet(event.name); }",
          'util/greet.mjs': 'export const greet = (n) => `hi ${n}`;',
        },
        'handler.mjs',
      ),
    );
    expect(value(r)).toBe('hi vmd');
  });

  it('reuses a warm instance of the same version (module state survives), never across keys', async () => {
    const files = {
      'index.js': 'let calls = 0; module.exports = () => { console.log("call"); return ++calls; };',
    };
    const req = request(files, 'index.js');
    const first = await invoke(req);
    const second = await invoke({ ...req });
    expect([value(first), first.warm]).toEqual([1, false]);
    expect([value(second), second.warm]).toEqual([2, true]);
    expect(second.output).toEqual(['call']);
    const other = await invoke({ ...req, key: 'other-tenant/f/1' });
    expect([value(other), other.warm]).toEqual([1, false]);
    const fresh = await invoke({ ...req, fresh: true });
    expect([value(fresh), fresh.warm]).toEqual([1, false]); // a fresh isolate: it takes no warm instance
    const after = await invoke({ ...req });
    expect(value(after)).toBe(3);
  });

  it('forgetWarm drops the instances under a key prefix (a deleted tenant), and only those', async () => {
    const files = { 'index.js': 'let calls = 0; module.exports = () => ++calls;' };
    const mine = request(files, 'index.js', { key: 'gone/f/1/abc' });
    const theirs = request(files, 'index.js', { key: 'kept/f/1/abc' });
    for (const r of [mine, theirs]) {
      await invoke(r);
      expect((await invoke({ ...r })).warm).toBe(true);
    }
    expect(engine.forgetWarm({ functionKeyPrefix: 'gone/' })).toBe(1);
    const again = await invoke({ ...mine });
    expect([value(again), again.warm]).toEqual([1, false]); // no state of the old instance
    const other = await invoke({ ...theirs });
    expect([value(other), other.warm]).toEqual([3, true]);
  });

  it('does not keep an instance that left a timer pending or hit a limit', async () => {
    const pending = request(
      { 'index.js': 'let n = 0; module.exports = () => { setTimeout(() => {}, 10); return ++n; };' },
      'index.js',
    );
    expect(value(await invoke(pending))).toBe(1);
    const again = await invoke({ ...pending });
    expect([value(again), again.warm]).toEqual([1, false]);

    // A timer a microtask sets after the handler returned is pending too.
    const late = request(
      {
        'index.js':
          'let n = 0; module.exports = () => { Promise.resolve().then(() => setTimeout(() => {}, 10)); return ++n; };',
      },
      'index.js',
    );
    expect(value(await invoke(late))).toBe(1);
    const lateAgain = await invoke({ ...late });
    expect([value(lateAgain), lateAgain.warm]).toEqual([1, false]);

    const loop = request(
      { 'index.js': 'let n = 0; module.exports = (e) => { n++; if (e.spin) while (true) {} return n; };' },
      'index.js',
    );
    expect(value(await invoke(loop))).toBe(1);
    const spun = await invoke({
      ...loop,
      eventJson: '{"spin":true}',
      limits: { ...loop.limits, cpuTimeMs: 50 },
    });
    expect(spun.status === 'error' && spun.failure.kind).toBe('CPU_LIMIT');
    const next = await invoke({ ...loop });
    expect([value(next), next.warm]).toEqual([1, false]);
  });

  it('reports load failures and a missing handler as failures of the code', async () => {
    const throwsAtLoad = await invoke(
      request({ 'index.js': 'throw new RangeError("bad config")' }, 'index.js'),
    );
    expect(
      throwsAtLoad.status === 'error' && [throwsAtLoad.failure.name, throwsAtLoad.failure.message],
    ).toEqual(['RangeError', 'bad config']);
    const noHandler = await invoke(request({ 'index.js': 'module.exports = { nope: 1 }' }, 'index.js'));
    expect(noHandler.status === 'error' && noHandler.failure.message).toContain('exports no handler');
    const rejects = await invoke(
      request({ 'index.js': 'module.exports = async () => { throw new TypeError("no") }' }, 'index.js'),
    );
    expect(rejects.status === 'error' && rejects.failure.name).toBe('TypeError');
  });

  it('refuses an event that is not JSON with INVALID_ARGUMENT', async () => {
    await expect(
      engine.invoke(request({ 'index.js': 'module.exports = () => 1' }, 'index.js', { eventJson: '{bad' }), {
        onOutput: () => undefined,
      }),
    ).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });

  it('is not fooled by hostile handlers: thenables, Proxies, getters on the result', async () => {
    const thenable = await invoke(
      request(
        { 'index.js': 'module.exports = () => ({ then(resolve) { resolve({ ok: true }) } })' },
        'index.js',
      ),
    );
    expect(value(thenable)).toEqual({ ok: true });
    const proxy = await invoke(
      request(
        {
          'index.js': 'module.exports = () => new Proxy({}, { ownKeys() { while (true) {} } })',
        },
        'index.js',
        { limits: { ...DEFAULT_LIMITS, wallTimeMs: 1000, cpuTimeMs: 200 } },
      ),
    );
    expect(proxy.status === 'error' && proxy.failure.kind).toBe('CPU_LIMIT');
    const polluted = await invoke(
      request(
        {
          'index.js':
            'JSON.parse = () => ({ hijacked: true }); Object.prototype.then = undefined; module.exports = (e) => e',
        },
        'index.js',
      ),
    );
    expect(value(polluted)).toEqual({ name: 'vmd' });
  });
});

describe('checkBundle', () => {
  it('accepts script and module bundles, naming the entry kind', () => {
    expect(checkBundle([{ path: 'a.js', content: 'module.exports = () => 1' }], 'a.js')).toEqual({
      ok: true,
      kind: 'cjs',
    });
    expect(
      checkBundle(
        [
          { path: 'a.mjs', content: "import b from './b.mjs'; export default b" },
          { path: 'b.mjs', content: 'export default () => 1' },
        ],
        'a.mjs',
      ),
    ).toEqual({ ok: true, kind: 'esm' });
  });

  it('rejects syntax errors with file, line and column, imports outside the bundle, bad paths', () => {
    const r = checkBundle(
      [
        { path: 'a.mjs', content: "import fs from 'fs';\nimport x from './missing.mjs';\nexport default 1" },
        { path: 'b.js', content: 'let x = ;' },
        { path: '../etc/passwd', content: '' },
      ],
      'a.mjs',
    );
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.problems).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            file: 'a.mjs',
            line: 1,
            message: expect.stringContaining("imports 'fs'"),
          }),
          expect.objectContaining({
            file: 'a.mjs',
            line: 2,
            message: expect.stringContaining("'./missing.mjs'"),
          }),
          expect.objectContaining({ file: 'b.js', line: 1, column: 9 }),
          expect.objectContaining({
            file: '../etc/passwd',
            message: expect.stringContaining('not a safe relative path'),
          }),
        ]),
      );
    }
    expect(checkBundle([{ path: 'a.js', content: '1' }], 'main.js').ok).toBe(false);
  });

  it('says why top-level await fails in a CommonJS file', () => {
    const r = checkBundle(
      [{ path: 'index.js', content: 'const v = await 1;\nmodule.exports = () => v;' }],
      'index.js',
    );
    expect(r.ok === false && r.problems).toEqual([
      expect.objectContaining({
        file: 'index.js',
        line: 1,
        message: expect.stringContaining(
          'await is only valid in async functions and the top level bodies of modules',
        ),
      }),
    ]);
  });

  it('rejects CommonJS requires of literal paths outside the bundle, where it can tell', () => {
    const r = checkBundle(
      [
        {
          path: 'index.js',
          content: "const u = require('./util');\nconst fs = require(`fs`);\nmodule.exports = () => u;",
        },
      ],
      'index.js',
    );
    expect(r.ok === false && r.problems).toEqual([
      expect.objectContaining({
        file: 'index.js',
        line: 1,
        column: 19,
        message: expect.stringContaining("requires './util'"),
      }),
      expect.objectContaining({
        file: 'index.js',
        line: 2,
        column: 20,
        message: expect.stringContaining("requires 'fs'"),
      }),
    ]);
    // Resolved like the loader does (extension, index.js, JSON); computed or shadowed requires
    // are left to load time; a CommonJS file may return at its top level.
    expect(
      checkBundle(
        [
          {
            path: 'index.js',
            content:
              "const a = require('./lib'), b = require('./data.json'), c = require('./dir');\n" +
              'const name = "x"; try { require(name) } catch {}\n' +
              "function f(require) { return require('anything') }\n" +
              'if (!a) return;\nmodule.exports = () => [a, b, c, f];',
          },
          { path: 'lib.js', content: 'module.exports = 1' },
          { path: 'data.json', content: '{"k": 1}' },
          { path: 'dir/index.js', content: 'module.exports = 2' },
        ],
        'index.js',
      ),
    ).toEqual({ ok: true, kind: 'cjs' });
  });
});
