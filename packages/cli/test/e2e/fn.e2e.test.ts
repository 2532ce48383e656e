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
      value: 'HELLO FILE',
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
    expect((await vmctl('fn', 'rollback', 'greet', '1')).stdout).toBe('greet: version 1 is active again\n');
    expect((await vmctl('fn', 'invoke', 'greet', '--event', '{"name":"x"}')).stdout).toContain("'HELLO X'");
  });

  it('refuses a syntax error at deploy with file:line:column, exit 2; a failing handler exits 1', async () => {
    const bad = await vmctl('fn', 'deploy', 'broken', path.join(dir, 'broken.js'));
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/broken\.js:2:\d+: Unexpected token/);
    const failing = await vmctl('fn', 'invoke', 'greet', '--event', 'null');
    expect(failing.code).toBe(1);
    expect(failing.stderr).toContain('TypeError');
  });

  it('deletes; invoking then exits 2 saying it was not found', async () => {
    expect((await vmctl('fn', 'delete', 'greet')).stdout).toBe('deleted function greet\n');
    const gone = await vmctl('fn', 'invoke', 'greet');
    expect(gone.code).toBe(2);
    expect(gone.stderr).toContain("function 'greet' of tenant 'fn-e2e' was not found");
  });
});
