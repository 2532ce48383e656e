import { VmdClientError, type VmdErrorCode } from '@vmd/client';
import { ErrorKind, OutputStream } from '@vmd/client/wire';
import { describe, expect, it } from 'vitest';
import { METRICS, TIME, createFakeClient, createFakeIo, type FakeCall } from '../test/helpers/fakes.js';
import { runCli } from './cli.js';
import type { CliClient } from './context.js';

const out = (text: string, stream = OutputStream.OUTPUT_STREAM_STDOUT) => ({
  $case: 'output' as const,
  value: { stream, level: stream === OutputStream.OUTPUT_STREAM_STDERR ? 'error' : 'log', text, time: TIME },
});
const result = (json: string, preview: string) => ({
  $case: 'result' as const,
  value: { value: { json, preview, hasJson: json !== '' }, metrics: METRICS },
});
const succeed = (call: FakeCall): void => {
  call.send({ $case: 'started', value: { executionId: 'ex-1', queueWaitMs: 0.25 } });
  call.send(out('first'));
  call.send(out('oops', OutputStream.OUTPUT_STREAM_STDERR));
  call.send(out('second'));
  call.send(result('42', '42'));
  call.end();
};

describe('argument errors exit 2 with usage', () => {
  it.each([
    [['exec'], /missing required argument 'file'[\s\S]*Usage: vmctl exec \[options\] <file>/],
    [
      ['exec', 'a.js', '--timeout', 'soon'],
      /--timeout expects an integer from 1 to 900000 \(milliseconds\), e.g. --timeout 5000[\s\S]*Usage: vmctl exec/,
    ],
    [['exec', 'a.js', '--memory', '0'], /--memory expects an integer from 8 to 4096 \(MiB\)/],
    [['exec', 'a.js', '--module', '--script'], /cannot be used with/],
    [['exec', 'a.js', '--frobnicate'], /unknown option '--frobnicate'/],
    [['frobnicate'], /unknown command 'frobnicate'[\s\S]*vmctl --help/],
    [['exec', 'missing.js'], /cannot read missing.js: no such file/],
    [['exec', 'a.js', '--input', '{nope'], /not valid JSON/],
    [['exec', '-', '--input', '@-'], /cannot both come from stdin/],
    [['health', '--addr', 'http://localhost'], /INVALID_ARGUMENT: invalid vmd address 'http:\/\/localhost'/],
    [['usage', '--since', 'yesterday'], /--since expects a duration back from now \(90s, 15m, 6h, 7d\)/],
    [['usage', '--until', '2026-13-45'], /--until expects a duration/],
  ])('vmctl %j', async (argv, message) => {
    const fake = createFakeIo({ files: { 'a.js': '1' } });
    const { client } = createFakeClient(succeed);
    expect(await runCli(argv, fake.io, { createClient: () => client })).toBe(2);
    expect(fake.stdout()).toBe('');
    expect(fake.stderr()).toMatch(message);
  });

  it('no arguments: help on stderr, exit 2', async () => {
    const fake = createFakeIo();
    expect(await runCli([], fake.io)).toBe(2);
    expect(fake.stderr()).toContain('Usage: vmctl [options] [command]');
  });

  it('--help and --version exit 0 on stdout', async () => {
    const help = createFakeIo();
    expect(await runCli(['exec', '--help'], help.io)).toBe(0);
    expect(help.stdout()).toContain('Usage: vmctl exec [options] <file>');
    expect(help.stdout()).toContain('--timeout <ms>');
    const version = createFakeIo();
    expect(await runCli(['--version'], version.io)).toBe(0);
    expect(version.stdout()).toMatch(/^\d+\.\d+\.\d+\n$/);
  });

  it.each([['help'], ['help', 'exec'], ['fn', 'help', 'deploy']])(
    'the help command (%j) exits 0 as --help does',
    async (...argv) => {
      const help = createFakeIo();
      expect(await runCli(argv, help.io)).toBe(0);
      expect(help.stdout()).toContain('Usage: vmctl');
    },
  );
});

