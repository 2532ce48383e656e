import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { credentials, type ServiceError } from '@grpc/grpc-js';
import {
  FunctionServiceClient,
  type DeployFunctionRequest,
  type InvokeFunctionRequest,
  type InvokeFunctionResponse,
  type InvokeFunctionStreamResponse,
} from '@vmd/client/wire';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestDaemon, Status, unaryCall, type TestDaemon } from './helpers.js';

/**
 * FunctionService on a real daemon: deploy (checked at deploy, stored in SQLite), invoke (warm
 * instances, logs, streaming), versions and rollback, isolation between tenants, restarts.
 */
type Functions = InstanceType<typeof FunctionServiceClient>;
let dataDir: string;
let d: TestDaemon;
let fns: Functions;

const open = async (): Promise<void> => {
  d = await startTestDaemon({ workers: 1, args: ['--data-dir', dataDir] });
  fns = new FunctionServiceClient(d.address, credentials.createInsecure());
};
beforeAll(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'vmd-functions-'));
  await open();
});
afterAll(async () => {
  fns.close();
  await d.stop();
  await rm(dataDir, { recursive: true, force: true });
});

const HELLO = `module.exports = async (event, ctx) => {
  console.log('request', ctx.requestId.length > 0, 'for', ctx.functionName, 'v' + ctx.version);
  return { statusCode: 200, body: ctx.env.GREETING + ' ' + event.who };
};`;

function deploy(partial: Partial<DeployFunctionRequest> & { name: string }) {
  return unaryCall(fns, fns.deployFunction, {
    tenant: 'acme',
    files: [{ path: 'index.js', content: HELLO }],
    entry: '',
    config: {
      limits: undefined,
      env: { GREETING: 'Hello' },
      capabilities: [],
      freshIsolatePerInvocation: false,
    },
    ...partial,
  });
}
function invoke(partial: Partial<InvokeFunctionRequest> & { name: string }): Promise<InvokeFunctionResponse> {
  return unaryCall(fns, fns.invokeFunction, {
    tenant: 'acme',
    version: 0,
    eventJson: '{"who":"World"}',
    limits: undefined,
    ...partial,
  });
}
const resultOf = (r: InvokeFunctionResponse): unknown =>
  r.outcome?.$case === 'result' ? JSON.parse(r.outcome.value.json) : r.outcome?.value;
async function failure(p: Promise<unknown>): Promise<ServiceError> {
  try {
    await p;
  } catch (err) {
    return err as ServiceError;
  }
  throw new Error('expected the call to fail');
}

