import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine, type InvokeOutcome } from '../engine/engine.js';
import type { ExecutionOutcome } from '../engine/types.js';
import { DEFAULT_LIMITS } from '../limits/limits.js';
import type { CapabilityHandler } from './capability-calls.js';

/**
 * The kv capability across the isolate boundary, with an in-memory handler standing in for the
 * daemon's store (the daemon's integration test covers the real one): what crosses is one JSON
 * string each way, and hostile arguments are dealt with inside the isolate.
 */
let engine: Engine;
beforeAll(() => {
  engine = new Engine({ warmIsolatesPerClass: 1 });
});
afterAll(() => engine.dispose());

function memoryKv(): { handler: CapabilityHandler; data: Map<string, string>; calls: string[] } {
  const data = new Map<string, string>();
  const calls: string[] = [];
  const handler: CapabilityHandler = (capability, op, argsJson) => {
    calls.push(`${capability}.${op} ${argsJson}`);
    const args = JSON.parse(argsJson) as { key: string; value?: unknown; prefix?: string; limit?: number };
    switch (op) {
      case 'get':
        return Promise.resolve(
          data.has(args.key) ? `{"ok":true,"value":${data.get(args.key)}}` : '{"ok":true}',
        );
      case 'put':
        data.set(args.key, JSON.stringify(args.value));
        return new Promise((r) => setTimeout(() => r('{"ok":true}'), 5));
      case 'delete':
        return Promise.resolve(JSON.stringify({ ok: true, value: data.delete(args.key) }));
      case 'list':
        return Promise.resolve(
          JSON.stringify({
            ok: true,
            value: {
              keys: [...data.keys()].filter((k) => k.startsWith(args.prefix ?? '')).sort(),
              cursor: null,
            },
          }),
        );
      default:
        return Promise.reject(new Error('host failure with a secret path /etc/vmd'));
    }
  };
  return { handler, data, calls };
}

let seq = 0;
async function invoke(
  code: string,
  handler: CapabilityHandler | undefined,
  eventJson = 'null',
): Promise<InvokeOutcome> {
  return engine.invoke(
    {
      key: `cap/${++seq}`,
      files: [{ path: 'index.js', content: code }],
      entry: 'index.js',
      eventJson,
      ctx: { tenant: 't', functionName: 'f', version: 1, requestId: 'r', env: {} },
      limits: { ...DEFAULT_LIMITS, wallTimeMs: 2000, cpuTimeMs: 500 },
      fresh: false,
    },
    { onOutput: () => undefined, ...(handler ? { capability: handler } : {}) },
  );
}
const value = (o: ExecutionOutcome): unknown =>
  o.status === 'ok' ? JSON.parse(o.json ?? 'null') : o.failure;

