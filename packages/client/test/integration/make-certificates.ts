/**
 * Test certificates made by `openssl` in a temporary directory: a CA, a daemon certificate (for
 * 127.0.0.1 and localhost unless `serverSan` says otherwise), and a client certificate.
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

/** PEM texts and the files they were read from. */
export interface TestCertificates {
  dir: string;
  file: (name: 'ca.pem' | 'server.pem' | 'server.key' | 'client.pem' | 'client.key') => string;
  ca: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
  /** Removes the directory. */
  remove: () => Promise<void>;
}

export async function makeCertificates(serverSan = 'IP:127.0.0.1,DNS:localhost'): Promise<TestCertificates> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'vmd-client-tls-'));
  const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  openssl(
    'req',
    '-x509',
    ...ec,
    '-days',
    '2',
    '-subj',
    '/CN=vmd test CA',
    '-keyout',
    'ca.key',
    '-out',
    'ca.pem',
  );
  await writeFile(path.join(dir, 'server.ext'), `subjectAltName=${serverSan}\n`);
  for (const who of ['server', 'client']) {
    openssl('req', ...ec, '-subj', `/CN=vmd ${who}`, '-keyout', `${who}.key`, '-out', `${who}.csr`);
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
  const file = (name: string) => path.join(dir, name);
  const read = (name: string) => readFile(file(name), 'utf8');
  return {
    dir,
    file,
    ca: await read('ca.pem'),
    serverCert: await read('server.pem'),
    serverKey: await read('server.key'),
    clientCert: await read('client.pem'),
    clientKey: await read('client.key'),
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}
