import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { VmdClient, VmdClientError } from '@vmd/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestDaemon, type TestDaemon } from './helpers.js';

/**
 * TLS and mutual TLS with certificates made here by `openssl`: a CA, a server certificate for
 * 127.0.0.1, and a client certificate. The real daemon, the real client.
 */
let dir: string;
const pem: Record<'ca' | 'serverCert' | 'serverKey' | 'clientCert' | 'clientKey', string> = {
  ca: '',
  serverCert: '',
  serverKey: '',
  clientCert: '',
  clientKey: '',
};
const file = (name: string) => path.join(dir, name);
const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'vmd-tls-'));
  openssl(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '2',
    '-subj',
    '/CN=vmd test CA',
    '-keyout',
    'ca.key',
    '-out',
    'ca.pem',
  );
  await writeFile(file('server.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  for (const who of ['server', 'client']) {
    openssl(
      'req',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-subj',
      `/CN=vmd ${who}`,
      '-keyout',
      `${who}.key`,
      '-out',
      `${who}.csr`,
    );
    openssl(
      'x509',
      '-req',
      '-in',
      `${who}.csr`,
      '-CA',
      'ca.pem',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-days',
      '2',
      '-out',
      `${who}.pem`,
      ...(who === 'server' ? ['-extfile', 'server.ext'] : []),
    );
  }
  pem.ca = await readFile(file('ca.pem'), 'utf8');
  pem.serverCert = await readFile(file('server.pem'), 'utf8');
  pem.serverKey = await readFile(file('server.key'), 'utf8');
  pem.clientCert = await readFile(file('client.pem'), 'utf8');
  pem.clientKey = await readFile(file('client.key'), 'utf8');
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function runs(client: VmdClient, what: 'code' | 'message' = 'code'): Promise<unknown> {
  try {
    const outcome = await client.run('6 * 7', { tenant: 'tls', timeoutMs: 3000 });
    return outcome.ok ? outcome.value.value : outcome.failure.kind;
  } catch (err) {
    return err instanceof VmdClientError ? err[what] : err;
  } finally {
    client.close();
  }
}

describe('TLS', () => {
  let d: TestDaemon;
  beforeAll(async () => {
    d = await startTestDaemon({
      workers: 1,
      args: ['--tls-cert', file('server.pem'), '--tls-key', file('server.key')],
      plaintextHealth: false,
    });
  });
  afterAll(async () => {
    await d.stop();
  });

  it('serves a client that trusts the CA; refuses a plaintext one', async () => {
    expect(await runs(new VmdClient({ address: d.address, tls: { ca: pem.ca } }))).toBe(42);
    expect(await runs(new VmdClient({ address: d.address }))).toBe('UNAVAILABLE');
    // The message says what is wrong, not that the daemon is unreachable.
    expect(await runs(new VmdClient({ address: d.address }), 'message')).toContain(
      'accepted the connection but did not answer plaintext gRPC',
    );
  });
});

describe('mutual TLS', () => {
  let d: TestDaemon;
  beforeAll(async () => {
    d = await startTestDaemon({
      workers: 1,
      args: [
        '--tls-cert',
        file('server.pem'),
        '--tls-key',
        file('server.key'),
        '--tls-client-ca',
        file('ca.pem'),
      ],
      plaintextHealth: false,
    });
  });
  afterAll(async () => {
    await d.stop();
  });

  it('serves a client with a certificate from the CA; refuses one without', async () => {
    expect(
      await runs(
        new VmdClient({ address: d.address, tls: { ca: pem.ca, cert: pem.clientCert, key: pem.clientKey } }),
      ),
    ).toBe(42);
    expect(await runs(new VmdClient({ address: d.address, tls: { ca: pem.ca } }))).toBe('UNAVAILABLE');
    expect(await runs(new VmdClient({ address: d.address, tls: { ca: pem.ca } }), 'message')).toMatch(
      /requires a client certificate it trusts \(mutual TLS\) \(tlsv13 alert certificate required\): .*tls\.cert and tls\.key/,
    );
  });
});
