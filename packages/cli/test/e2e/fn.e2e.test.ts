import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCli, startDaemon, type RunningDaemon } from '@vmd/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/** `vmctl fn …`, the real binary against a real daemon. */
let daemon: RunningDaemon;
let dir: string;
const vmctl = (...args: string[]) =>
  runCli(['--tenant', 'fn-e2e', ...args], { env: { VMD_ADDR: daemon.address } });

beforeAll(async () => {
  daemon = await startDaemon({ workers: 1 });
  dir = mkdtempSync(path.join(os.tmpdir(), 'vmctl-fn-'));
  mkdirSync(path.join(dir, 'lib'));
  writeFileSync(
    path.join(dir, 'index.js'),
    "const { shout } = require('./lib/shout');\nmodule.exports = async (event, ctx) => { console.log('got', event.name); return shout(ctx.env.GREETING + ' ' + event.name); };\n",
  );
  writeFileSync(path.join(dir, 'lib', 'shout.js'), 'exports.shout = (s) => s.toUpperCase();\n');
  writeFileSync(path.join(dir, 'broken.js'), 'module.exports = () => {\n  return 1 +;\n};\n');
  writeFileSync(path.join(dir, 'event.json'), '{"name": "file"}');
  mkdirSync(path.join(dir, 'errs', 'lib'), { recursive: true });
  writeFileSync(
    path.join(dir, 'errs', 'index.js'),
    "const { pick } = require('./lib/pick');\nmodule.exports = async (event) => { console.log('picking'); return pick(event); };\n",
  );
  writeFileSync(
    path.join(dir, 'errs', 'lib', 'pick.js'),
    'exports.pick = (event) => {\n  return event.x.y;\n};\n',
  );
});
afterAll(async () => {
  await daemon.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('vmctl fn', () => {
  it('deploys a bundle with env, invokes it (logs live, result), lists and shows it', async () => {
    const deployed = await vmctl(
      'fn',
      'deploy',
      'greet',
      path.join(dir, 'index.js'),
      path.join(dir, 'lib', 'shout.js'),
      '--env',
      'GREETING=hello',
      '--timeout',
      '2000',
    );
    expect(deployed).toMatchObject({
      code: 0,
      stdout: 'deployed greet version 1 (2 files); it is now active\n',
    });
    const invoked = await vmctl('fn', 'invoke', 'greet', '--event', '{"name":"vmd"}');
    expect(invoked.code).toBe(0);
    expect(invoked.stdout).toBe("got vmd\n'HELLO VMD'\n");
    expect(invoked.stderr).toMatch(/version 1, cold start/);
    const fromFile = await vmctl(
      '--json',
      'fn',
      'invoke',
      'greet',
      '--event',
      `@${path.join(dir, 'event.json')}`,
    );
    expect(JSON.parse(fromFile.stdout)).toMatchObject({
      ok: true,
      value: { json: 'HELLO FILE', preview: "'HELLO FILE'" },
      output: [{ stream: 'stdout', level: 'log', text: 'got file' }],
      warm: true,
      version: 1,
    });
    const list = await vmctl('fn', 'list');
    expect(list.stdout).toMatch(/│ greet\s+│ 1\s+│ 1\s+│/);
    const got = await vmctl('fn', 'get', 'greet');
    expect(got.stdout).toMatch(/^files\s+index\.js \(\d+ bytes\), lib\/shout\.js/m);
  });

  it('versions and rollback', async () => {
    await vmctl(
      'fn',
      'deploy',
      'greet',
      path.join(dir, 'index.js'),
      path.join(dir, 'lib', 'shout.js'),
      '--env',
      'GREETING=bye',
    );
    expect((await vmctl('fn', 'invoke', 'greet', '--event', '{"name":"x"}')).stdout).toContain("'BYE X'");
    const versions = await vmctl('fn', 'versions', 'greet');
    expect(versions.stdout).toMatch(/│ 2\s+│ index\.js .*│ active/);
    // --version N after the command is the function's version, not vmctl's
    const v1 = await vmctl('fn', 'invoke', 'greet', '--event', '{"name":"x"}', '--version', '1');
    expect(v1).toMatchObject({ code: 0, stdout: "got x\n'HELLO X'\n" });
    expect(v1.stderr).toMatch(/^version 1, /);
    const badVersion = await vmctl('fn', 'rollback', 'greet', 'abc');
    expect(badVersion.code).toBe(2);
    expect(badVersion.stderr).toContain('VERSION must be a positive integer (a version number)');
    expect((await vmctl('fn', 'rollback', 'greet', '1')).stdout).toBe('greet: version 1 is active again\n');
    expect((await vmctl('fn', 'invoke', 'greet', '--event', '{"name":"x"}')).stdout).toContain("'HELLO X'");
    expect(await runCli(['--version'], {})).toMatchObject({
      code: 0,
      stdout: expect.stringMatching(/^\d+\.\d+\.\d+\n$/),
    });
  });

  it('refuses a syntax error at deploy with file:line:column, exit 2; a failing handler exits 1', async () => {
    const bad = await vmctl('fn', 'deploy', 'broken', path.join(dir, 'broken.js'));
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/broken\.js:2:\d+: Unexpected token/);
    expect(bad.stderr).toContain('  2 |   return 1 +;\n');
    const failing = await vmctl('fn', 'invoke', 'greet', '--event', 'null');
    expect(failing.code).toBe(1);
    expect(failing.stderr).toContain('TypeError');
  });

  it('a runtime error names the file and line of the throwing frame, as exec does; --json has exec’s shape', async () => {
    const deployed = await vmctl(
      'fn',
      'deploy',
      'errs',
      path.join(dir, 'errs', 'index.js'),
      path.join(dir, 'errs', 'lib', 'pick.js'),
    );
    expect(deployed.code).toBe(0);
    const human = await vmctl('fn', 'invoke', 'errs');
    expect(human.code).toBe(1);
    expect(human.stdout).toBe('picking\n');
    expect(human.stderr).toMatch(
      /^TypeError: Cannot read properties of null \(reading 'x'\) \(lib\/pick\.js:2:\d+\)$/m,
    );
    expect(human.stderr).not.toContain('(errs:');
    const json = await vmctl('--json', 'fn', 'invoke', 'errs');
    expect(json.code).toBe(1);
    const doc = JSON.parse(json.stdout) as Record<string, unknown>;
    expect(doc).toMatchObject({
      ok: false,
      error: { kind: 'RUNTIME', name: 'TypeError', file: 'lib/pick.js', line: 2 },
      output: [{ stream: 'stdout', level: 'log', text: 'picking' }],
      version: 1,
    });
    expect(Object.keys(doc)).toEqual(['ok', 'error', 'output', 'metrics', 'version', 'warm']);
    const [line] = doc.output as { time: string }[];
    expect(Number.isNaN(Date.parse(line?.time ?? ''))).toBe(false);
  });

  it('deploy and invoke usage errors name the flag: files, --entry, --event, capabilities', async () => {
    const missing = await vmctl('fn', 'deploy', 'x', path.join(dir, 'nosuch.js'));
    expect(missing).toMatchObject({ code: 2, stdout: '' });
    expect(missing.stderr).toContain(`cannot read ${path.join(dir, 'nosuch.js')}: no such file\n`);
    const directory = await vmctl('fn', 'deploy', 'x', path.join(dir, 'lib'));
    expect(directory.stderr).toContain('is a directory, not a file');
    const noEntry = await vmctl(
      'fn',
      'deploy',
      'two',
      path.join(dir, 'broken.js'),
      path.join(dir, 'event.json'),
    );
    expect(noEntry.code).toBe(2);
    expect(noEntry.stderr).toContain('name the entry file with --entry FILE (one of broken.js, event.json)');
    const badEvent = await vmctl('fn', 'invoke', 'errs', '--event', '{bad');
    expect(badEvent.code).toBe(2);
    expect(badEvent.stderr).toContain('the event from --event is not valid JSON');
    expect(badEvent.stderr).not.toContain('--input');
    const noFile = await vmctl('fn', 'invoke', 'errs', '--event', '@nope.json');
    expect(noFile.stderr).toContain("cannot read --event file 'nope.json': no such file");
    // local mode, a tenant without kv: the hint grants it and says nothing about keys
    const kv = await vmctl('fn', 'deploy', 'kv', path.join(dir, 'lib', 'shout.js'), '--capability', 'kv');
    expect(kv.code).toBe(2);
    expect(kv.stderr).toContain('PERMISSION_DENIED');
    expect(kv.stderr).toContain('hint: grant the capability to the tenant: vmctl tenant update fn-e2e --kv');
    expect(kv.stderr).not.toContain('this key');
  });

  it('deletes; invoking then exits 2 saying it was not found', async () => {
    expect((await vmctl('fn', 'delete', 'greet')).stdout).toBe('deleted function greet\n');
    const gone = await vmctl('fn', 'invoke', 'greet');
    expect(gone.code).toBe(2);
    expect(gone.stderr).toContain("function 'greet' of tenant 'fn-e2e' was not found");
  });
});
