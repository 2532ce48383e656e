import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * API keys: `vmd_<id>_<random>`.
 *
 * - `<id>` is 16 lowercase hex characters (64 bits): not secret, it is the key's public id (shown
 *   in `ListApiKeys`, logs and audit records) and the store's lookup key, so verification is one
 *   primary-key read plus one hash, never a scan.
 * - `<random>` is 32 bytes (256 bits) from the CSPRNG, base64url without padding (43 characters).
 *
 * Only a hash of the whole secret is stored. SHA-256 is the right hash here, not a slow password
 * hash (scrypt, argon2): slow hashes exist to make guessing *low-entropy* human passwords
 * expensive, but guessing a 256-bit random secret is infeasible at any hash speed (2^255
 * attempts on average). A slow hash would add milliseconds of CPU to every authenticated request
 * and give an attacker who floods bad keys a cheap way to burn the daemon's CPU. The stored form
 * names its scheme (`sha256:<hex>`) so a different one can be added later without ambiguity.
 */

/** The fixed prefix of every key; lets secret scanners recognise leaked vmd keys. */
export const API_KEY_PREFIX = 'vmd_';

const ID_BYTES = 8;
const SECRET_BYTES = 32;
const HASH_SCHEME = 'sha256';
const API_KEY_PATTERN = /^vmd_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/;

/** A freshly generated key. `secret` is shown once to the admin and never stored. */
export interface GeneratedApiKey {
  /** The public key id (16 lowercase hex characters). */
  id: string;
  /** The full secret `vmd_<id>_<random>`, sent as `authorization: Bearer <secret>`. */
  secret: string;
}

/** Generates a new API key with 256 bits of randomness. Store `hashSecret(secret)`, not the secret. */
export function generateApiKey(): GeneratedApiKey {
  const id = randomBytes(ID_BYTES).toString('hex');
  const random = randomBytes(SECRET_BYTES).toString('base64url');
  return { id, secret: `${API_KEY_PREFIX}${id}_${random}` };
}

/**
 * The key id inside a secret, or `undefined` if `secret` is not shaped like a vmd key (the
 * caller answers UNAUTHENTICATED without touching the store).
 */
export function parseApiKey(secret: string): string | undefined {
  return API_KEY_PATTERN.exec(secret)?.[1];
}

/** The stored form of a secret: `sha256:<64 hex characters>`. Deterministic. */
export function hashSecret(secret: string): string {
  return `${HASH_SCHEME}:${sha256(secret).toString('hex')}`;
}

/**
 * True if `secret` hashes to `storedHash` (as made by {@link hashSecret}). The comparison is
 * constant-time; an unknown scheme or a malformed stored hash is simply false.
 */
export function verifySecret(secret: string, storedHash: string): boolean {
  const separator = storedHash.indexOf(':');
  if (separator < 0 || storedHash.slice(0, separator) !== HASH_SCHEME) return false;
  const expectedHex = storedHash.slice(separator + 1);
  if (!/^[0-9a-f]{64}$/.test(expectedHex)) return false;
  return timingSafeEqual(sha256(secret), Buffer.from(expectedHex, 'hex'));
}

/**
 * Compares a presented admin token with the configured one in constant time, for any lengths:
 * both are hashed first, so the comparison always runs over 32 bytes and leaks neither content
 * nor length. An empty or missing expected token never matches (no admin token configured means
 * no admin access by token).
 */
export function verifyAdminToken(given: string | undefined, expected: string | undefined): boolean {
  if (expected === undefined || expected.length === 0) return false;
  if (given === undefined) return false;
  // Compare the digests of both; computing both keeps the timing independent of `given`.
  return timingSafeEqual(sha256(given), sha256(expected));
}

/** What {@link ApiKeyAuthenticator} needs to know about a stored key. */
export interface StoredApiKey {
  id: string;
  tenant: string;
  /** As made by {@link hashSecret}. */
  hash: string;
  /** Set once the key is revoked. */
  revokedAt?: Date | undefined;
}

/** Options for {@link ApiKeyAuthenticator}. */
export interface ApiKeyAuthenticatorOptions {
  /** Reads a key by id from the store (`Store.getApiKey`); `undefined` if there is none. */
  lookup: (id: string) => Promise<StoredApiKey | undefined>;
  /**
   * How long a verified key is trusted without reading the store again, ms. A revocation made by
   * this daemon takes effect at once ({@link ApiKeyAuthenticator.invalidate}); one made by another
   * daemon sharing the store takes effect within this time.
   * @default 30000
   */
  cacheTtlMs?: number;
  /**
   * Most keys held in the cache (least recently used are dropped first).
   * @default 10000
   */
  maxCacheEntries?: number;
  /** Clock, ms. @default Date.now */
  now?: () => number;
}

