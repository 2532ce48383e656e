import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestDaemon, type LogLine, type TestDaemon } from './helpers.js';

/**
 * The start-up lines of a real `vmd serve` say how it is exposed: the mode, authentication and
 * TLS on the `listening` line, the metrics URL on the metrics line, tracing and its exporter.
 */
let d: TestDaemon | undefined;
let dir: string;
afterEach(async () => {
  await d?.stop();
  d = undefined;
});
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'vmd-startup-log-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

const line = (logs: LogLine[], match: (l: LogLine) => boolean): LogLine => {
  const found = logs.find(match);
  expect(found, JSON.stringify(logs.map((l) => l.msg))).toBeDefined();
  return found!;
};

describe('start-up lines', () => {
  it('local mode: no authentication, plaintext; metrics URL; tracing off', async () => {
    const port = await freePort();
    d = await startTestDaemon({ workers: 1, args: ['--metrics', `127.0.0.1:${port}`] });
    expect(line(d.logs, (l) => l.msg === 'listening')).toMatchObject({
      address: d.address,
      mode: 'local',
      auth: false,
      tls: 'off',
      insecure: false,
      exposure: 'local mode: no authentication, loopback only; plaintext (no TLS)',
    });
    expect(line(d.logs, (l) => String(l.msg).startsWith('serving Prometheus metrics'))).toMatchObject({
      msg: `serving Prometheus metrics at http://127.0.0.1:${port}/metrics (no authentication)`,
      metrics_url: `http://127.0.0.1:${port}/metrics`,
      metrics_auth: false,
    });
    expect(line(d.logs, (l) => String(l.msg).startsWith('tracing'))).toMatchObject({
      tracing: false,
      msg: expect.stringMatching(/^tracing off/) as unknown,
    });
    expect(d.logs.some((l) => String(l.msg).startsWith('insecure'))).toBe(false);
  });

  it('secure mode with mutual TLS and console tracing', async () => {
    const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
    openssl(
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=localhost',
      '-keyout',
      'server.key',
      '-out',
      'server.pem',
    );
    await writeFile(path.join(dir, 'token'), `${'t'.repeat(32)}\n`, { mode: 0o600 });
    d = await startTestDaemon({
      workers: 1,
      plaintextHealth: false,
      args: [
        '--auth',
        '--admin-token-file',
        path.join(dir, 'token'),
        '--tls-cert',
        path.join(dir, 'server.pem'),
        '--tls-key',
        path.join(dir, 'server.key'),
        '--tls-client-ca',
        path.join(dir, 'server.pem'),
        '--otel-console',
      ],
    });
    expect(line(d.logs, (l) => l.msg === 'listening')).toMatchObject({
      mode: 'secure',
      auth: true,
      tls: 'mutual',
      exposure: expect.stringMatching(/^secure mode: .*; mutual TLS/) as unknown,
    });
    expect(line(d.logs, (l) => String(l.msg).startsWith('tracing'))).toMatchObject({
      tracing: true,
      trace_exporter: 'console',
      msg: 'tracing on: each span as a JSON line on stderr (--otel-console)',
    });
  });

  it('names the OTLP exporter and its endpoint, without credentials', async () => {
    const closed = await freePort();
    d = await startTestDaemon({
      workers: 1,
      env: {
        OTEL_TRACES_EXPORTER: 'otlp',
        OTEL_EXPORTER_OTLP_ENDPOINT: `http://user:secret@127.0.0.1:${closed}`,
        OTEL_EXPORTER_OTLP_HEADERS: 'authorization=Bearer hidden',
        OTEL_LOGS_EXPORTER: 'none',
        OTEL_METRICS_EXPORTER: 'none',
      },
    });
    const tracing = line(d.logs, (l) => String(l.msg).startsWith('tracing'));
    expect(tracing).toMatchObject({
      tracing: true,
      trace_exporter: 'otlp',
      otlp_protocol: 'http/protobuf',
      otlp_endpoint: `http://127.0.0.1:${closed}/`,
      msg: `tracing on: spans exported with otlp (http/protobuf) to http://127.0.0.1:${closed}/`,
    });
    expect(JSON.stringify(d.logs)).not.toMatch(/secret|hidden/);
  });
});
