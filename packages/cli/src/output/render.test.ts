import { VmdClientError, type ExecutionFailure, type ExecutionOutcome } from '@vmd/client';
import { describe, expect, it } from 'vitest';
import { METRICS, TIME } from '../../test/helpers/fakes.js';
import { createColors } from './colors.js';
import {
  formatClientError,
  formatCodeFrame,
  formatFailure,
  formatResult,
  locateFailure,
  renderJson,
  toExecJsonReport,
} from './render.js';

const plain = createColors(false);
const colored = createColors(true);
const failure = (overrides: Partial<ExecutionFailure>): ExecutionFailure => ({
  kind: 'RUNTIME',
  name: 'Error',
  message: 'boom',
  stack: '',
  line: undefined,
  column: undefined,
  ...overrides,
});

describe('--json report', () => {
  const output = [
    { type: 'output' as const, stream: 'stdout' as const, level: 'log', text: 'hi', time: TIME },
    { type: 'output' as const, stream: 'stderr' as const, level: 'warn', text: 'careful', time: TIME },
  ];

  it('success: ok, value (parsed json + preview), output, metrics', () => {
    const outcome: ExecutionOutcome = {
      ok: true,
      value: { json: '{"n":1}', preview: '{ n: 1 }', hasJson: true, value: { n: 1 } },
      metrics: METRICS,
      executionId: 'ex-1',
    };
    const report = toExecJsonReport(outcome, output);
    expect(report).toEqual({
      ok: true,
      value: { json: { n: 1 }, preview: '{ n: 1 }' },
      output: [
        { stream: 'stdout', level: 'log', text: 'hi', time: '2026-01-02T03:04:05.678Z' },
        { stream: 'stderr', level: 'warn', text: 'careful', time: '2026-01-02T03:04:05.678Z' },
      ],
      metrics: METRICS,
      executionId: 'ex-1',
    });
    expect(Object.keys(report)).toEqual(['ok', 'value', 'output', 'metrics', 'executionId']);
    expect(JSON.parse(renderJson(report))).toEqual(report);
    expect(renderJson(report).endsWith('}\n')).toBe(true);
  });

  it('a value without JSON form has only a preview', () => {
    const report = toExecJsonReport(
      {
        ok: true,
        value: { json: '', preview: 'undefined', hasJson: false, value: undefined },
        metrics: METRICS,
        executionId: '',
      },
      [],
    );
    expect(report.value).toEqual({ preview: 'undefined' });
  });

  it('failure: ok false, error with kind/name/message/stack/line/column (null when unknown)', () => {
    const report = toExecJsonReport(
      {
        ok: false,
        failure: failure({ kind: 'TIMEOUT', name: 'TimeoutError', message: 'too slow' }),
        metrics: METRICS,
        executionId: 'e',
      },
      output,
    );
    expect(report.error).toEqual({
      kind: 'TIMEOUT',
      name: 'TimeoutError',
      message: 'too slow',
      stack: '',
      file: null,
      line: null,
      column: null,
    });
    expect(Object.keys(report)).toEqual(['ok', 'error', 'output', 'metrics', 'executionId']);
  });
});