describe('vmctl exec', () => {
  it('streams stdout and stderr apart and live, then prints the result on stdout', async () => {
    const fake = createFakeIo({ files: { 'main.js': 'console.log(1)' } });
    const { client, calls } = createFakeClient(succeed);
    expect(
      await runCli(['exec', 'main.js', '--tenant', 'acme'], fake.io, { createClient: () => client }),
    ).toBe(0);
    expect(fake.writes).toEqual([
      ['stdout', 'first\n'],
      ['stderr', 'oops\n'],
      ['stdout', 'second\n'],
      ['stdout', '42\n'],
    ]);
    expect(calls[0]?.options).toMatchObject({ sourceType: 'script', filename: 'main.js' });
  });

  it('passes limits, input, module detection and the tenant from flags and env', async () => {
    const fake = createFakeIo({
      files: { 'dir/handler.mjs': 'export default (i) => i.n', 'in.json': '{"n": 2}' },
      env: { VMD_TENANT: 'from-env', VMD_ADDR: 'vmd.internal:7000' },
    });
    let seenOptions: unknown;
    const { client, calls } = createFakeClient((call) => {
      call.send(result('2', '2'));
      call.end();
    });
    const argv = [
      'exec',
      'dir/handler.mjs',
      '--timeout',
      '1500',
      '--memory',
      '32',
      '--cpu',
      '200',
      '--input',
      '@in.json',
    ];
    expect(
      await runCli(argv, fake.io, {
        createClient: (options) => {
          seenOptions = options;
          return client;
        },
      }),
    ).toBe(0);
    expect(seenOptions).toEqual({ address: 'vmd.internal:7000', tenant: 'from-env' });
    expect(calls[0]).toMatchObject({
      code: 'export default (i) => i.n',
      options: {
        sourceType: 'module',
        filename: 'handler.mjs',
        timeoutMs: 1500,
        memoryMib: 32,
        cpuTimeMs: 200,
        inputJson: '{"n": 2}',
      },
    });
  });

  it('reads the code from stdin with -', async () => {
    const fake = createFakeIo({ stdin: 'import x from "y"\nexport default 1' });
    const { client, calls } = createFakeClient((call) => {
      call.send(result('"ok"', "'ok'"));
      call.end();
    });
    expect(await runCli(['exec', '-'], fake.io, { createClient: () => client })).toBe(0);
    expect(calls[0]?.options).toMatchObject({ sourceType: 'module', filename: 'stdin.js' });
    expect(fake.stdout()).toBe("'ok'\n");
  });

  it('--json prints exactly one document on stdout and nothing else', async () => {
    const fake = createFakeIo({ files: { 'main.js': '42' } });
    const { client } = createFakeClient(succeed);
    expect(await runCli(['--json', 'exec', 'main.js'], fake.io, { createClient: () => client })).toBe(0);
    expect(fake.stderr()).toBe('');
    const document = JSON.parse(fake.stdout()) as Record<string, unknown>;
    expect(document).toEqual({
      ok: true,
      value: { json: 42, preview: '42' },
      output: [
        { stream: 'stdout', level: 'log', text: 'first', time: TIME.toISOString() },
        { stream: 'stderr', level: 'error', text: 'oops', time: TIME.toISOString() },
        { stream: 'stdout', level: 'log', text: 'second', time: TIME.toISOString() },
      ],
      metrics: METRICS,
      executionId: 'ex-1',
    });
  });

  it('a failure of the code: readable message on stderr with the source line, exit 1', async () => {
    const fake = createFakeIo({ files: { 'bad.js': 'let a = 1;\nlet b = ;\n' } });
    const { client } = createFakeClient((call) => {
      call.send({
        $case: 'error',
        value: {
          failure: {
            kind: ErrorKind.ERROR_KIND_SYNTAX,
            name: 'SyntaxError',
            message: 'Unexpected token',
            stack: '',
            line: 2,
            column: 9,
          },
          metrics: METRICS,
        },
      });
      call.end();
    });
    expect(await runCli(['exec', 'bad.js'], fake.io, { createClient: () => client })).toBe(1);
    expect(fake.stdout()).toBe('');
    expect(fake.stderr()).toBe(
      'SyntaxError: Unexpected token (bad.js:2:9)\n  2 | let b = ;\n    |         ^\n',
    );
  });

  it('--json with a failure: ok false and the error, exit 1', async () => {
    const fake = createFakeIo({ files: { 'slow.js': 'while(true){}' } });
    const { client } = createFakeClient((call) => {
      call.send(out('started'));
      call.send({
        $case: 'error',
        value: {
          failure: {
            kind: ErrorKind.ERROR_KIND_TIMEOUT,
            name: 'TimeoutError',
            message: 'wall-time limit exceeded',
            stack: '',
            line: 0,
            column: 0,
          },
          metrics: METRICS,
        },
      });
      call.end();
    });
    expect(
      await runCli(['exec', 'slow.js', '--json', '--timeout', '100'], fake.io, {
        createClient: () => client,
      }),
    ).toBe(1);
    const document = JSON.parse(fake.stdout()) as { ok: boolean; error: unknown; output: unknown[] };
    expect(document.ok).toBe(false);
    expect(document.error).toEqual({
      kind: 'TIMEOUT',
      name: 'TimeoutError',
      message: 'wall-time limit exceeded',
      stack: '',
      file: null,
      line: null,
      column: null,
    });
    expect(document.output).toHaveLength(1);
  });

  it('a platform error: vmd code on stderr, exit 2, stdout keeps the output so far', async () => {
    const fake = createFakeIo({ files: { 'main.js': '1' } });
    const { client } = createFakeClient((call) => {
      call.send(out('partial'));
      call.fail('QUEUE_FULL', "tenant 'acme' queue is full", { retryAfterMs: 200 });
    });
    expect(await runCli(['exec', 'main.js'], fake.io, { createClient: () => client })).toBe(2);
    expect(fake.stdout()).toBe('partial\n');
    expect(fake.stderr()).toContain("vmctl: QUEUE_FULL: tenant 'acme' queue is full (retry after 200 ms)");
  });

  it('--json with a platform error: nothing on stdout, the error on stderr', async () => {
    const fake = createFakeIo({ files: { 'main.js': '1' } });
    const { client } = createFakeClient((call) => call.fail('UNAUTHENTICATED', 'no API key'));
    expect(await runCli(['exec', 'main.js', '--json'], fake.io, { createClient: () => client })).toBe(2);
    expect(fake.stdout()).toBe('');
    expect(fake.stderr()).toContain('vmctl: UNAUTHENTICATED: no API key');
    expect(fake.stderr()).toContain('hint: set VMD_API_KEY');
  });

  it('Ctrl-C cancels the execution and exits 130', async () => {
    const fake = createFakeIo({ files: { 'loop.js': 'for(;;){}' } });
    let call: FakeCall | undefined;
    const { client } = createFakeClient((c) => {
      call = c;
      c.send(out('tick'));
      setImmediate(() => fake.interrupt());
    });
    expect(await runCli(['exec', 'loop.js'], fake.io, { createClient: () => client })).toBe(130);
    expect(call?.cancelled).toBe(true);
    expect(fake.stdout()).toBe('tick\n');
    expect(fake.stderr()).toContain('interrupted; the execution was cancelled');
  });

  it('warns that --api-key shows in ps', async () => {
    const fake = createFakeIo({ files: { 'main.js': '1' } });
    const { client } = createFakeClient(succeed);
    await runCli(['exec', 'main.js', '--api-key', 'secret'], fake.io, { createClient: () => client });
    expect(fake.stderr()).toContain('vmctl: warning: --api-key is visible to other users in `ps`');
    expect(fake.stderr()).not.toContain('secret');
  });

  it('colours only on a terminal, and never with --no-color or NO_COLOR', async () => {
    const run = async (argv: string[], env: Record<string, string> = {}) => {
      const fake = createFakeIo({ files: { 'main.js': '1' }, tty: true, env });
      const { client } = createFakeClient(succeed);
      await runCli(argv, fake.io, { createClient: () => client });
      return fake.stdout();
    };
    expect(await run(['exec', 'main.js'])).toContain('\u001b[33m42\u001b[39m');
    expect(await run(['exec', 'main.js', '--no-color'])).not.toContain('\u001b[');
    expect(await run(['exec', 'main.js'], { NO_COLOR: '1' })).not.toContain('\u001b[');
  });
});

