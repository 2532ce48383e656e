import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { credentials, type ServiceError } from '@grpc/grpc-js';
import { FunctionServiceClient, Tenant, TenantServiceClient } from '@vmd/client/wire';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestDaemon, Status, unaryCall, type TestDaemon } from './helpers.js';

/**
 * A tenant's code_bytes quota cannot promise more than the daemon accepts (`maxCodeBytes`, which
 * every Execute, REPL input and deploy is held to): TenantService refuses it, naming the field,
 * the daemon's limit and how to raise it. A real daemon (`--max-code-bytes 4096`) on a real
 * SQLite file.
 */
type Tenants = InstanceType<typeof TenantServiceClient>;
type Functions = InstanceType<typeof FunctionServiceClient>;

let dataDir: string;
let d: TestDaemon | undefined;
let tenants: Tenants | undefined;
let functions: Functions | undefined;

const open = async (
  args: string[] = [],
): Promise<{ d: TestDaemon; tenants: Tenants; functions: Functions }> => {
  d = await startTestDaemon({ workers: 1, args: ['--data-dir', dataDir, ...args] });
  tenants = new TenantServiceClient(d.address, credentials.createInsecure());
  functions = new FunctionServiceClient(d.address, credentials.createInsecure());
  return { d, tenants, functions };
};
const close = async (): Promise<void> => {
  tenants?.close();
  functions?.close();
  await d?.stop();
  d = undefined;
};

async function failure(
  p: Promise<unknown>,
): Promise<{ code: number; vmdCode: string | undefined; field: string | undefined; details: string }> {
  try {
    await p;
  } catch (err) {
    const e = err as ServiceError;
    return {
      code: e.code,
      vmdCode: e.metadata?.get('vmd-error-code')[0]?.toString(),
      field: e.metadata?.get('vmd-error-field')[0]?.toString(),
      details: e.details,
    };
  }
  throw new Error('expected the call to fail');
}

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'vmd-code-bytes-'));
});
afterAll(async () => {
  await close();
  await rm(dataDir, { recursive: true, force: true });
});

describe("a code_bytes quota above the daemon's maxCodeBytes", () => {
  it('is refused on create and update, naming the field, the limit and what to do', async () => {
    const { tenants: t } = await open(['--max-code-bytes', '4096']);
    const create = await failure(
      unaryCall(t, t.createTenant, {
        tenant: Tenant.fromPartial({ name: 'big', quotas: { codeBytes: 8192 } }),
      }),
    );
    expect(create).toMatchObject({
      code: Status.INVALID_ARGUMENT,
      vmdCode: 'INVALID_ARGUMENT',
      field: 'tenant.quotas.code_bytes',
    });
    expect(create.details).toBe(
      "tenant.quotas.code_bytes is 8192, more than this daemon accepts (its maxCodeBytes is 4096 bytes); use at most 4096, or raise the daemon's limit first (vmd serve --max-code-bytes, VMD_MAX_CODE_BYTES or maxCodeBytes in its config file)",
    );
    expect((await failure(unaryCall(t, t.getTenant, { name: 'big' }))).vmdCode).toBe('TENANT_NOT_FOUND');

    // At the limit, or left at 0 (the default: the daemon's limit), it is what applies.
    const { tenant: atLimit } = await unaryCall(t, t.createTenant, {
      tenant: Tenant.fromPartial({ name: 'edge', quotas: { codeBytes: 4096 } }),
    });
    expect(atLimit?.quotas?.codeBytes).toBe(4096);
    const { tenant: byDefault } = await unaryCall(t, t.createTenant, {
      tenant: Tenant.fromPartial({ name: 'plain' }),
    });
    expect(byDefault?.quotas?.codeBytes).toBe(4096);

    const update = await failure(
      unaryCall(t, t.updateTenant, {
        tenant: Tenant.fromPartial({ name: 'edge', quotas: { codeBytes: 4097 } }),
        updateMask: ['quotas.code_bytes'],
      }),
    );
    expect(update).toMatchObject({ code: Status.INVALID_ARGUMENT, field: 'tenant.quotas.code_bytes' });
    expect(update.details).toContain('more than this daemon accepts (its maxCodeBytes is 4096 bytes)');
    const { tenant } = await unaryCall(t, t.getTenant, { name: 'edge' });
    expect(tenant?.quotas?.codeBytes).toBe(4096);
    await close();
  });

  it('stored by an earlier start with a larger limit: a warning at start, and deploys are held to the limit', async () => {
    const first = await open();
    await unaryCall(first.tenants, first.tenants.createTenant, {
      tenant: Tenant.fromPartial({ name: 'roomy', quotas: { codeBytes: 65_536 } }),
    });
    await close();

    const second = await open(['--max-code-bytes', '4096']);
    const warned = second.d.logs.filter((l) => l.msg === 'tenant code_bytes quota above maxCodeBytes');
    expect(warned).toEqual([
      expect.objectContaining({ level: 40, tenant_id: 'roomy', code_bytes: 65_536, max_code_bytes: 4096 }),
    ]);
    // A daemon setting, not the tenant's: the stored quota is kept for a daemon with a larger one.
    const { tenant } = await unaryCall(second.tenants, second.tenants.getTenant, { name: 'roomy' });
    expect(tenant?.quotas?.codeBytes).toBe(65_536);

    const deploy = await failure(
      unaryCall(second.functions, second.functions.deployFunction, {
        tenant: 'roomy',
        name: 'wide',
        files: [{ path: 'index.js', content: `module.exports = () => '${'x'.repeat(5000)}';` }],
        entry: '',
        config: undefined,
      }),
    );
    expect(deploy).toMatchObject({
      code: Status.INVALID_ARGUMENT,
      vmdCode: 'CODE_TOO_LARGE',
      field: 'files',
    });
    expect(deploy.details).toContain('more than this daemon accepts (its maxCodeBytes is 4096 bytes)');
    await close();
  });
});
