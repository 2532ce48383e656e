import { describe, expect, it, vi } from 'vitest';
import {
  API_KEY_PREFIX,
  ApiKeyAuthenticator,
  generateApiKey,
  hashSecret,
  parseApiKey,
  verifyAdminToken,
  verifySecret,
  type StoredApiKey,
} from './api-keys.js';

describe('generateApiKey', () => {
  it('makes vmd_<id>_<random> with a 16-hex id and 256 bits of base64url randomness', () => {
    const { id, secret } = generateApiKey();
    expect(id).toMatch(/^[0-9a-f]{16}$/);
    expect(secret.startsWith(`${API_KEY_PREFIX}${id}_`)).toBe(true);
    const random = secret.slice(`${API_KEY_PREFIX}${id}_`.length);
    expect(random).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(random, 'base64url')).toHaveLength(32);
  });

  it('never repeats ids or secrets', () => {
    const keys = Array.from({ length: 2000 }, () => generateApiKey());
    expect(new Set(keys.map((k) => k.id)).size).toBe(2000);
    expect(new Set(keys.map((k) => k.secret)).size).toBe(2000);
  });
});

describe('parseApiKey', () => {
  it('returns the id of a well-formed key', () => {
    for (let i = 0; i < 200; i++) {
      // Random parts contain '_' and '-' now and then: parsing must not split on them.
      const { id, secret } = generateApiKey();
      expect(parseApiKey(secret)).toBe(id);
    }
  });

  it('returns undefined for anything else', () => {
    const { secret } = generateApiKey();
    for (const bad of [
      '',
      'vmd_',
      'Bearer ' + secret,
      secret + 'x',
      secret.slice(0, -1),
      secret.replace('vmd_', 'vmx_'),
      secret.toUpperCase(),
      `vmd_0123456789abcdef_${'a'.repeat(42)}!`,
      `vmd_0123456789ABCDEF_${'a'.repeat(43)}`,
      ` ${secret}`,
      `${secret}\n`,
    ]) {
      expect(parseApiKey(bad), JSON.stringify(bad)).toBeUndefined();
    }
  });
});

describe('hashSecret / verifySecret', () => {
  it('verifies the right secret and only it', () => {
    const a = generateApiKey();
    const b = generateApiKey();
    const hash = hashSecret(a.secret);
    expect(hash).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(hashSecret(a.secret)).toBe(hash);
    expect(hash).not.toContain(a.secret);
    expect(verifySecret(a.secret, hash)).toBe(true);
    expect(verifySecret(b.secret, hash)).toBe(false);
    expect(verifySecret(a.secret.slice(0, -1) + (a.secret.endsWith('A') ? 'B' : 'A'), hash)).toBe(false);
  });

  it('treats malformed or unknown stored hashes as a mismatch, never a throw', () => {
    const { secret } = generateApiKey();
    const hex = hashSecret(secret).slice('sha256:'.length);
    for (const stored of [
      '',
      hex,
      `md5:${hex}`,
      'sha256:',
      `sha256:${hex.slice(2)}`,
      `sha256:${hex}00`,
      `sha256:${hex.toUpperCase()}`,
    ]) {
      expect(verifySecret(secret, stored), stored).toBe(false);
    }
  });
});

describe('verifyAdminToken', () => {
  it('accepts the exact token', () => {
    expect(verifyAdminToken('s3cret-admin', 's3cret-admin')).toBe(true);
  });

  it('rejects other tokens of any length without throwing', () => {
    expect(verifyAdminToken('s3cret-admiN', 's3cret-admin')).toBe(false);
    expect(verifyAdminToken('s3cret', 's3cret-admin')).toBe(false);
    expect(verifyAdminToken('s3cret-admin-and-more', 's3cret-admin')).toBe(false);
    expect(verifyAdminToken('', 's3cret-admin')).toBe(false);
    expect(verifyAdminToken(undefined, 's3cret-admin')).toBe(false);
    expect(verifyAdminToken('x'.repeat(100_000), 's3cret-admin')).toBe(false);
  });

  it('never matches when no admin token is configured', () => {
    expect(verifyAdminToken('', '')).toBe(false);
    expect(verifyAdminToken('', undefined)).toBe(false);
    expect(verifyAdminToken(undefined, undefined)).toBe(false);
  });
});

