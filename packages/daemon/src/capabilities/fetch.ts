/**
 * The fetch capability, performed by the daemon for tenant code: only to origins an admin
 * allow-listed for the tenant, with method, size and time limits. Redirects are followed by hand
 * and only while they stay on allow-listed origins; an origin named by a host name is reached
 * only at public addresses (fetch-address-policy.ts). The response is read up to a size limit
 * and copied into the isolate whole (status, headers, body text). Answers are JSON text; every
 * failure is an answer (an error inside the sandbox), never an exception.
 */
import { Agent, fetch as undiciFetch, type Response } from 'undici';
import { publicOnlyLookup, type Resolver } from './fetch-address-policy.js';

export interface FetchLimits {
  /** Largest request body, bytes. @default 1 MiB */
  maxRequestBytes?: number;
  /** Largest response body, bytes. @default 1 MiB */
  maxResponseBytes?: number;
  /** Longest a request may take, ms (capped by the invocation's time left). @default 10000 */
  timeoutMs?: number;
  /** Redirects followed (each must stay on an allowed origin). @default 5 */
  maxRedirects?: number;
  /** Resolves host names (tests give their own). @default `dns.lookup` */
  resolver?: Resolver;
}

/** Connections of the capability: host names must resolve to public addresses. */
let defaultAgent: Agent | undefined;
const agents = new WeakMap<Resolver, Agent>();
function agentFor(resolver: Resolver | undefined): Agent {
  if (resolver === undefined)
    return (defaultAgent ??= new Agent({ connect: { lookup: publicOnlyLookup() } }));
  let agent = agents.get(resolver);
  if (agent === undefined) {
    agent = new Agent({ connect: { lookup: publicOnlyLookup(resolver) } });
    agents.set(resolver, agent);
  }
  return agent;
}

interface FetchArgs {
  url?: unknown;
  method?: unknown;
  headers?: unknown;
  body?: unknown;
}

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE']);
/** Request headers tenant code may not set (the daemon decides them, or they smuggle credentials). */
const FORBIDDEN_HEADERS = new Set([
  'host',
  'connection',
  'content-length',
  'transfer-encoding',
  'upgrade',
  'proxy-authorization',
  'keep-alive',
  'te',
  'trailer',
]);

const fail = (name: string, message: string): string =>
  JSON.stringify({ ok: false, error: { name, message } });

/** Normalizes an allow-list entry to its origin (`https://api.example.com`), or undefined. */
export function normalizeOrigin(origin: string): string | undefined {
  try {
    const u = new URL(origin);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') return undefined;
    if (u.pathname !== '/' || u.search !== '' || u.hash !== '' || u.username !== '' || u.password !== '') {
      return undefined;
    }
    return u.origin;
  } catch {
    return undefined;
  }
}

/**
 * Performs one fetch for tenant code. `allowed` are the tenant's allow-listed origins; `timeLeftMs`
 * the invocation's remaining time.
 */