/** The identity behind a valid key. */
export interface AuthenticatedKey {
  keyId: string;
  tenant: string;
}

/**
 * Verifies bearer secrets against the store with an in-memory cache of verified keys, so the
 * request path costs one SHA-256 and a map lookup, and the store is read at most once per key per
 * TTL. Only positive results are cached, keyed by key id, and a cached entry still requires the
 * presented secret to match its hash, so a cache entry never authenticates a wrong secret.
 */
export class ApiKeyAuthenticator {
  private readonly lookup: (id: string) => Promise<StoredApiKey | undefined>;
  private readonly cacheTtlMs: number;
  private readonly maxCacheEntries: number;
  private readonly now: () => number;
  private readonly cache = new Map<string, { tenant: string; hash: string; expiresAt: number }>();

  constructor(options: ApiKeyAuthenticatorOptions) {
    this.lookup = options.lookup;
    this.cacheTtlMs = options.cacheTtlMs ?? 30_000;
    this.maxCacheEntries = options.maxCacheEntries ?? 10_000;
    this.now = options.now ?? Date.now;
  }

  /**
   * The key's identity if `secret` is a valid, unrevoked key; otherwise `undefined` (the caller
   * answers UNAUTHENTICATED without saying which check failed).
   * @throws whatever `lookup` throws (a store failure is not an authentication failure).
   */
  async authenticate(secret: string): Promise<AuthenticatedKey | undefined> {
    const id = parseApiKey(secret);
    if (id === undefined) return undefined;
    const now = this.now();
    const cached = this.cache.get(id);
    if (cached !== undefined && cached.expiresAt > now) {
      this.cache.delete(id); // refresh LRU position
      this.cache.set(id, cached);
      return verifySecret(secret, cached.hash) ? { keyId: id, tenant: cached.tenant } : undefined;
    }
    this.cache.delete(id);
    const stored = await this.lookup(id);
    if (stored === undefined || stored.revokedAt !== undefined || stored.id !== id) return undefined;
    if (!verifySecret(secret, stored.hash)) return undefined;
    this.remember(id, stored, now);
    return { keyId: id, tenant: stored.tenant };
  }

  private remember(id: string, stored: StoredApiKey, now: number): void {
    this.cache.set(id, { tenant: stored.tenant, hash: stored.hash, expiresAt: now + this.cacheTtlMs });
    while (this.cache.size > this.maxCacheEntries) {
      const oldest = this.cache.keys().next().value;
      if (oldest === undefined) break;
      this.cache.delete(oldest);
    }
  }

  /**
   * Whether a key that authenticated earlier may still be used: `valid` while it is cached
   * (within its TTL) or the store has it unrevoked, `revoked` once the store says so, `unknown`
   * when the store no longer has it (its tenant was deleted). A long-lived call (a REPL session)
   * asks this before each input, so a revocation reaches it as it reaches new calls: at once
   * when made by this daemon ({@link invalidate}), within `cacheTtlMs` when made by another.
   * No secret is needed: the caller proved it when the key first authenticated.
   * @throws whatever `lookup` throws
   */
  async status(id: string): Promise<'valid' | 'revoked' | 'unknown'> {
    const now = this.now();
    const cached = this.cache.get(id);
    if (cached !== undefined && cached.expiresAt > now) return 'valid';
    this.cache.delete(id);
    const stored = await this.lookup(id);
    if (stored === undefined || stored.id !== id) return 'unknown';
    if (stored.revokedAt !== undefined) return 'revoked';
    this.remember(id, stored, now);
    return 'valid';
  }

  /** Forgets a key (call after revoking it, or deleting its tenant). */
  invalidate(id: string): void {
    this.cache.delete(id);
  }

  /** Forgets every key of a tenant (call after deleting the tenant). */
  invalidateTenant(tenant: string): void {
    for (const [id, entry] of this.cache) if (entry.tenant === tenant) this.cache.delete(id);
  }

  /** Forgets everything. */
  clear(): void {
    this.cache.clear();
  }
}

function sha256(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}
