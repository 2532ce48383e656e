import { describe, expect, it } from 'vitest';
import { VmdClient } from './vmd-client.js';

// Constructing a client opens no socket (the channel connects on the first call).
describe('VmdClient (no network)', () => {
  it('resolves defaults and exposes the address', () => {
    const client = new VmdClient();
    expect(client.address).toBe('127.0.0.1:50051');
    expect(client.options.defaultUnaryTimeoutMs).toBe(10_000);
    client.close();
  });

  it('throws INVALID_ARGUMENT for a malformed address', () => {
    expect(() => new VmdClient({ address: 'http://x' })).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT', field: 'address' }) as Error,
    );
  });

  it('raw clients are created once and shared', () => {
    const client = new VmdClient({ address: 'unix:/tmp/nowhere.sock' });
    expect(client.raw.tenants).toBe(client.raw.tenants);
    expect(typeof client.raw.monitor.getStats).toBe('function');
    client.close();
  });

  it('invalid execute options fail the outcome without sending anything', async () => {
    const client = new VmdClient();
    const execution = client.execute('1', { timeoutMs: -5 });
    await expect(execution.outcome).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', field: 'timeoutMs' });
    await expect(client.run('1', { input: Symbol('x') })).rejects.toMatchObject({ field: 'input' });
    client.close();
  });

  it('an already-aborted signal fails with CANCELLED', async () => {
    const client = new VmdClient();
    const reason = new Error('stop');
    await expect(client.execute('1', { signal: AbortSignal.abort(reason) }).outcome).rejects.toMatchObject({
      code: 'CANCELLED',
      cause: reason,
    });
    await expect(client.health({ signal: AbortSignal.abort() })).rejects.toMatchObject({ code: 'CANCELLED' });
    client.close();
  });

  it('fromEnv reads the environment, explicit options win', () => {
    const client = VmdClient.fromEnv(
      { tenant: 'explicit' },
      { env: { VMD_ADDR: 'unix:/run/vmd.sock', VMD_TENANT: 'env' } },
    );
    expect(client.address).toBe('unix:/run/vmd.sock');
    expect(client.options.tenant).toBe('explicit');
    client.close();
  });
});