export async function performFetch(
  argsJson: string,
  allowed: readonly string[],
  timeLeftMs: number,
  limits: FetchLimits = {},
): Promise<string> {
  const maxRequest = limits.maxRequestBytes ?? 1024 * 1024;
  const maxResponse = limits.maxResponseBytes ?? 1024 * 1024;
  const maxRedirects = limits.maxRedirects ?? 5;
  let args: FetchArgs;
  try {
    args = JSON.parse(argsJson) as FetchArgs;
  } catch {
    return fail('TypeError', 'fetch: malformed arguments');
  }
  if (typeof args.url !== 'string') return fail('TypeError', 'fetch: the URL must be a string');
  let url: URL;
  try {
    url = new URL(args.url);
  } catch {
    return fail('TypeError', `fetch: invalid URL '${args.url.slice(0, 200)}'`);
  }
  const method = typeof args.method === 'string' ? args.method.toUpperCase() : 'GET';
  if (!METHODS.has(method)) return fail('TypeError', `fetch: method '${method.slice(0, 20)}' is not allowed`);
  const headers: Record<string, string> = {};
  if (args.headers !== null && typeof args.headers === 'object') {
    for (const [k, v] of Object.entries(args.headers as Record<string, unknown>)) {
      const name = k.toLowerCase();
      if (!/^[a-z0-9!#$%&'*+.^_`|~-]{1,100}$/.test(name) || FORBIDDEN_HEADERS.has(name)) {
        return fail('TypeError', `fetch: header '${k.slice(0, 100)}' may not be set`);
      }
      if (typeof v !== 'string' || /[\r\n]/.test(v) || v.length > 8192) {
        return fail('TypeError', `fetch: header '${k.slice(0, 100)}' has an invalid value`);
      }
      headers[name] = v;
    }
  }
  let body: string | undefined;
  if (args.body !== undefined && args.body !== null) {
    if (typeof args.body !== 'string') return fail('TypeError', 'fetch: body must be a string');
    if (Buffer.byteLength(args.body, 'utf8') > maxRequest)
      return fail('RangeError', `fetch: body is larger than ${maxRequest} bytes`);
    if (method === 'GET' || method === 'HEAD')
      return fail('TypeError', `fetch: a ${method} request has no body`);
    body = args.body;
  }
  const allowedSet = new Set(
    allowed.map((o) => normalizeOrigin(o)).filter((o): o is string => o !== undefined),
  );
  const timeoutMs = Math.max(1, Math.min(limits.timeoutMs ?? 10_000, timeLeftMs));
  const signal = AbortSignal.timeout(timeoutMs);
  const dispatcher = agentFor(limits.resolver);

  let redirected = false;
  for (let hop = 0; ; hop++) {
    if (!allowedSet.has(url.origin)) {
      return fail(
        'PermissionError',
        `fetch: ${url.origin} is not an allowed origin for this tenant${redirected ? ' (reached by a redirect)' : ''}; an admin adds origins with \`vmctl tenant update TENANT --fetch ORIGIN\``,
      );
    }
    let res: Response;
    try {
      res = await undiciFetch(url, {
        method,
        headers,
        ...(body !== undefined ? { body } : {}),
        redirect: 'manual',
        signal,
        dispatcher,
      });
    } catch (err) {
      const timedOut = signal.aborted;
      const cause = (err as { cause?: NodeJS.ErrnoException }).cause;
      if (!timedOut && cause?.code === 'EACCES') {
        return fail(
          'PermissionError',
          `fetch: ${cause.message}${redirected ? ' (reached by a redirect)' : ''}`,
        );
      }
      return fail(
        timedOut ? 'TimeoutError' : 'TypeError',
        timedOut
          ? `fetch: no answer within ${timeoutMs} ms`
          : `fetch: the request failed (${(err as Error).message})`,
      );
    }
    const location = res.headers.get('location');
    if (res.status >= 300 && res.status < 400 && location !== null) {
      await res.body?.cancel().catch(() => undefined);
      if (hop >= maxRedirects) return fail('TypeError', `fetch: more than ${maxRedirects} redirects`);
      try {
        url = new URL(location, url);
      } catch {
        return fail('TypeError', 'fetch: a redirect to an invalid URL');
      }
      redirected = true;
      continue;
    }
    // Read at most maxResponse bytes.
    const chunks: Uint8Array[] = [];
    let size = 0;
    try {
      for await (const chunk of (res.body ?? []) as AsyncIterable<Uint8Array>) {
        size += chunk.byteLength;
        if (size > maxResponse) {
          await res.body?.cancel().catch(() => undefined);
          return fail('RangeError', `fetch: the response is larger than ${maxResponse} bytes`);
        }
        chunks.push(chunk);
      }
    } catch (err) {
      return fail(
        signal.aborted ? 'TimeoutError' : 'TypeError',
        `fetch: reading the response failed (${(err as Error).message})`,
      );
    }
    return JSON.stringify({
      ok: true,
      value: {
        status: res.status,
        statusText: res.statusText,
        url: url.href,
        redirected,
        headers: [...res.headers.entries()].filter(([k]) => k !== 'set-cookie'),
        body: Buffer.concat(chunks).toString('utf8'),
      },
    });
  }
}