describe('FunctionService', () => {
  it('deploys a function and invokes it with an event: result, logs, then a warm instance', async () => {
    const deployed = await deploy({ name: 'hello' });
    expect(deployed).toMatchObject({
      version: 1,
      function: { name: 'hello', activeVersion: 1, latestVersion: 1 },
    });
    const first = await invoke({ name: 'hello' });
    expect(resultOf(first)).toEqual({ statusCode: 200, body: 'Hello World' });
    expect(first.logs.map((l) => l.text)).toEqual(['request true for hello v1']);
    expect([first.version, first.warm]).toEqual([1, false]);
    const second = await invoke({ name: 'hello' });
    expect(second.warm).toBe(true);
    expect(second.logs.map((l) => l.text)).toEqual(['request true for hello v1']);
  });

  it('streams logs while it runs, then the result', async () => {
    await deploy({
      name: 'chatty',
      files: [
        {
          path: 'index.js',
          content:
            "module.exports = async () => { console.log('one'); await new Promise((r) => setTimeout(r, 50)); console.log('two'); return 2; };",
        },
      ],
    });
    const call = fns.invokeFunctionStream({
      invocation: { tenant: 'acme', name: 'chatty', version: 0, eventJson: '', limits: undefined },
    });
    const events: InvokeFunctionStreamResponse[] = [];
    for await (const e of call as AsyncIterable<InvokeFunctionStreamResponse>) events.push(e);
    expect(events.map((e) => e.event?.$case)).toEqual(['output', 'output', 'done']);
    const done = events.at(-1)!.event;
    expect(done?.$case === 'done' && resultOf(done.value)).toBe(2);
  });

  it('deploys ES module bundles whose files import each other', async () => {
    await deploy({
      name: 'esm',
      entry: 'src/handler.mjs',
      files: [
        {
          path: 'src/handler.mjs',
          content: "import { price } from './lib/price.mjs';\nexport default (e) => price(e.qty);",
        },
        { path: 'src/lib/price.mjs', content: 'export const price = (q) => q * 3;' },
      ],
    });
    expect(resultOf(await invoke({ name: 'esm', eventJson: '{"qty": 14}' }))).toBe(42);
  });

  it('rejects syntax errors and imports outside the bundle at deploy, with file, line and column', async () => {
    const bad = await failure(
      deploy({
        name: 'broken',
        files: [{ path: 'index.js', content: 'module.exports = () => {\n  return 1 +;\n};' }],
      }),
    );
    expect(bad.code).toBe(Status.INVALID_ARGUMENT);
    expect(bad.details).toMatch(/index\.js:2:\d+: Unexpected token/);
    const escape = await failure(
      deploy({
        name: 'escape',
        files: [{ path: 'index.mjs', content: "import fs from 'node:fs';\nexport default () => fs;" }],
      }),
    );
    expect(escape.details).toContain("index.mjs:1:16: imports 'node:fs'");
    const missing = await failure(invoke({ name: 'broken' }));
    expect([missing.code, missing.metadata.get('vmd-error-code')[0]]).toEqual([
      Status.NOT_FOUND,
      'FUNCTION_NOT_FOUND',
    ]);
    // A function that does not exist has no versions to list: the hint names `fn list` only.
    expect(missing.details).toContain('list its functions with `vmctl fn list`');
    expect(missing.details).not.toContain('fn versions');
  });

  it('refuses at deploy a bundle whose entry exports no handler, saying what it must export', async () => {
    const refused: Array<[string, DeployFunctionRequest['files'], string]> = [
      ['empty', [{ path: 'index.js', content: '' }], 'index.js: the entry point has no code'],
      ['blank', [{ path: 'index.js', content: '  \n\t\n' }], 'index.js: the entry point has no code'],
      [
        'comments',
        [{ path: 'index.js', content: "#!/usr/bin/env node\n'use strict';\n// TODO\n/* later */\n;" }],
        'index.js: the entry point has no code',
      ],
      [
        'empty-esm',
        [{ path: 'main.mjs', content: '// nothing yet\n' }],
        'main.mjs: the entry point has no code',
      ],
      [
        'no-export',
        [{ path: 'index.mjs', content: 'export const version = 2;\nconst handle = () => 1;' }],
        'index.mjs: the entry point is an ES module that exports neither default nor handler',
      ],
      [
        'json-entry',
        [{ path: 'config.json', content: '{"handler": true}' }],
        'config.json: the entry point is a JSON file',
      ],
    ];
    for (const [name, files, problem] of refused) {
      const err = await failure(deploy({ name, files }));
      expect([name, err.code, err.metadata.get('vmd-error-field')[0]]).toEqual([
        name,
        Status.INVALID_ARGUMENT,
        'files',
      ]);
      expect(err.details).toContain(`the bundle cannot be deployed: ${problem}`);
      expect(err.details).toContain(
        'a handler is module.exports = async (event, ctx) => …, exports.handler = …, or export default async function (event, ctx) { … }',
      );
      // Nothing was stored: there is no version to fail on every invoke.
      expect((await failure(invoke({ name }))).metadata.get('vmd-error-code')[0]).toBe('FUNCTION_NOT_FOUND');
    }

    // Every way of exporting a handler still deploys and runs.
    const accepted: Array<[string, DeployFunctionRequest['files']]> = [
      ['cjs-named', [{ path: 'index.js', content: "'use strict';\nexports.handler = async () => 42;" }]],
      ['esm-named', [{ path: 'index.mjs', content: 'export const handler = () => 42;' }]],
      ['esm-as-default', [{ path: 'index.mjs', content: 'const h = () => 42;\nexport { h as default };' }]],
      [
        'esm-re-export',
        [
          { path: 'index.mjs', content: "export * from './impl.mjs';" },
          { path: 'impl.mjs', content: 'export function handler() { return 42; }' },
        ],
      ],
    ];
    for (const [name, files] of accepted) {
      await deploy({ name, files, entry: files[0]!.path });
      expect([name, resultOf(await invoke({ name }))]).toEqual([name, 42]);
    }
  });

  it('keeps immutable versions: deploy v2, invoke v1 explicitly, roll back', async () => {
    const v2 = await deploy({
      name: 'hello',
      config: {
        limits: undefined,
        env: { GREETING: 'Howdy' },
        capabilities: [],
        freshIsolatePerInvocation: false,
      },
    });
    expect(v2.version).toBe(2);
    expect(resultOf(await invoke({ name: 'hello' }))).toMatchObject({ body: 'Howdy World' });
    expect(resultOf(await invoke({ name: 'hello', version: 1 }))).toMatchObject({ body: 'Hello World' });
    const versions = await unaryCall(fns, fns.listFunctionVersions, {
      tenant: 'acme',
      name: 'hello',
      page: undefined,
    });
    expect(versions.versions.map((v) => v.version)).toEqual([2, 1]);
    const rolled = await unaryCall(fns, fns.rollbackFunction, { tenant: 'acme', name: 'hello', version: 1 });
    expect(rolled.function).toMatchObject({ activeVersion: 1, latestVersion: 2 });
    const got = await unaryCall(fns, fns.getFunction, { tenant: 'acme', name: 'hello' });
    expect(got.active?.version).toBe(1);
    expect(got.active?.files[0]?.content).toBe(HELLO);
    expect(resultOf(await invoke({ name: 'hello' }))).toMatchObject({ body: 'Hello World' });
  });

  it('gives a fresh isolate per invocation when configured', async () => {
    const counter = { path: 'index.js', content: 'let n = 0; module.exports = () => ++n;' };
    await deploy({
      name: 'counter-fresh',
      files: [counter],
      config: { limits: undefined, env: {}, capabilities: [], freshIsolatePerInvocation: true },
    });
    await deploy({ name: 'counter-warm', files: [counter] });
    const fresh = [await invoke({ name: 'counter-fresh' }), await invoke({ name: 'counter-fresh' })];
    expect(fresh.map(resultOf)).toEqual([1, 1]);
    expect(fresh.map((r) => r.warm)).toEqual([false, false]);
    const warm = [await invoke({ name: 'counter-warm' }), await invoke({ name: 'counter-warm' })];
    expect(warm.map(resultOf)).toEqual([1, 2]);
  });

  it("keeps tenants apart: another tenant cannot see or invoke acme's functions", async () => {
    const other = await failure(invoke({ tenant: 'globex', name: 'hello' }));
    expect(other.code).toBe(Status.NOT_FOUND);
    const list = await unaryCall(fns, fns.listFunctions, { tenant: 'globex', page: undefined });
    expect(list.functions).toEqual([]);
  });

  it('a failing handler is an outcome, a bad event is INVALID_ARGUMENT, limits are the quota', async () => {
    await deploy({
      name: 'spin',
      files: [
        {
          path: 'index.js',
          content: 'module.exports = (e) => { if (e.spin) while (true) {} throw new TypeError("nope"); };',
        },
      ],
    });
    const thrown = await invoke({ name: 'spin', eventJson: '{}' });
    expect(thrown.outcome?.$case === 'error' && thrown.outcome.value.name).toBe('TypeError');
    const spun = await invoke({
      name: 'spin',
      eventJson: '{"spin":true}',
      limits: {
        memoryMib: 0,
        cpuTimeMs: 100,
        wallTimeMs: 0,
        outputBytes: 0,
        resultBytes: 0,
        consoleLinesPerSecond: 0,
      },
    });
    expect(spun.outcome?.$case === 'error' && spun.outcome.value.message).toContain('cpu limit of 100 ms');
    const badEvent = await failure(invoke({ name: 'spin', eventJson: '{not json' }));
    expect(badEvent.code).toBe(Status.INVALID_ARGUMENT);
  });

  it('a function deployed again after a delete starts clean: no warm instance of the old one', async () => {
    const COUNTER = 'let calls = 0; module.exports = () => ++calls;';
    const files = [{ path: 'index.js', content: COUNTER }];
    await deploy({ name: 'counter', files });
    expect(resultOf(await invoke({ name: 'counter' }))).toBe(1);
    const warm = await invoke({ name: 'counter' });
    expect([resultOf(warm), warm.warm]).toEqual([2, true]);
    await unaryCall(fns, fns.deleteFunction, { tenant: 'acme', name: 'counter' });
    const again = await deploy({ name: 'counter', files });
    expect(again.version).toBe(1); // the same key as before: tenant, name, version, bundle hash
    const first = await invoke({ name: 'counter' });
    expect([resultOf(first), first.warm]).toEqual([1, false]);
  });

  it('survives a restart; delete removes the function', async () => {
    fns.close();
    await d.stop();
    await open();
    expect(resultOf(await invoke({ name: 'hello' }))).toMatchObject({ body: 'Hello World' });
    await unaryCall(fns, fns.deleteFunction, { tenant: 'acme', name: 'hello' });
    expect((await failure(invoke({ name: 'hello' }))).code).toBe(Status.NOT_FOUND);
  });
});
