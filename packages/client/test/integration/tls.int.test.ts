import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VmdClient, VmdClientError, type VmdTlsOptions } from '../../src/index.ts';
import { makeCertificates, type TestCertificates } from './make-certificates.ts';
import { startDaemon, type RunningDaemon } from './start-daemon.ts';

/** The client's TLS options against a real mutual-TLS daemon on 127.0.0.1. */
let certs: TestCertificates;
let daemon: RunningDaemon;
beforeAll(async () => {
  certs = await makeCertificates();
  daemon = await startDaemon([
    '--tls-cert',
    certs.file('server.pem'),
    '--tls-key',
    certs.file('server.key'),
    '--tls-client-ca',
    certs.file('ca.pem'),
  ]);
});
afterAll(async () => {
  await daemon.stop();
  await certs.remove();
});

/** The value of `6 * 7`, or the error code of the call. */
async function run(tls: VmdTlsOptions): Promise<unknown> {
  const client = new VmdClient({ address: daemon.address, tls });
  try {
    const outcome = await client.run('6 * 7', { tenant: 'tls', timeoutMs: 3000 });
    return outcome.ok ? outcome.value.value : outcome.failure.kind;
  } catch (err) {
    return err instanceof VmdClientError ? err.code : err;
  } finally {
    client.close();
  }
}

function constructionError(tls: VmdTlsOptions): unknown {
  try {
    new VmdClient({ address: daemon.address, tls }).close();
    return 'constructed';
  } catch (err) {
    return err;
  }
}

describe('TLS options', () => {
  it('valid PEM (strings or Buffers) is accepted and works', async () => {
    expect(await run({ ca: certs.ca, cert: certs.clientCert, key: certs.clientKey })).toBe(42);
    expect(
      await run({
        ca: Buffer.from(certs.ca),
        cert: Buffer.from(certs.clientCert),
        key: Buffer.from(certs.clientKey),
      }),
    ).toBe(42);
  });

  it('a garbage CA fails at construction, naming tls.ca, not at the first call', () => {
    expect(constructionError({ ca: Buffer.from('nonsense') })).toMatchObject({
      code: 'INVALID_ARGUMENT',
      field: 'tls.ca',
    });
  });

  it("a key that is not the certificate's fails at construction, naming tls.key", () => {
    const err = constructionError({ ca: certs.ca, cert: certs.clientCert, key: certs.serverKey });
    expect(err).toMatchObject({ code: 'INVALID_ARGUMENT', field: 'tls.key' });
    expect((err as Error).message).toMatch(
      /tls\.key is not the private key of tls\.cert \(subject 'CN=vmd client'\)/,
    );
  });

  it('a client certificate as CA is a certificate: accepted, and the daemon is not trusted', async () => {
    expect(await run({ ca: certs.clientCert, cert: certs.clientCert, key: certs.clientKey })).toBe(
      'UNAVAILABLE',
    );
  });
});
