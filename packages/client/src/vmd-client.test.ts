import { describe, expect, it } from 'vitest';
import { VmdClientError } from './errors.js';
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

  it.each(['ключ', 'abc\tdef', 'two\nlines', 'with space'])(
    'refuses an API key no daemon could be sent (%j), without printing it',
    (apiKey) => {
      const err = (() => {
        try {
          new VmdClient({ apiKey }).close();
        } catch (e) {
          return e as VmdClientError;
        }
        throw new Error('expected the constructor to throw');
      })();
      expect(err).toMatchObject({ code: 'INVALID_ARGUMENT', field: 'apiKey' });
      expect(err.message).not.toContain(apiKey);
    },
  );

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

  it('out-of-range REPL and monitor options fail with INVALID_ARGUMENT naming the option', async () => {
    const client = new VmdClient({ address: '127.0.0.1:56997' });
    await expect(client.repl({ limits: { memoryMib: -5 } })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      field: 'limits.memoryMib',
    });
    const watch = client.monitor.watch({ intervalMs: -1 });
    await expect(watch.next()).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', field: 'intervalMs' });
    client.close();
  });
});

describe('a closed VmdClient', () => {
  // Nothing listens on this port: a call that is sent fails with UNAVAILABLE, never hangs.
  const address = '127.0.0.1:56998';
  const closedMessage = 'CANCELLED: this client was closed; create a new VmdClient';

  it('fails every call the same way, whatever was called before close()', async () => {
    const client = new VmdClient({ address, defaultUnaryTimeoutMs: 2000 });
    const before = Promise.allSettled([
      client.run('1', { timeoutMs: 1000 }),
      client.health(),
      client.functions.invoke('hello', null, { timeoutMs: 1000, onLog: () => {} }),
    ]);
    client.close();
    const calls: Array<[string, () => Promise<unknown>]> = [
      ['run', () => client.run('1')],
      ['execute', () => client.execute('1').outcome],
      ['health', () => client.health()],
      ['repl', () => client.repl()],
      ['functions.invoke', () => client.functions.invoke('hello')],
      ['functions.invoke onLog', () => client.functions.invoke('hello', null, { onLog: () => {} })],
      ['functions.deploy', () => client.functions.deploy('hello', 'x')],
      ['functions.list', () => client.functions.list()],
      ['tenants.get', () => client.tenants.get('acme')],
      ['tenants.update', () => client.tenants.update('acme', { displayName: 'A' })],
      ['monitor.stats', () => client.monitor.stats()],
      ['monitor.watch', () => client.monitor.watch().next()],
    ];
    for (const [name, call] of calls) {
      let promise: Promise<unknown> | undefined;
      expect(() => (promise = call()), name).not.toThrow();
      const err = await promise!.then(
        () => 'resolved',
        (e: unknown) => e,
      );
      expect(err, name).toBeInstanceOf(VmdClientError);
      expect((err as Error).message, name).toBe(closedMessage);
    }
    await before;
  });
});