describe('vmctl health', () => {
  it('SERVING: exit 0', async () => {
    const fake = createFakeIo();
    const { client } = createFakeClient(succeed, 'SERVING');
    expect(await runCli(['health'], fake.io, { createClient: () => client })).toBe(0);
    expect(fake.stdout()).toBe('SERVING\n');
  });

  it('NOT_SERVING: says so, exit 2', async () => {
    const fake = createFakeIo();
    const { client } = createFakeClient(succeed, 'NOT_SERVING');
    expect(await runCli(['health'], fake.io, { createClient: () => client })).toBe(2);
    expect(fake.stdout()).toBe('NOT_SERVING\n');
    expect(fake.stderr()).toContain('answers NOT_SERVING');
  });

  it('--json: { status, address }', async () => {
    const fake = createFakeIo();
    const { client } = createFakeClient(succeed, 'SERVING');
    expect(await runCli(['health', '--json'], fake.io, { createClient: () => client })).toBe(0);
    expect(JSON.parse(fake.stdout())).toEqual({ status: 'SERVING', address: '127.0.0.1:50051' });
  });

  it('unreachable: helpful message, exit 2; --json says UNREACHABLE', async () => {
    const unreachable = VmdClientError.fromServiceError(
      {
        code: 14,
        details:
          'No connection established. Last error: Error: connect ECONNREFUSED 127.0.0.1:50051. Resolution note: ',
      },
      { address: '127.0.0.1:50051' },
    );
    const human = createFakeIo();
    expect(
      await runCli(['health'], human.io, {
        createClient: () => createFakeClient(succeed, unreachable).client,
      }),
    ).toBe(2);
    expect(human.stderr()).toContain('cannot reach vmd at 127.0.0.1:50051');
    expect(human.stderr()).toContain('start it with `vmd serve` or set VMD_ADDR');
    const json = createFakeIo();
    expect(
      await runCli(['health', '--json'], json.io, {
        createClient: () => createFakeClient(succeed, unreachable).client,
      }),
    ).toBe(2);
    expect(JSON.parse(json.stdout())).toMatchObject({
      status: 'UNREACHABLE',
      address: '127.0.0.1:50051',
      error: { code: 'UNAVAILABLE' },
    });
  });
});