describe('human rendering', () => {
  it('results: nothing for undefined, preview otherwise, coloured by type only when enabled', () => {
    expect(
      formatResult({ json: '', preview: 'undefined', hasJson: false, value: undefined }, colored),
    ).toBeUndefined();
    expect(formatResult({ json: '42', preview: '42', hasJson: true, value: 42 }, plain)).toBe('42\n');
    expect(formatResult({ json: '42', preview: '42', hasJson: true, value: 42 }, colored)).toBe(
      '\u001b[33m42\u001b[39m\n',
    );
    expect(formatResult({ json: '"a"', preview: "'a'", hasJson: true, value: 'a' }, colored)).toBe(
      "\u001b[32m'a'\u001b[39m\n",
    );
    expect(formatResult({ json: '{}', preview: '{}', hasJson: true, value: {} }, colored)).toBe('{}\n');
  });

  it('a syntax error shows the location, the line and a caret', () => {
    const source = 'const a = 1;\nconst b = 2;\nlet x = ;\n';
    expect(
      formatFailure(
        failure({ kind: 'SYNTAX', name: 'SyntaxError', message: 'Unexpected token', line: 3, column: 9 }),
        { 'main.js': source },
        'main.js',
        plain,
      ),
    ).toMatchInlineSnapshot(`
        "SyntaxError: Unexpected token (main.js:3:9)
          3 | let x = ;
            |         ^
        "
      `);
  });

  it('a runtime error adds the tenant stack frames', () => {
    const text = formatFailure(
      failure({
        name: 'TypeError',
        message: 'f is not a function',
        stack: 'TypeError: f is not a function\n    at g (main.js:2:3)\n    at main.js:4:1',
        line: 2,
        column: 3,
      }),
      { 'main.js': 'function g() {\n  f();\n}\ng();' },
      'main.js',
      plain,
    );
    expect(text).toMatchInlineSnapshot(`
      "TypeError: f is not a function (main.js:2:3)
        2 |   f();
          |   ^
          at g (main.js:2:3)
          at main.js:4:1
      "
    `);
  });

  it('limit failures print the kind and a hint', () => {
    expect(
      formatFailure(
        failure({ kind: 'TIMEOUT', name: 'TimeoutError', message: 'wall-time limit of 100 ms exceeded' }),
        { 'main.js': 'x' },
        'main.js',
        plain,
      ),
    ).toBe(
      'TIMEOUT: wall-time limit of 100 ms exceeded\nhint: raise the limit with --timeout MS; the tenant quota caps it\n',
    );
    expect(
      formatFailure(
        failure({ kind: 'CPU_LIMIT', name: 'CpuLimitError', message: 'cpu limit' }),
        {},
        'main.js',
        plain,
      ),
    ).toBe('CPU_LIMIT: cpu limit\nhint: raise the limit with --cpu MS; the tenant quota caps it\n');
    expect(
      formatFailure(failure({ kind: 'MEMORY_LIMIT', message: 'heap limit' }), {}, 'main.js', plain),
    ).toContain('--memory MIB');
  });

  it('a function failure (no single file): the file of the first tenant frame, else the line alone', () => {
    const stack =
      'TypeError: x\n    at JSON.parse (<anonymous>)\n    at f (file:///tenant/lib/util.js:7:3)\n    at file:///tenant/index.js:1:1';
    expect(locateFailure(failure({ stack, line: 7, column: 3 }), undefined)).toEqual({
      file: 'lib/util.js',
      line: 7,
      column: 3,
    });
    expect(formatFailure(failure({ line: 4, column: 2 }), {}, undefined, plain)).toBe(
      'Error: boom (line 4:2)\n',
    );
    expect(formatFailure(failure({}), {}, undefined, plain)).toBe('Error: boom\n');
    // with the one file of `vmctl exec`, its line and column are used as they are
    expect(locateFailure(failure({ stack, line: 2, column: 9 }), 'main.js')).toEqual({
      file: 'main.js',
      line: 2,
      column: 9,
    });
  });

  it('code frames keep tabs and skip lines that do not exist', () => {
    expect(formatCodeFrame('\tfoo(;', 1, 6, plain)).toBe('  1 | \tfoo(;\n    | \t    ^');
    expect(formatCodeFrame('one line', 5, 1, plain)).toBeUndefined();
    // A binary file: control characters as U+FFFD, the caret still under its column.
    expect(formatCodeFrame('ab\x00\x1bcd\x7f!', 1, 8, plain)).toBe(
      '  1 | ab\ufffd\ufffdcd\ufffd!\n    |        ^',
    );
    // A long (minified) line: a window around the column, marked where it was cut.
    const long = `${'a'.repeat(500)}?${'b'.repeat(500)}`;
    const frame = formatCodeFrame(long, 1, 501, plain)!;
    const [code, caret] = frame.split('\n');
    expect(code!.length).toBeLessThan(180);
    expect(code).toMatch(/^ {2}1 \| … a+\?b+ …$/);
    expect(caret!.indexOf('^')).toBe(code!.indexOf('?'));
    expect(formatCodeFrame('abc', 1, undefined, plain)).toBe('  1 | abc');
  });

  it('an unreachable daemon: what went wrong and what to do', () => {
    const error = VmdClientError.fromServiceError(
      {
        code: 14,
        details:
          'No connection established. Last error: Error: connect ECONNREFUSED 127.0.0.1:50051. Resolution note: ',
      },
      { address: '127.0.0.1:50051' },
    );
    expect(formatClientError(error, { addressSource: 'default' }, plain)).toBe(
      'vmctl: cannot reach vmd at 127.0.0.1:50051 (connect ECONNREFUSED 127.0.0.1:50051) — start it with `vmd serve` or set VMD_ADDR (or --addr)\n',
    );
    expect(formatClientError(error, { addressSource: 'env:VMD_ADDR' }, plain)).toContain(
      '(address from VMD_ADDR)',
    );
  });

  it('TLS trouble and a dropped connection are not reported as an unreachable daemon', () => {
    const unavailable = (details: string) =>
      VmdClientError.fromServiceError({ code: 14, details }, { address: '127.0.0.1:50051' });
    const mtls = unavailable(
      'No connection established. Last error: Error: 40ED448CDC7F0000:error:0A00045C:SSL routines:ssl3_read_bytes:tlsv13 alert certificate required:../deps/openssl/openssl/ssl/record/rec_layer_s3.c:918:SSL alert number 116\n (2026-11-29T15:56:20.929Z). Resolution note: ',
    );
    expect(formatClientError(mtls, { addressSource: 'env:VMD_ADDR' }, plain)).toBe(
      "vmctl: vmd at 127.0.0.1:50051 requires a client certificate it trusts (mutual TLS) (tlsv13 alert certificate required): give the client a certificate signed by the daemon's client CA, and its key (tls.cert and tls.key; VMD_TLS_CERT and VMD_TLS_KEY for vmctl) (address from VMD_ADDR)\n",
    );
    expect(formatClientError(unavailable('Connection dropped'), {}, plain)).toBe(
      'vmctl: the connection to vmd at 127.0.0.1:50051 dropped during the call (Connection dropped): the daemon stopped or restarted, or the network failed; whether the call took effect is unknown\n',
    );
  });

  it('size errors hint at the limit their message names, not always at the tenant quota', () => {
    const tooLarge = (code: string, message: string) =>
      new VmdClientError({ code, grpcCode: 3, message, address: '127.0.0.1:50051' });
    const daemonLimit = formatClientError(
      tooLarge(
        'CODE_TOO_LARGE',
        'code is 2000000 bytes, more than this daemon accepts (its maxCodeBytes, 1048576)',
      ),
      {},
      plain,
    );
    expect(daemonLimit).toContain(
      'hint: make the code smaller, or ask an admin to raise the limit the message names',
    );
    expect(daemonLimit).not.toContain('tenant quota');
    const message = formatClientError(
      tooLarge('MESSAGE_TOO_LARGE', 'Received message larger than max (10485784 vs 8388608)'),
      {},
      plain,
    );
    expect(message).toContain('its maxMessageBytes, --max-message-bytes');
  });

  it('platform errors print the vmd code, the retry hint and the trace id', () => {
    const error = new VmdClientError({
      code: 'QUEUE_FULL',
      grpcCode: 8,
      message: "tenant 'acme' has 64 queued requests",
      retryAfterMs: 200,
      traceId: 'abc',
    });
    expect(formatClientError(error, {}, plain)).toBe(
      "vmctl: QUEUE_FULL: tenant 'acme' has 64 queued requests (retry after 200 ms)\n" +
        'hint: the tenant is over its quota right now; retry later\n' +
        'trace id: abc\n',
    );
    const missingTenant = new VmdClientError({
      code: 'INVALID_ARGUMENT',
      grpcCode: 3,
      message: 'a tenant is required',
      field: 'tenant',
    });
    expect(formatClientError(missingTenant, {}, plain)).toContain(
      'hint: pass --tenant NAME or set VMD_TENANT',
    );
  });
});
