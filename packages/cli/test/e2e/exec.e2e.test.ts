import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
// The testkit spawns the built vmctl (no import of cli code), so this edge is test-only.
import { normalizeCliOutput, runCli, startDaemon, type RunningDaemon } from '@vmd/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * The real, built `vmctl` against a real `vmd serve` (tools/testkit), one daemon per file.
 * Run with `nx run cli:e2e` (builds daemon, cli and testkit first).
 */

/** Tenant programs, written to a temporary directory (kept here, next to what they prove). */
const FIXTURES: Record<string, string> = {
  'hello.js': "console.log('one');\nconsole.log('two');\n'done';\n",
  'streams.js':
    "console.log('to stdout');\nconsole.error('to stderr');\nconsole.warn('also stderr');\nconsole.info('stdout again');\n",
  'value.js': "console.log('computing');\n({ sum: 1 + 2, list: [1, 'two', null] });\n",
  'syntax-error.js': 'const a = 1;\nconst b = ;\n',
  'throws.js': "function explode() {\n  throw new TypeError('nothing to see');\n}\nexplode();\n",
  'forever.js': "console.log('looping');\nwhile (true) {}\n",
  'add-input.js': 'input.a + input.b;\n',
  'double.mjs': 'export default function double(input) {\n  return input.n * 2;\n}\n',
  'input.json': '{"a": 40, "b": 2}\n',
};

let fixtures: string;
const fixture = (name: string): string => path.join(fixtures, name);

let daemon: RunningDaemon;
let env: Record<string, string>;

beforeAll(async () => {
  fixtures = await mkdtemp(path.join(os.tmpdir(), 'vmctl-e2e-'));
  for (const [name, source] of Object.entries(FIXTURES)) await writeFile(fixture(name), source);
  daemon = await startDaemon();
  env = { VMD_ADDR: daemon.address };
});

afterAll(async () => {
  await daemon?.stop();
  if (fixtures !== undefined) await rm(fixtures, { recursive: true, force: true });
});

/** `vmctl --tenant e2e …` against the test daemon. */
const vmctl = (args: string[], options: { input?: string; env?: Record<string, string> } = {}) =>
  runCli(['--tenant', 'e2e', ...args], {
    env: { ...env, ...options.env },
    ...(options.input === undefined ? {} : { input: options.input }),
  });