/** A fake client for `fn`, `tenant` and `key`: records calls, answers with `answers`. */
function createAdminClient(
  answers: {
    invoke?: () => unknown;
    deploy?: () => unknown;
    tenantGet?: () => unknown;
    revokeKey?: () => unknown;
  } = {},
) {
  const calls: { method: string; args: unknown[] }[] = [];
  const record =
    (method: string, answer: (() => unknown) | undefined, fallback: unknown) =>
    async (...args: unknown[]) => {
      calls.push({ method, args });
      return answer === undefined ? fallback : answer();
    };
  const client = {
    address: '127.0.0.1:50051',
    functions: {
      invoke: record('functions.invoke', answers.invoke, {
        ok: true,
        value: { json: '1', preview: '1', hasJson: true, value: 1 },
        version: 9,
        warm: false,
        logs: [],
        metrics: METRICS,
      }),
      deploy: record('functions.deploy', answers.deploy, {
        function: { name: 'f', activeVersion: 1, latestVersion: 1 },
        version: 1,
      }),
      rollback: record('functions.rollback', undefined, { name: 'f', activeVersion: 1, latestVersion: 2 }),
    },
    tenants: {
      get: record('tenants.get', answers.tenantGet, undefined),
      update: record('tenants.update', undefined, undefined),
      delete: record('tenants.delete', undefined, undefined),
      listKeys: record('tenants.listKeys', undefined, { items: [], nextPageToken: '' }),
      revokeKey: record('tenants.revokeKey', answers.revokeKey, undefined),
    },
    close() {},
  } as unknown as CliClient;
  return { client, calls };
}

const platformError = (code: VmdErrorCode, message: string) => () => {
  throw new VmdClientError({ code, grpcCode: 2, message });
};

