import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LookupAddress } from 'node:dns';
import { normalizeOrigin, performFetch } from './fetch.js';
import type { Resolver } from './fetch-address-policy.js';

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
      } else if (req.url?.startsWith('/redirect-to?')) {
        res
          .writeHead(302, { location: decodeURIComponent(req.url.slice('/redirect-to?'.length)) + '/json' })
          .end();
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

  describe('host names reach public addresses only (DNS rebinding, metadata, private ranges)', () => {
    const port = (): string => new URL(allowedOrigin).port;
    /** A resolver whose answers the test decides, as a DNS server an attacker runs would. */
    const answers = new Map<string, LookupAddress[]>();
    const resolver: Resolver = (hostname, callback) => {
      const a = answers.get(hostname);
      if (a === undefined)
        callback(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' }), []);
      else callback(null, a);
    };
    const fetchAs = async (origin: string, path = '/json') =>
      JSON.parse(
        await performFetch(JSON.stringify({ url: `${origin}${path}` }), [origin, allowedOrigin], 5000, {
          resolver,
        }),
      ) as {
        ok: boolean;
        value?: { status: number; body: string };
        error?: { name: string; message: string };
      };

    it('refuses an allowed name that resolves to loopback, metadata or a private address', async () => {
      for (const address of ['127.0.0.1', '169.254.169.254', '10.1.2.3', '::1', '::ffff:127.0.0.1']) {
        answers.set('api.tenant.example', [{ address, family: address.includes(':') ? 6 : 4 }]);
        const r = await fetchAs(`http://api.tenant.example:${port()}`);
        expect(r.error, address).toMatchObject({ name: 'PermissionError' });
        expect(r.error?.message).toContain(`resolves to ${address}, which is not a public address`);
      }
      // One private address among public ones is enough to refuse.
      answers.set('mixed.tenant.example', [
        { address: '93.184.216.34', family: 4 },
        { address: '127.0.0.1', family: 4 },
      ]);
      expect((await fetchAs(`http://mixed.tenant.example:${port()}`)).error?.name).toBe('PermissionError');
      expect(seen.some((r) => r.headers['host']?.toString().includes('tenant.example'))).toBe(false);
    });

    it('refuses a redirect to an allowed name that resolves privately', async () => {
      answers.set('internal.tenant.example', [{ address: '127.0.0.1', family: 4 }]);
      const target = `http://internal.tenant.example:${port()}`;
      const r = JSON.parse(
        await performFetch(
          JSON.stringify({ url: `${allowedOrigin}/redirect-to?${encodeURIComponent(target)}` }),
          [allowedOrigin, target],
          5000,
          { resolver },
        ),
      ) as { error?: { name: string; message: string } };
      expect(r.error).toMatchObject({ name: 'PermissionError' });
      expect(r.error?.message).toContain('(reached by a redirect)');
    });

    it('reaches an address the admin allow-listed itself, and localhost by name', async () => {
      expect((await fetchAs(allowedOrigin)).value?.status).toBe(200);
      const byName = JSON.parse(
        await performFetch(
          JSON.stringify({ url: `http://localhost:${port()}/json` }),
          [`http://localhost:${port()}`],
          5000,
        ),
      ) as { value?: { status: number } };
      expect(byName.value?.status).toBe(200);
    });
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
