import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { normalizeOrigin, performFetch } from './fetch.js';

/** The fetch capability's host side against real HTTP servers on loopback. */
let allowed: Server;
let other: Server;
let allowedOrigin: string;
let otherOrigin: string;
const seen: Array<{ method: string; url: string; headers: Record<string, unknown>; body: string }> = [];

function listen(server: Server): Promise<string> {
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`),
    ),
  );
}

beforeAll(async () => {
  other = createServer((_req, res) => res.end('secret from another origin'));
  otherOrigin = await listen(other);
  allowed = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      if (req.url === '/json') {
        res.setHeader('content-type', 'application/json');
        res.setHeader('set-cookie', 'session=abc');
        res.end(JSON.stringify({ hello: 'world' }));
      } else if (req.url === '/redirect-out') {
        res.writeHead(302, { location: `${otherOrigin}/` }).end();
      } else if (req.url === '/redirect-in') {
        res.writeHead(301, { location: '/json' }).end();
      } else if (req.url === '/big') {
        res.end('x'.repeat(2 * 1024 * 1024));
      } else if (req.url === '/slow') {
        setTimeout(() => res.end('late'), 2000);
      } else {
        res.statusCode = 404;
        res.end('not here');
      }
    });
  });
  allowedOrigin = await listen(allowed);
});
afterAll(() => {
  allowed.closeAllConnections();
  allowed.close();
  other.close();
});

const call = async (args: unknown, timeLeft = 5000) =>
  JSON.parse(await performFetch(JSON.stringify(args), [allowedOrigin], timeLeft)) as {
    ok: boolean;
    value?: { status: number; body: string; headers: [string, string][]; redirected: boolean; url: string };
    error?: { name: string; message: string };
  };

describe('performFetch', () => {
  it('fetches from an allowed origin: status, headers (no set-cookie), body', async () => {
    const r = await call({ url: `${allowedOrigin}/json` });
    expect(r.ok).toBe(true);
    expect(r.value?.status).toBe(200);
    expect(JSON.parse(r.value!.body)).toEqual({ hello: 'world' });
    expect(r.value?.headers).toContainEqual(['content-type', 'application/json']);
    expect(r.value?.headers.some(([k]) => k === 'set-cookie')).toBe(false);
  });

  it('sends method, headers and body; refuses forbidden headers and methods', async () => {
    const r = await call({
      url: `${allowedOrigin}/echo`,
      method: 'post',
      headers: { 'X-Trace': 'abc' },
      body: '{"a":1}',
    });
    expect(r.value?.status).toBe(404);
    expect(seen.at(-1)).toMatchObject({ method: 'POST', body: '{"a":1}', headers: { 'x-trace': 'abc' } });
    expect((await call({ url: `${allowedOrigin}/`, headers: { Host: 'evil' } })).error?.message).toContain(
      "header 'Host' may not be set",
    );
    expect((await call({ url: `${allowedOrigin}/`, method: 'CONNECT' })).error?.message).toContain(
      'not allowed',
    );
    expect(
      (await call({ url: `${allowedOrigin}/`, headers: { 'x-a': 'b\r\nx-evil: 1' } })).error?.message,
    ).toContain('invalid value');
  });

  it('refuses other origins, also when a redirect leads there; follows redirects that stay', async () => {
    const direct = await call({ url: `${otherOrigin}/` });
    expect(direct.error).toMatchObject({ name: 'PermissionError' });
    expect(direct.error?.message).toContain('is not an allowed origin');
    const out = await call({ url: `${allowedOrigin}/redirect-out` });
    expect(out.error?.message).toContain('(reached by a redirect)');
    const inside = await call({ url: `${allowedOrigin}/redirect-in` });
    expect(inside.value).toMatchObject({ status: 200, redirected: true, url: `${allowedOrigin}/json` });
    expect((await call({ url: 'file:///etc/passwd' })).error?.name).toBe('PermissionError');
  });

  it('caps the response size and the time', async () => {
    expect((await call({ url: `${allowedOrigin}/big` })).error?.message).toContain(
      'larger than 1048576 bytes',
    );
    const slow = await call({ url: `${allowedOrigin}/slow` }, 200);
    expect(slow.error).toMatchObject({ name: 'TimeoutError' });
  });

  it('normalizes allow-list entries to origins and refuses anything else', () => {
    expect(normalizeOrigin('https://API.example.com')).toBe('https://api.example.com');
    expect(normalizeOrigin('http://127.0.0.1:8080/')).toBe('http://127.0.0.1:8080');
    expect(normalizeOrigin('https://example.com/path')).toBeUndefined();
    expect(normalizeOrigin('ftp://example.com')).toBeUndefined();
    expect(normalizeOrigin('https://user:pw@example.com')).toBeUndefined();
    expect(normalizeOrigin('not a url')).toBeUndefined();
  });
});