describe('vmctl fn invoke --version N (a command option named like the global -V, --version)', () => {
  it.each([
    [['fn', 'invoke', 'hello', '--tenant', 'f', '--version', '9']],
    [['fn', 'invoke', 'hello', '--version', '9', '--tenant', 'f']],
    [['--tenant', 'f', 'fn', 'invoke', 'hello', '--version=9']],
  ])('vmctl %j invokes version 9', async (argv) => {
    const fake = createFakeIo();
    const { client, calls } = createAdminClient();
    let options: unknown;
    expect(
      await runCli(argv, fake.io, {
        createClient: (o) => {
          options = o;
          return client;
        },
      }),
    ).toBe(0);
    expect(fake.stdout()).toBe('1\n');
    expect(calls[0]).toMatchObject({ method: 'functions.invoke', args: ['hello', null, { version: 9 }] });
    expect(options).toMatchObject({ tenant: 'f' });
  });

  it('vmctl --version and -V still print the version; --version after a command is not the version', async () => {
    for (const argv of [['--version'], ['-V'], ['--tenant', 'x', '--version']]) {
      const fake = createFakeIo();
      expect(await runCli(argv, fake.io)).toBe(0);
      expect(fake.stdout()).toMatch(/^\d+\.\d+\.\d+\n$/);
    }
    const fake = createFakeIo({ files: { 'a.js': '1' } });
    expect(await runCli(['exec', 'a.js', '--version'], fake.io)).toBe(2);
    expect(fake.stderr()).toContain("unknown option '--version'");
  });

  it('global flags work before the command, after it and between fn and invoke', async () => {
    for (const argv of [
      ['--json', '--tenant', 'f', '--addr', 'h:1', 'fn', 'invoke', 'x'],
      ['fn', 'invoke', 'x', '--json', '--tenant', 'f', '--addr', 'h:1'],
      ['fn', '--json', '--tenant', 'f', 'invoke', 'x', '--addr', 'h:1'],
    ]) {
      const fake = createFakeIo();
      const { client } = createAdminClient();
      let options: unknown;
      const code = await runCli(argv, fake.io, {
        createClient: (o) => {
          options = o;
          return client;
        },
      });
      expect(code, argv.join(' ')).toBe(0);
      expect(options).toEqual({ address: 'h:1', tenant: 'f' });
      expect(JSON.parse(fake.stdout())).toMatchObject({ ok: true, version: 9 });
    }
  });

  it('--no-color before the command is not undone by the command', async () => {
    const fake = createFakeIo({ files: { 'main.js': '1' }, tty: true });
    const { client } = createFakeClient(succeed);
    await runCli(['--no-color', 'exec', 'main.js'], fake.io, { createClient: () => client });
    expect(fake.stdout()).toBe('first\nsecond\n42\n');
  });

  it('the help of a command lists the global options once, without -V', async () => {
    const fake = createFakeIo();
    expect(await runCli(['fn', 'invoke', '--help'], fake.io)).toBe(0);
    const help = fake.stdout();
    expect(help).toContain('--version <n>');
    expect(help).not.toContain('-V, --version');
    expect(help.match(/--tenant <name>/g)).toHaveLength(1);
  });
});

describe('vmctl tenant update without a change', () => {
  it('is a usage error naming the flags, and the daemon is not called', async () => {
    const fake = createFakeIo();
    const { client, calls } = createAdminClient();
    expect(await runCli(['tenant', 'update', 'acme'], fake.io, { createClient: () => client })).toBe(2);
    expect(fake.stderr()).toContain('tenant update acme: nothing would change; give at least one of');
    expect(fake.stderr()).toContain('--kv, --no-kv, --fetch');
    expect(calls).toEqual([]);
  });

  it('with a flag it updates only that field', async () => {
    const fake = createFakeIo();
    const { client, calls } = createAdminClient();
    await runCli(['tenant', 'update', 'acme', '--no-kv'], fake.io, { createClient: () => client });
    expect(calls[0]).toEqual({ method: 'tenants.update', args: ['acme', { capabilities: { kv: false } }] });
  });
});

describe('the names exec uses work for the same things elsewhere', () => {
  it('tenant --timeout sets the wall-time quota, as --wall does', async () => {
    const fake = createFakeIo();
    const { client, calls } = createAdminClient();
    await runCli(['tenant', 'update', 'acme', '--timeout', '2000'], fake.io, { createClient: () => client });
    expect(calls[0]).toEqual({ method: 'tenants.update', args: ['acme', { quotas: { wallTimeMs: 2000 } }] });
    const clash = createFakeIo();
    expect(
      await runCli(['tenant', 'update', 'acme', '--wall', '1', '--timeout', '2'], clash.io, {
        createClient: () => client,
      }),
    ).toBe(2);
    expect(clash.stderr()).toContain('--wall and --timeout are the same quota');
  });

  it('fn invoke --input is the event, as --event is', async () => {
    const fake = createFakeIo();
    const { client, calls } = createAdminClient();
    await runCli(['fn', 'invoke', 'hello', '--tenant', 'f', '--input', '{"n": 1}'], fake.io, {
      createClient: () => client,
    });
    expect(calls[0]).toMatchObject({ method: 'functions.invoke', args: ['hello', { n: 1 }, {}] });
  });
});