describe('vmctl exec', () => {
  it('prints console output in order, then the result; exit 0', async () => {
    const result = await vmctl(['exec', fixture('hello.js')]);
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe("one\ntwo\n'done'\n");
    expect(result.code).toBe(0);
  });

  it('keeps stdout and stderr apart', async () => {
    const result = await vmctl(['exec', fixture('streams.js')]);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('to stdout\nstdout again\n'); // an undefined result prints nothing
    expect(result.stderr).toBe('to stderr\nalso stderr\n');
  });

  it('--json prints exactly one document with value, output and metrics', async () => {
    const result = await vmctl(['exec', fixture('value.js'), '--json']);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    const document = JSON.parse(result.stdout) as Record<string, unknown>;
    expect(document).toMatchObject({
      ok: true,
      value: { json: { sum: 3, list: [1, 'two', null] } },
      output: [{ stream: 'stdout', level: 'log', text: 'computing' }],
    });
    expect(typeof (document.value as { preview: unknown }).preview).toBe('string');
    const [event] = document.output as { time: string }[];
    expect(Number.isNaN(Date.parse(event?.time ?? ''))).toBe(false);
    const metrics = document.metrics as Record<string, unknown>;
    for (const key of [
      'cpuTimeMs',
      'wallTimeMs',
      'queueWaitMs',
      'heapUsedBytes',
      'heapPeakBytes',
      'outputBytes',
    ]) {
      expect(typeof metrics[key]).toBe('number');
    }
    expect(document).not.toHaveProperty('error');
  });

  it('a syntax error: name, message, file:line:col, the line and a caret; exit 1', async () => {
    const result = await vmctl(['exec', fixture('syntax-error.js')]);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    const lines = normalizeCliOutput(result.stderr).split('\n');
    expect(lines[0]).toMatch(/^SyntaxError: .+ \(syntax-error\.js:2:\d+\)$/);
    expect(lines[1]).toBe('  2 | const b = ;');
    expect(lines[2]).toMatch(/^ {4}\| +\^$/);

    const json = await vmctl(['exec', fixture('syntax-error.js'), '--json']);
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toMatchObject({
      ok: false,
      error: { kind: 'SYNTAX', name: 'SyntaxError', file: 'syntax-error.js', line: 2 },
    });
  });

  it('an exception: the error and the tenant stack; exit 1', async () => {
    const result = await vmctl(['exec', fixture('throws.js')]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^TypeError: nothing to see \(throws\.js:2:\d+\)$/m);
    expect(result.stderr).toContain("  2 |   throw new TypeError('nothing to see');");
    expect(result.stderr).toMatch(/^\s+at explode \(.*throws\.js:2:\d+\)$/m);
    expect(result.stderr).not.toMatch(/node:internal|isolated-vm|packages\//);
  });

  it('--timeout ends a loop with TIMEOUT: exit 1, a hint, and the output before it', async () => {
    const result = await vmctl(['exec', fixture('forever.js'), '--timeout', '200']);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('looping\n');
    expect(result.stderr).toMatch(/^TIMEOUT: /);
    expect(result.stderr).toContain('hint: raise the limit with --timeout');

    const json = await vmctl(['exec', fixture('forever.js'), '--timeout', '200', '--json']);
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toMatchObject({
      ok: false,
      error: { kind: 'TIMEOUT' },
      output: [{ text: 'looping' }],
    });
  });

  it('--cpu ends a loop with CPU_LIMIT: exit 1 and a hint naming --cpu', async () => {
    const result = await vmctl(['exec', fixture('forever.js'), '--cpu', '100', '--json']);
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout)).toMatchObject({
      ok: false,
      error: {
        kind: 'CPU_LIMIT',
        name: 'CpuLimitError',
        message: 'The run exceeded its cpu limit of 100 ms of CPU time',
      },
    });
    const human = await vmctl(['exec', fixture('forever.js'), '--cpu', '100']);
    expect(human.code).toBe(1);
    expect(human.stderr).toMatch(/^CPU_LIMIT: The run exceeded its cpu limit of 100 ms/);
    expect(human.stderr).toContain('hint: raise the limit with --cpu MS');
  });

  it('--input as JSON text and as @file', async () => {
    const inline = await vmctl(['exec', fixture('add-input.js'), '--input', '{"a": 1, "b": 2}']);
    expect(inline).toMatchObject({ code: 0, stdout: '3\n' });
    const fromFile = await vmctl(['exec', fixture('add-input.js'), '--input', `@${fixture('input.json')}`]);
    expect(fromFile).toMatchObject({ code: 0, stdout: '42\n' });
  });

  it('an ES module (.mjs) returns its default export called with the input', async () => {
    const result = await vmctl(['exec', fixture('double.mjs'), '--input', '{"n": 21}']);
    expect(result).toMatchObject({ code: 0, stdout: '42\n', stderr: '' });
  });

  it("reads the code from stdin with '-'", async () => {
    const result = await vmctl(['exec', '-'], { input: 'console.log("from stdin"); 6 * 7' });
    expect(result).toMatchObject({ code: 0, stdout: 'from stdin\n42\n', stderr: '' });
  });

  it('a platform error prints the vmd code and exits 2', async () => {
    const result = await runCli(['exec', fixture('hello.js'), '--tenant', 'Not A Tenant'], { env });
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^vmctl: INVALID_ARGUMENT: .*tenant/m);
  });

  it('usage errors exit 2 with the usage line', async () => {
    const result = await vmctl(['exec', fixture('hello.js'), '--timeout', 'soon']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--timeout expects an integer from 1 to 900000 (milliseconds)');
    expect(result.stderr).toContain('Usage: vmctl exec [options] <file>');
  });

  it('limits outside their bounds are refused by vmctl, naming the flag; exit 2', async () => {
    for (const [flag, value, message] of [
      ['--memory', '1', '--memory expects an integer from 8 to 4096 (MiB)'],
      ['--memory', '0', '--memory expects an integer from 8 to 4096 (MiB)'],
      ['--cpu', '900001', '--cpu expects an integer from 1 to 900000 (milliseconds)'],
    ] as const) {
      const result = await vmctl(['exec', '-', flag, value], { input: '1' });
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(message);
      expect(result.stderr).not.toContain('INVALID_ARGUMENT');
    }
    expect(await vmctl(['exec', '-', '--memory', '8'], { input: '1' })).toMatchObject({
      code: 0,
      stdout: '1\n',
    });
  });

  it('a directory or a missing file: cannot read it, in words; exit 2', async () => {
    const directory = await vmctl(['exec', fixtures]);
    expect(directory.code).toBe(2);
    expect(directory.stderr).toContain(`vmctl: cannot read ${fixtures}: is a directory, not a file\n`);
    expect(directory.stderr).not.toContain('EISDIR');
    const missing = await vmctl(['exec', fixture('nope.js')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain(`vmctl: cannot read ${fixture('nope.js')}: no such file\n`);
  });

  it('an unreachable daemon: exit 2 and what to do', async () => {
    const result = await vmctl(['exec', fixture('hello.js')], { env: { VMD_ADDR: '127.0.0.1:1' } });
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^vmctl: cannot reach vmd at 127\.0\.0\.1:1 \(address from VMD_ADDR\)/);
    expect(result.stderr).toContain('start it with `vmd serve` or set VMD_ADDR');
  });

  it('Ctrl-C cancels the run and exits 130; the daemon keeps serving', async () => {
    // SIGINT well after vmctl has installed its handler and the loop has printed
    const result = await runCli(['--tenant', 'e2e', 'exec', fixture('forever.js'), '--timeout', '20000'], {
      env,
      onSpawn: (pid) => void setTimeout(() => process.kill(pid, 'SIGINT'), 1500),
    });
    expect(result.code).toBe(130);
    expect(result.stdout).toBe('looping\n');
    expect(result.stderr).toContain('interrupted; the execution was cancelled');
    expect(await daemon.client.health()).toBe('SERVING');
    const after = await vmctl(['exec', fixture('hello.js')]);
    expect(after.code).toBe(0);
  });
});

describe('vmctl health', () => {
  it('SERVING, exit 0; --json { status, address }', async () => {
    const human = await vmctl(['health']);
    expect(human).toMatchObject({ code: 0, stdout: 'SERVING\n', stderr: '' });
    const json = await vmctl(['health', '--json']);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual({ status: 'SERVING', address: daemon.address });
  });

  it('unreachable: exit 2 with the helpful message; --json says UNREACHABLE', async () => {
    const human = await runCli(['health', '--addr', '127.0.0.1:1'], {});
    expect(human.code).toBe(2);
    expect(human.stderr).toContain('cannot reach vmd at 127.0.0.1:1');
    expect(human.stderr).toContain('`vmd serve`');
    const json = await runCli(['health', '--json', '--addr', '127.0.0.1:1'], {});
    expect(json.code).toBe(2);
    expect(JSON.parse(json.stdout)).toMatchObject({ status: 'UNREACHABLE', address: '127.0.0.1:1' });
  });
});
