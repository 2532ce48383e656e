import { describe, expect, it } from 'vitest';
import { loadClientConfig } from './client-config.js';
import { VmdClientError } from './errors.js';

const files: Record<string, string> = {
  '/keys/acme': 'vmd_key_123\nignored second line\n',
  '/tls/ca.pem': 'CA PEM',
  '/tls/cert.pem': 'CERT PEM',
  '/tls/key.pem': 'KEY PEM',
};
const readFile = (path: string): string => {
  const text = files[path];
  if (text === undefined)
    throw Object.assign(new Error(`ENOENT: no such file, open '${path}'`), { code: 'ENOENT' });
  return text;
};

describe('loadClientConfig', () => {
  it('defaults to 127.0.0.1:50051, no key, no tenant, plaintext', () => {
    const { options, sources } = loadClientConfig({ env: {}, readFile });
    expect(options).toEqual({ address: '127.0.0.1:50051' });
    expect(sources).toEqual({ address: 'default', apiKey: 'default', tenant: 'default', tls: 'default' });
  });

  it('reads VMD_ADDR, VMD_API_KEY and VMD_TENANT', () => {
    const { options, sources } = loadClientConfig({
      env: { VMD_ADDR: 'unix:/run/vmd.sock', VMD_API_KEY: 'k', VMD_TENANT: 'acme' },
      readFile,
    });
    expect(options).toEqual({ address: 'unix:/run/vmd.sock', apiKey: 'k', tenant: 'acme' });
    expect(sources).toMatchObject({
      address: 'env:VMD_ADDR',
      apiKey: 'env:VMD_API_KEY',
      tenant: 'env:VMD_TENANT',
    });
  });

  it('precedence: flag > VMD_ADDR > VMD_ADDRESS > default', () => {
    const env = { VMD_ADDR: 'a:1', VMD_ADDRESS: 'b:2' };
    expect(loadClientConfig({ env, overrides: { address: 'c:3' }, readFile }).options.address).toBe('c:3');
    expect(loadClientConfig({ env, readFile }).options.address).toBe('a:1');
    expect(loadClientConfig({ env: { VMD_ADDRESS: 'b:2' }, readFile }).sources.address).toBe(
      'env:VMD_ADDRESS',
    );
    expect(loadClientConfig({ env: { VMD_ADDR: '  ' }, readFile }).options.address).toBe('127.0.0.1:50051');
  });

  it('precedence of the API key: flag > --api-key-file > VMD_API_KEY > VMD_API_KEY_FILE', () => {
    const env = { VMD_API_KEY: 'env-key', VMD_API_KEY_FILE: '/keys/acme' };
    expect(loadClientConfig({ env, overrides: { apiKey: 'flag-key' }, readFile }).options.apiKey).toBe(
      'flag-key',
    );
    expect(loadClientConfig({ env, overrides: { apiKeyFile: '/keys/acme' }, readFile }).sources.apiKey).toBe(
      'file:--api-key-file',
    );
    expect(loadClientConfig({ env, readFile }).options.apiKey).toBe('env-key');
    const fromFile = loadClientConfig({ env: { VMD_API_KEY_FILE: '/keys/acme' }, readFile });
    expect(fromFile.options.apiKey).toBe('vmd_key_123');
    expect(fromFile.sources.apiKey).toBe('file:VMD_API_KEY_FILE');
  });

  it('a flag tenant wins over VMD_TENANT', () => {
    const loaded = loadClientConfig({ env: { VMD_TENANT: 'env' }, overrides: { tenant: 'flag' }, readFile });
    expect(loaded.options.tenant).toBe('flag');
    expect(loaded.sources.tenant).toBe('flag');
  });

  it('TLS from VMD_TLS_* files', () => {
    const { options } = loadClientConfig({
      env: { VMD_TLS_CA: '/tls/ca.pem', VMD_TLS_CERT: '/tls/cert.pem', VMD_TLS_KEY: '/tls/key.pem' },
      readFile,
    });
    expect(options.tls).toEqual({ ca: 'CA PEM', cert: 'CERT PEM', key: 'KEY PEM' });
    expect(loadClientConfig({ env: { VMD_TLS: 'true' }, readFile }).options.tls).toEqual({});
    expect(
      loadClientConfig({ env: { VMD_TLS: '0', VMD_TLS_CA: '/tls/ca.pem' }, readFile }).options.tls,
    ).toBeUndefined();
  });

  it.each([
    [{ VMD_ADDR: 'http://x:1' }, {}, /invalid vmd address 'http:\/\/x:1'.*\(from VMD_ADDR\)/],
    [{}, { address: 'host:99999' }, /\(from a command-line flag\)/],
    [{ VMD_TLS: 'maybe' }, {}, /VMD_TLS='maybe' is not a boolean/],
    [
      { VMD_API_KEY_FILE: '/missing' },
      {},
      /cannot read api key file '\/missing' \(from env:VMD_API_KEY_FILE\)/,
    ],
    [{ VMD_TLS_CERT: '/tls/cert.pem' }, {}, /needs both VMD_TLS_CERT and VMD_TLS_KEY/],
  ])('names the source of a bad value: %j %j', (env, overrides, message) => {
    let caught: unknown;
    try {
      loadClientConfig({ env, overrides, readFile });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(VmdClientError);
    expect((caught as VmdClientError).code).toBe('INVALID_ARGUMENT');
    expect((caught as VmdClientError).message).toMatch(message);
  });
});