describe('ApiKeyAuthenticator', () => {
  function setup(options: { ttl?: number; max?: number } = {}) {
    let t = 0;
    const keys = new Map<string, StoredApiKey>();
    const lookup = vi.fn((id: string) => Promise.resolve(keys.get(id)));
    const auth = new ApiKeyAuthenticator({
      lookup,
      now: () => t,
      ...(options.ttl === undefined ? {} : { cacheTtlMs: options.ttl }),
      ...(options.max === undefined ? {} : { maxCacheEntries: options.max }),
    });
    const add = (tenant: string): string => {
      const { id, secret } = generateApiKey();
      keys.set(id, { id, tenant, hash: hashSecret(secret) });
      return secret;
    };
    return { auth, keys, lookup, add, advance: (ms: number) => (t += ms) };
  }

  it('authenticates a stored key and caches it', async () => {
    const { auth, lookup, add } = setup();
    const secret = add('acme');
    const id = parseApiKey(secret)!;
    expect(await auth.authenticate(secret)).toEqual({ keyId: id, tenant: 'acme' });
    expect(await auth.authenticate(secret)).toEqual({ keyId: id, tenant: 'acme' });
    expect(lookup).toHaveBeenCalledTimes(1);
  });

  it('rejects malformed, unknown and wrong secrets (a cached id does not help a wrong secret)', async () => {
    const { auth, lookup, add } = setup();
    expect(await auth.authenticate('not-a-key')).toBeUndefined();
    expect(lookup).not.toHaveBeenCalled();
    expect(await auth.authenticate(generateApiKey().secret)).toBeUndefined();
    const secret = add('acme');
    await auth.authenticate(secret);
    const forged = secret.slice(0, -2) + (secret.endsWith('AA') ? 'BB' : 'AA');
    expect(await auth.authenticate(forged)).toBeUndefined();
  });

  it('rejects revoked keys; invalidate() applies a revocation at once, the TTL otherwise', async () => {
    const { auth, keys, lookup, add, advance } = setup({ ttl: 1000 });
    const s1 = add('acme');
    const s2 = add('acme');
    await auth.authenticate(s1);
    await auth.authenticate(s2);
    for (const s of [s1, s2]) keys.get(parseApiKey(s)!)!.revokedAt = new Date();
    auth.invalidate(parseApiKey(s1)!);
    expect(await auth.authenticate(s1)).toBeUndefined();
    expect(await auth.authenticate(s2)).toBeDefined(); // still cached
    advance(1000);
    expect(await auth.authenticate(s2)).toBeUndefined();
    expect(lookup).toHaveBeenCalledTimes(4);
  });

  it('status(): valid while cached, then what the store says (revoked, or unknown once gone)', async () => {
    const { auth, keys, lookup, add, advance } = setup({ ttl: 1000 });
    const secret = add('acme');
    const id = parseApiKey(secret)!;
    await auth.authenticate(secret);
    lookup.mockClear();
    expect(await auth.status(id)).toBe('valid');
    expect(lookup).not.toHaveBeenCalled(); // the cache answers: no store read per REPL input
    keys.get(id)!.revokedAt = new Date(); // revoked by another daemon sharing the store
    expect(await auth.status(id)).toBe('valid');
    advance(1000);
    expect(await auth.status(id)).toBe('revoked');
    expect(await auth.authenticate(secret)).toBeUndefined();
    const other = parseApiKey(add('acme'))!;
    expect(await auth.status(other)).toBe('valid'); // read from the store, then cached
    lookup.mockClear();
    expect(await auth.status(other)).toBe('valid');
    expect(lookup).not.toHaveBeenCalled();
    keys.delete(other);
    auth.invalidate(other); // revoked or deleted here: at once
    expect(await auth.status(other)).toBe('unknown');
  });

  it("invalidateTenant forgets all of a tenant's keys", async () => {
    const { auth, keys, add } = setup();
    const a = add('acme');
    const b = add('other');
    await auth.authenticate(a);
    await auth.authenticate(b);
    keys.clear();
    auth.invalidateTenant('acme');
    expect(await auth.authenticate(a)).toBeUndefined();
    expect(await auth.authenticate(b)).toEqual({ keyId: parseApiKey(b), tenant: 'other' });
  });

  it('holds at most maxCacheEntries keys', async () => {
    const { auth, lookup, add } = setup({ max: 3 });
    const secrets = Array.from({ length: 5 }, () => add('acme'));
    for (const s of secrets) await auth.authenticate(s);
    lookup.mockClear();
    await auth.authenticate(secrets[4]!);
    expect(lookup).not.toHaveBeenCalled();
    await auth.authenticate(secrets[0]!);
    expect(lookup).toHaveBeenCalledTimes(1);
  });

  it('propagates store failures instead of calling them bad credentials', async () => {
    const auth = new ApiKeyAuthenticator({ lookup: () => Promise.reject(new Error('disk on fire')) });
    await expect(auth.authenticate(generateApiKey().secret)).rejects.toThrow('disk on fire');
  });
});
