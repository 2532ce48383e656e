import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { VmdTlsOptions } from './client-options.js';
import { VmdClientError } from './errors.js';
import { validateTlsOptions } from './validate-tls-options.js';
import { VmdClient } from './vmd-client.js';

// Valid certificates (and a certificate with the wrong key) are checked against a real daemon
// in test/integration/tls.int.test.ts; here, what must be refused, without any certificate
// (the key is checked before it is matched with the certificate).
const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const keyPem = privateKey.export({ type: 'pkcs8', format: 'pem' });
const encryptedKeyPem = privateKey.export({
  type: 'pkcs8',
  format: 'pem',
  cipher: 'aes-256-cbc',
  passphrase: 'secret',
});
const corruptCert = '-----BEGIN CERTIFICATE-----\nTUlJQm5vdCBhIGNlcnRpZmljYXRl\n-----END CERTIFICATE-----\n';

function refusal(tls: VmdTlsOptions): VmdClientError {
  try {
    new VmdClient({ address: '127.0.0.1:50051', tls }).close();
  } catch (err) {
    expect(err).toBeInstanceOf(VmdClientError);
    return err as VmdClientError;
  }
  throw new Error('the client was constructed');
}

describe('TLS options are checked when the client is constructed', () => {
  it.each<[string, VmdTlsOptions, string, RegExp]>([
    [
      'garbage CA',
      { ca: Buffer.from('nonsense') },
      'tls.ca',
      /^INVALID_ARGUMENT: tls\.ca is not the PEM certificate of the CA .*: it is not PEM \(text starting -----BEGIN CERTIFICATE-----\)$/,
    ],
    ['empty CA', { ca: '' }, 'tls.ca', /tls\.ca is not .*: it is empty$/],
    [
      'a path as CA',
      { ca: '/etc/vmd/ca.pem' },
      'tls.ca',
      /looks like a file path \('\/etc\/vmd\/ca\.pem'\): pass the file's contents .*VMD_TLS_CA/,
    ],
    [
      'a key as CA',
      { ca: keyPem },
      'tls.ca',
      /tls\.ca is not the PEM certificate .*: it holds a PEM 'PRIVATE KEY'$/,
    ],
    [
      'DER as CA',
      { ca: Buffer.from([0x30, 0x82, 0x01, 0x0a]) },
      'tls.ca',
      /looks like DER: convert it to PEM \(openssl x509/,
    ],
    [
      'a corrupt certificate as CA',
      { ca: corruptCert },
      'tls.ca',
      /tls\.ca: its certificate cannot be parsed \(.+\)/,
    ],
    [
      'garbage cert',
      { cert: 'nonsense', key: keyPem },
      'tls.cert',
      /tls\.cert is not the PEM certificate \(chain\) of this client: it is not PEM/,
    ],
    [
      'garbage key',
      { cert: corruptCert, key: 'nonsense' },
      'tls.key',
      /tls\.key is not the PEM private key .*: it is not PEM \(text starting -----BEGIN PRIVATE KEY-----\)$/,
    ],
    [
      'an encrypted key',
      { cert: corruptCert, key: encryptedKeyPem },
      'tls.key',
      /tls\.key is encrypted.*openssl pkey/,
    ],
    [
      'a CA that is not a string or Buffer',
      { ca: 42 as unknown as string },
      'tls.ca',
      /must be a string or a Buffer/,
    ],
  ])('%s: INVALID_ARGUMENT naming the option', (_what, tls, field, message) => {
    const err = refusal(tls);
    expect(err).toMatchObject({ code: 'INVALID_ARGUMENT', field });
    expect(err.message).toMatch(message);
  });

  it('a certificate without its key, or a key without its certificate', () => {
    expect(refusal({ key: keyPem })).toMatchObject({ code: 'INVALID_ARGUMENT', field: 'tls' });
    expect(refusal({ cert: corruptCert })).toMatchObject({ code: 'INVALID_ARGUMENT', field: 'tls' });
  });

  it('nothing to check: system roots, server name only', () => {
    expect(validateTlsOptions({})).toEqual({ ca: null, cert: null, key: null });
    expect(validateTlsOptions({ serverName: 'vmd.internal' })).toEqual({ ca: null, cert: null, key: null });
  });
});