describe('messages name the right flag and suggest what works', () => {
  it.each([
    [['fn', 'invoke', 'hello', '--event', '{bad'], /the event from --event is not valid JSON .*--event '/],
    [
      ['fn', 'invoke', 'hello', '--event', '@nope.json'],
      /cannot read --event file 'nope.json': no such file/,
    ],
    [['exec', '-', '--memory', '1'], /--memory expects an integer from 8 to 4096 \(MiB\)/],
    [['exec', '-', '--memory', '5000'], /--memory expects an integer from 8 to 4096/],
    [['exec', '-', '--timeout', '900001'], /--timeout expects an integer from 1 to 900000/],
    [['exec', '-', '--cpu', '0'], /--cpu expects an integer from 1 to 900000/],
    [['repl', '--memory', '1'], /--memory expects an integer from 8 to 4096/],
    [['fn', 'deploy', 'f', 'a.js', '--memory', '1'], /--memory expects an integer from 8 to 4096/],
    [['fn', 'invoke', 'f', '--cpu', '0'], /--cpu expects an integer from 1 to 900000/],
    [['tenant', 'create', 't', '--memory', '1'], /--memory expects an integer from 8 to 4096/],
    [['tenant', 'update', 't', '--wall', '900001'], /--wall expects an integer from 1 to 900000/],
    [['top', '--interval', '50'], /--interval expects an integer of at least 200 \(milliseconds\)/],
    [
      ['fn', 'rollback', 'calc', 'abc'],
      /VERSION must be a positive integer \(a version number\), e.g. vmctl fn rollback NAME 1/,
    ],
    [['fn', 'invoke', 'calc', '--version', 'x'], /--version must be a positive integer \(a version number\)/],
  ])('vmctl %j', async (argv, message) => {
    const fake = createFakeIo({ files: { 'a.js': '1' } });
    const { client, calls } = createAdminClient();
    expect(await runCli(argv, fake.io, { createClient: () => client })).toBe(2);
    expect(fake.stderr()).toMatch(message);
    expect(calls).toEqual([]);
  });

  it.each([[['tenant', 'get', 'nosuch2']], [['key', 'list', 'nosuchx']], [['tenant', 'delete', 'x']]])(
    'vmctl %j: a missing tenant named as an argument is not about --tenant',
    async (argv) => {
      const fake = createFakeIo();
      const { client } = createAdminClient({
        tenantGet: platformError('TENANT_NOT_FOUND', "tenant 'nosuch2' was not found"),
      });
      const tenants = client.tenants as unknown as Record<string, unknown>;
      tenants.listKeys = platformError('TENANT_NOT_FOUND', "tenant 'nosuchx' was not found");
      tenants.delete = platformError('TENANT_NOT_FOUND', "tenant 'x' was not found");
      expect(await runCli(argv, fake.io, { createClient: () => client })).toBe(2);
      expect(fake.stderr()).toContain('hint: check the tenant name');
      expect(fake.stderr()).not.toContain('--tenant');
    },
  );

  it('a missing capability in local mode suggests granting it, not keys', async () => {
    const fake = createFakeIo({ files: { 'a.js': '1' } });
    const { client } = createAdminClient({
      deploy: platformError(
        'PERMISSION_DENIED',
        'the tenant is not granted the kv capability; an admin grants it with `vmctl tenant update TENANT --kv`',
      ),
    });
    const argv = ['fn', 'deploy', 'f', 'a.js', '--capability', 'kv', '--tenant', 'acme'];
    expect(await runCli(argv, fake.io, { createClient: () => client })).toBe(2);
    expect(fake.stderr()).toContain(
      'hint: grant the capability to the tenant: vmctl tenant update acme --kv',
    );
    expect(fake.stderr()).not.toMatch(/\bkey\b/);
  });

  it('key revoke of an unknown id points at `vmctl key list TENANT`, not an RPC', async () => {
    const fake = createFakeIo();
    const { client } = createAdminClient({
      revokeKey: platformError(
        'API_KEY_NOT_FOUND',
        "no API key has id 'bogus-id'; list the tenant's keys with ListApiKeys",
      ),
    });
    expect(await runCli(['key', 'revoke', 'bogus-id'], fake.io, { createClient: () => client })).toBe(2);
    expect(fake.stderr()).toContain("list the tenant's keys with `vmctl key list TENANT`");
    expect(fake.stderr()).not.toContain('ListApiKeys');
  });
});

describe('files that cannot be read', () => {
  it.each([
    [['exec', '/tmp'], 'cannot read /tmp: is a directory, not a file'],
    [['fn', 'deploy', 'x', 'nosuch.js'], 'cannot read nosuch.js: no such file'],
    [['fn', 'deploy', 'x', '/tmp'], 'cannot read /tmp: is a directory, not a file'],
  ])('vmctl %j: %s, exit 2', async (argv, message) => {
    const fake = createFakeIo();
    fake.io.readFile = async (path) => {
      const code = path === '/tmp' ? 'EISDIR' : 'ENOENT';
      throw Object.assign(new Error(`${code}: raw system text '${path}'`), { code });
    };
    const { client } = createAdminClient();
    expect(await runCli(argv, fake.io, { createClient: () => client })).toBe(2);
    expect(fake.stderr()).toContain(`vmctl: ${message}\n`);
    expect(fake.stderr()).not.toContain('raw system text');
  });
});

describe('fn help and deploy checks', () => {
  it('every fn command describes NAME; deploy shows no {} default and both capabilities', async () => {
    const rollback = createFakeIo();
    expect(await runCli(['fn', 'rollback', '--help'], rollback.io)).toBe(0);
    expect(rollback.stdout()).toMatch(/^\s+name\s+function name$/m);
    const deploy = createFakeIo();
    expect(await runCli(['fn', 'deploy', '--help'], deploy.io)).toBe(0);
    expect(deploy.stdout()).not.toContain('(default: {})');
    expect(deploy.stdout()).toMatch(/--capability <name...>[\s\S]*choices: "kv", "fetch"/);
  });

  it('a bundle without index.js and without --entry: a usage error that names --entry', async () => {
    const fake = createFakeIo({ files: { 'a.js': '1', 'b.js': '2' } });
    const { client, calls } = createAdminClient();
    expect(
      await runCli(['fn', 'deploy', 'two', 'a.js', 'b.js'], fake.io, { createClient: () => client }),
    ).toBe(2);
    expect(fake.stderr()).toContain('name the entry file with --entry FILE (one of a.js, b.js)');
    expect(calls).toEqual([]);
    const ok = createFakeIo({ files: { 'a.js': '1', 'b.js': '2' } });
    const argv = ['fn', 'deploy', 'two', 'a.js', 'b.js', '--entry', 'b.js'];
    expect(await runCli(argv, ok.io, { createClient: () => client })).toBe(0);
    expect(calls[0]?.args[2]).toMatchObject({ entry: 'b.js', env: {} });
  });

  it('a file named twice is one file of the bundle', async () => {
    const fake = createFakeIo({ files: { 'a.js': '1' } });
    const { client, calls } = createAdminClient();
    const argv = ['fn', 'deploy', 'once', 'a.js', './a.js'];
    expect(await runCli(argv, fake.io, { createClient: () => client })).toBe(0);
    expect(Object.keys(calls[0]?.args[1] as Record<string, string>)).toEqual(['a.js']);
    expect(fake.stdout()).toContain('(1 file)');
  });

  it('an unknown capability is refused before the daemon is called', async () => {
    const fake = createFakeIo({ files: { 'a.js': '1' } });
    const { client, calls } = createAdminClient();
    const argv = ['fn', 'deploy', 'f', 'a.js', '--capability', 'bogus'];
    expect(await runCli(argv, fake.io, { createClient: () => client })).toBe(2);
    expect(fake.stderr()).toMatch(/Allowed choices are kv, fetch/);
    expect(calls).toEqual([]);
  });

  it('a syntax error refused at deploy gets a code frame from the file sent', async () => {
    const fake = createFakeIo({ files: { 'broken.js': 'module.exports = () => {\n  return 1 +;\n};\n' } });
    const { client } = createAdminClient({
      deploy: platformError(
        'INVALID_ARGUMENT',
        'the bundle cannot be deployed: broken.js:2:13: Unexpected token',
      ),
    });
    expect(
      await runCli(['fn', 'deploy', 'broken', 'broken.js'], fake.io, { createClient: () => client }),
    ).toBe(2);
    expect(fake.stderr()).toContain(
      'broken.js:2:13: Unexpected token\n  2 |   return 1 +;\n    |             ^\n',
    );
  });
});

describe('vmctl fn invoke: output like exec', () => {
  const failed = {
    ok: false,
    failure: {
      kind: 'RUNTIME',
      name: 'TypeError',
      message: "Cannot read properties of null (reading 'y')",
      stack:
        "TypeError: Cannot read properties of null (reading 'y')\n    at exports.f (file:///tenant/lib.js:2:20)\n    at module.exports (file:///tenant/index.js:1:40)",
      line: 2,
      column: 20,
    },
    version: 3,
    warm: true,
    logs: [{ type: 'output', stream: 'stdout', level: 'log', text: 'hi', time: TIME }],
    metrics: METRICS,
  };

  it('--json: exec’s fields (value.json/preview, error with file/line/column, output with time), plus version and warm', async () => {
    const ok = createFakeIo();
    const { client } = createAdminClient({
      invoke: () => ({
        ok: true,
        value: { json: '{"n":1}', preview: '{ n: 1 }', hasJson: true, value: { n: 1 } },
        version: 2,
        warm: false,
        logs: [{ type: 'output', stream: 'stderr', level: 'warn', text: 'careful', time: TIME }],
        metrics: METRICS,
      }),
    });
    expect(await runCli(['--json', 'fn', 'invoke', 'f'], ok.io, { createClient: () => client })).toBe(0);
    const document = JSON.parse(ok.stdout()) as Record<string, unknown>;
    expect(document).toEqual({
      ok: true,
      value: { json: { n: 1 }, preview: '{ n: 1 }' },
      output: [{ stream: 'stderr', level: 'warn', text: 'careful', time: TIME.toISOString() }],
      metrics: METRICS,
      version: 2,
      warm: false,
    });
    expect(Object.keys(document)).toEqual(['ok', 'value', 'output', 'metrics', 'version', 'warm']);

    const bad = createFakeIo();
    const failing = createAdminClient({ invoke: () => failed }).client;
    expect(await runCli(['fn', 'invoke', 'f', '--json'], bad.io, { createClient: () => failing })).toBe(1);
    expect(JSON.parse(bad.stdout())).toEqual({
      ok: false,
      error: {
        kind: 'RUNTIME',
        name: 'TypeError',
        message: "Cannot read properties of null (reading 'y')",
        stack: failed.failure.stack,
        file: 'lib.js',
        line: 2,
        column: 20,
      },
      output: [{ stream: 'stdout', level: 'log', text: 'hi', time: TIME.toISOString() }],
      metrics: METRICS,
      version: 3,
      warm: true,
    });
  });

  it('a runtime error names the file of the first tenant frame, not the function', async () => {
    const fake = createFakeIo();
    const { client } = createAdminClient({ invoke: () => failed });
    expect(await runCli(['fn', 'invoke', 'errs'], fake.io, { createClient: () => client })).toBe(1);
    expect(fake.stderr()).toBe(
      "TypeError: Cannot read properties of null (reading 'y') (lib.js:2:20)\n" +
        '    at exports.f (file:///tenant/lib.js:2:20)\n' +
        '    at module.exports (file:///tenant/index.js:1:40)\n',
    );
  });
});

describe('vmctl repl --json', () => {
  it.each([[['--json', 'repl']], [['repl', '--json']]])(
    'vmctl %j is a usage error (a session is not one JSON document)',
    async (argv) => {
      const fake = createFakeIo();
      const { client, calls } = createAdminClient();
      expect(await runCli(argv, fake.io, { createClient: () => client })).toBe(2);
      expect(fake.stderr()).toContain('--json does not apply to repl');
      expect(fake.stdout()).toBe('');
      expect(calls).toEqual([]);
    },
  );
});
