import { VmdClientError } from '@vmd/client';
import { ErrorKind, OutputStream } from '@vmd/client/wire';
import { describe, expect, it } from 'vitest';
import { METRICS, TIME, createFakeClient, createFakeIo, type FakeCall } from '../test/helpers/fakes.js';
import { runCli } from './cli.js';

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
      /--timeout expects a positive integer \(milliseconds\), e.g. --timeout 5000[\s\S]*Usage: vmctl exec/,
    ],
    [['exec', 'a.js', '--memory', '0'], /--memory expects a positive integer \(MiB\)/],
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
