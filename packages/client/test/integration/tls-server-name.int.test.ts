import { spawn } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeCertificates, type TestCertificates } from './make-certificates.ts';
import { startDaemon, type RunningDaemon } from './start-daemon.ts';

/**
 * TLS to a daemon addressed by IP: no DEP0123 warning (an IP address is not a valid TLS server
 * name), and the certificate is still verified against that IP. Each client runs in its own
 * process, as Node prints the warning once per process.
 */
let certs: TestCertificates;
let daemon: RunningDaemon;
/** A daemon whose certificate names localhost only, not 127.0.0.1. */
let dnsOnly: { certs: TestCertificates; daemon: RunningDaemon };
const tlsArgs = (c: TestCertificates) => [
  '--tls-cert',
  c.file('server.pem'),
  '--tls-key',
  c.file('server.key'),
];

beforeAll(async () => {
  certs = await makeCertificates();
  daemon = await startDaemon(tlsArgs(certs));
  const other = await makeCertificates('DNS:localhost');
  dnsOnly = { certs: other, daemon: await startDaemon(tlsArgs(other)) };
});
afterAll(async () => {
  await Promise.all([daemon.stop(), dnsOnly.daemon.stop()]);
  await Promise.all([certs.remove(), dnsOnly.certs.remove()]);
});

/** Node's refusal of a certificate that does not hold `ip` as an IP subject alternative name. */
const NOT_NAMED = (ip: string) =>
  new RegExp(`ERR_TLS_CERT_ALTNAME_INVALID.*IP: ${ip.replaceAll('.', '\\.')} is not in the cert's list`);

async function runClient(
  address: string,
  caFile: string,
  serverName?: string,
): Promise<{ code: number | null; stdout: unknown; stderr: string }> {
  const fixture = path.join(import.meta.dirname, '../fixtures/tls-run.ts');
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', fixture, address, caFile, ...(serverName === undefined ? [] : [serverName])],
    { cwd: path.join(import.meta.dirname, '../..'), stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  return { code, stdout: JSON.parse(stdout || 'null') as unknown, stderr };
}

describe('TLS to an IP address', () => {
  it('connects to 127.0.0.1 without the DEP0123 warning', async () => {
    const r = await runClient(daemon.address, certs.file('ca.pem'));
    expect(r.stderr).not.toMatch(/DEP0123|TLS ServerName/);
    expect(r).toEqual({ code: 0, stdout: { value: 42 }, stderr: '' });
  });

  it('still verifies the certificate against the IP: one naming only localhost is refused', async () => {
    const r = await runClient(dnsOnly.daemon.address, dnsOnly.certs.file('ca.pem'));
    expect(r).toEqual({
      code: 0,
      stdout: { code: 'UNAVAILABLE', message: expect.stringMatching(NOT_NAMED('127.0.0.1')) as string },
      stderr: '',
    });
  });

  it('the same by name: localhost is accepted', async () => {
    const port = dnsOnly.daemon.address.split(':').at(-1)!;
    const r = await runClient(`localhost:${port}`, dnsOnly.certs.file('ca.pem'));
    expect(r).toEqual({ code: 0, stdout: { value: 42 }, stderr: '' });
  });

  it('tls.serverName set to an IP: verified against it, without the warning', async () => {
    const port = daemon.address.split(':').at(-1)!;
    const ok = await runClient(`localhost:${port}`, certs.file('ca.pem'), '127.0.0.1');
    expect(ok).toEqual({ code: 0, stdout: { value: 42 }, stderr: '' });
    const wrong = await runClient(daemon.address, certs.file('ca.pem'), '127.0.0.2');
    expect(wrong).toEqual({
      code: 0,
      stdout: { code: 'UNAVAILABLE', message: expect.stringMatching(NOT_NAMED('127.0.0.2')) as string },
      stderr: '',
    });
  });
});
