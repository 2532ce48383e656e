import { runCli, startDaemon, type RunningDaemon } from '@vmd/testkit';
import { afterAll, beforeAll, expect, it } from 'vitest';

/** vmctl against a daemon in secure mode: the admin makes a tenant and a key; the key runs code. */
const ADMIN = 'e2e-admin-token-0123456789abcdef';
let daemon: RunningDaemon;
beforeAll(async () => {
  daemon = await startDaemon({ workers: 1, args: ['--auth'], env: { VMD_ADMIN_TOKEN: ADMIN } });
});
afterAll(async () => {
  await daemon.stop();
});

it('runs code with a tenant key made by the admin; refuses it without one', async () => {
  const as = (key: string | undefined) => ({
    env: { VMD_ADDR: daemon.address, ...(key === undefined ? {} : { VMD_API_KEY: key }) },
  });
  expect((await runCli(['tenant', 'create', 'acme'], as(ADMIN))).code).toBe(0);
  const key = (await runCli(['key', 'create', 'acme'], as(ADMIN))).stdout.trim();
  const ok = await runCli(['exec', '-'], { ...as(key), input: 'console.log("hi"); 6 * 7' });
  expect(ok).toMatchObject({ code: 0, stdout: 'hi\n42\n' });
  const anonymous = await runCli(['--tenant', 'acme', 'exec', '-'], { ...as(undefined), input: '1' });
  expect(anonymous.code).toBe(2);
  expect(anonymous.stderr).toContain('secure mode');
  const tenantAsAdmin = await runCli(['tenant', 'list'], as(key));
  expect(tenantAsAdmin.code).toBe(2);
  expect(tenantAsAdmin.stderr).toContain('admin token');
});