describe('kv inside the sandbox', () => {
  it('puts, gets, lists and deletes through the handler, one JSON string each way', async () => {
    const kv = memoryKv();
    const r = await invoke(
      `module.exports = async () => {
        await kv.put('user:1', { name: 'ada', tags: ['a'] });
        await kv.put('user:2', 2);
        const got = await kv.get('user:1');
        const missing = await kv.get('nope');
        const listed = await kv.list({ prefix: 'user:' });
        const deleted = await kv.delete('user:2');
        return { got, missing: missing === undefined, keys: listed.keys, deleted };
      };`,
      kv.handler,
    );
    expect(value(r)).toEqual({
      got: { name: 'ada', tags: ['a'] },
      missing: true,
      keys: ['user:1', 'user:2'],
      deleted: true,
    });
    expect(kv.calls[0]).toBe('kv.put {"key":"user:1","value":{"name":"ada","tags":["a"]}}');
  });

  it('fails with a clear error inside the sandbox without a grant (Execute runs too)', async () => {
    const r = await invoke(
      "module.exports = async () => { try { await kv.get('x'); } catch (e) { return [e.name, e.message]; } };",
      undefined,
    );
    expect(value(r)).toEqual([
      'PermissionError',
      expect.stringContaining('only deployed functions that request it'),
    ]);
    const run = await engine.run(
      {
        code: "await kv.put('x', 1)",
        sourceType: 'script',
        inputJson: '',
        filename: 'main.js',
        limits: DEFAULT_LIMITS,
      },
      { onOutput: () => undefined },
    );
    expect(run.status === 'error' && [run.failure.kind, run.failure.name]).toEqual([
      'RUNTIME',
      'PermissionError',
    ]);
  });

  it('serializes hostile arguments inside the isolate: getters, toJSON, Proxies, cycles, huge values', async () => {
    const kv = memoryKv();
    const r = await invoke(
      `module.exports = async () => {
        const out = [];
        const tryIt = async (f) => { try { await f(); out.push('ok'); } catch (e) { out.push(e.name + ': ' + e.message.slice(0, 40)); } };
        await tryIt(() => kv.put('getter', { get x() { return 'from getter'; } }));
        await tryIt(() => kv.put('tojson', { toJSON() { return 'replaced'; } }));
        await tryIt(() => kv.put('proxy', new Proxy({}, { ownKeys: () => ['a'], getOwnPropertyDescriptor: () => ({ value: 1, enumerable: true, configurable: true }), get: () => 1 })));
        const cyclic = {}; cyclic.self = cyclic;
        await tryIt(() => kv.put('cycle', cyclic));
        await tryIt(() => kv.put('huge', 'x'.repeat(2_000_000)));
        await tryIt(() => kv.put('', 1));
        await tryIt(() => kv.put({ toString() { return 'k'; } }, 1));
        await tryIt(() => kv.put('undef', undefined));
        await tryIt(() => kv.list({ limit: 1e9 }));
        return out;
      };`,
      kv.handler,
    );
    expect(value(r)).toEqual([
      'ok',
      'ok',
      'ok',
      expect.stringMatching(/^TypeError: kv.put: the arguments must be JSON/),
      expect.stringMatching(/^RangeError: kv.put: the arguments are larger/),
      expect.stringMatching(/^TypeError: kv.put: the key must be a string/),
      expect.stringMatching(/^TypeError: kv.put: the key must be a string/),
      expect.stringMatching(/^TypeError: kv.put: the value must not be undefined/),
      expect.stringMatching(/^RangeError: kv.list: limit/),
    ]);
    expect(kv.data.get('getter')).toBe('{"x":"from getter"}');
    expect(kv.data.get('tojson')).toBe('"replaced"');
    expect(kv.data.get('proxy')).toBe('{"a":1}');
    expect([...kv.data.keys()].sort()).toEqual(['getter', 'proxy', 'tojson']);
  });

  it('is not fooled by a polluted sandbox (JSON, Promise, Object.prototype.then replaced)', async () => {
    const kv = memoryKv();
    const r = await invoke(
      `JSON.stringify = () => '{"key":"stolen"}'; JSON.parse = () => 'forged';
       Object.prototype.then = function () { throw new Error('then hijack'); };
       globalThis.Promise = function () { throw new Error('no promises'); };
       module.exports = async () => { delete Object.prototype.then; await kv.put('real', 1); return kv.get('real'); };`,
      kv.handler,
    );
    expect(value(r)).toBe(1);
    expect(kv.calls[0]).toBe('kv.put {"key":"real","value":1}');
  });

  it('turns a failing host handler into a rejection that leaks no host detail beyond its message', async () => {
    const kv = memoryKv();
    const failing: CapabilityHandler = () => Promise.reject(new Error('store is closed'));
    const r = await invoke(
      "module.exports = async () => { try { await kv.get('x'); } catch (e) { return [e.name, e.message, typeof e.stack]; } };",
      failing,
    );
    expect(value(r)).toEqual(['Error', 'kv.get failed: store is closed', 'string']);
    expect(kv.calls).toEqual([]);
  });

  it('handles re-entrant calls, and a call left running when the handler returns (the instance is not reused)', async () => {
    const kv = memoryKv();
    const code = `let n = 0;
      module.exports = async () => {
        n++;
        await kv.put('a', 1);
        const nested = await kv.get('a').then((v) => kv.put('b', v + 1).then(() => kv.get('b')));
        kv.put('fire-and-forget', n); // not awaited
        return { nested, n };
      };`;
    const first = await invoke(code, kv.handler);
    expect(value(first)).toEqual({ nested: 2, n: 1 });
  });

  it('bounds the calls of one run', async () => {
    const kv = memoryKv();
    const r = await invoke(
      `module.exports = async () => {
        const results = await Promise.allSettled(Array.from({ length: 1005 }, (_, i) => kv.get('k' + i)));
        return results.filter((x) => x.status === 'rejected').map((x) => x.reason.message)[0];
      };`,
      kv.handler,
    );
    expect(value(r)).toBe('more than 1000 capability calls in one run');
  });

  it('fetch: builds the request inside the isolate and a frozen Response-like answer', async () => {
    const requests: string[] = [];
    const handler: CapabilityHandler = (capability, op, argsJson) => {
      requests.push(`${capability}.${op} ${argsJson}`);
      return Promise.resolve(
        JSON.stringify({
          ok: true,
          value: {
            status: 201,
            statusText: 'Created',
            url: 'https://api.test/x',
            redirected: false,
            headers: [['Content-Type', 'application/json']],
            body: '{"id":7}',
          },
        }),
      );
    };
    const r = await invoke(
      `module.exports = async () => {
        const res = await fetch(new URL('https://api.test/x'), { method: 'post', headers: { 'x-n': 1 }, body: JSON.stringify({ a: 1 }) });
        const errors = [];
        for (const bad of [() => fetch('https://api.test', { body: { a: 1 } }), () => fetch('https://api.test', { body: 'x'.repeat(2e6) })]) {
          try { await bad(); } catch (e) { errors.push(e.name); }
        }
        let frozen = true;
        try { 'use strict'; res.status = 500; } catch (e) { frozen = true; }
        return { status: res.status, ok: res.ok, type: res.headers.get('content-type'), has: res.headers.has('X-Missing'), json: await res.json(), errors, frozen: Object.isFrozen(res) };
      };`,
      handler,
    );
    expect(value(r)).toEqual({
      status: 201,
      ok: true,
      type: 'application/json',
      has: false,
      json: { id: 7 },
      errors: ['TypeError', 'RangeError'],
      frozen: true,
    });
    expect(requests).toEqual([
      'fetch.request {"url":"https://api.test/x","method":"POST","headers":{"x-n":"1"},"body":"{\\"a\\":1}"}',
    ]);
  });
});
