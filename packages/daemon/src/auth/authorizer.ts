/**
 * Who may call what (DESIGN: Tenancy, auth and scheduling).
 *
 * - Local mode (no `--auth`): everyone is `local`; the daemon only listens on loopback or a unix
 *   socket (config check), so "everyone" is this machine's users.
 * - Secure mode: every call carries `authorization: Bearer <secret>`.
 *   - a tenant API key acts as its tenant only: the request's tenant must be that tenant or
 *     empty (then it is filled in); another tenant, or an admin RPC → PERMISSION_DENIED;
 *   - the admin token reaches TenantService only; it cannot run code (it should never be handed
 *     to a service that runs code) → PERMISSION_DENIED on tenant RPCs;
 *   - missing, malformed, wrong or revoked credentials → UNAUTHENTICATED, without saying which.
 * Comparisons are constant-time (api-keys.ts). Health and reflection stay open.
 *
 * Every call is identified once ({@link Authorizer.identify}, run by the gRPC adapter before the
 * handler), and its access-log line names the principal: `local`, `admin` or `key:<key id>`.
 */
import { ErrorCode, VmdError } from '@vmd/core';
import type { CallContext } from '../grpc/adapt-handlers.js';
import { parseApiKey, verifyAdminToken, type ApiKeyAuthenticator } from './api-keys.js';

/** The identity a call runs as. */
export type Principal =
  { kind: 'local' } | { kind: 'admin' } | { kind: 'tenant'; tenant: string; keyId: string };

export interface AuthorizerOptions {
  /** Secure mode. */
  enabled: boolean;
  /** The admin token (secure mode). */
  adminToken: string | undefined;
  authenticator: ApiKeyAuthenticator;
}

export class Authorizer {
  /** Each call is identified once, however many checks ask. */
  private readonly identified = new WeakMap<CallContext, Promise<Principal>>();
  private readonly principals = new WeakMap<CallContext, Principal>();

  constructor(private readonly options: AuthorizerOptions) {}

  get enabled(): boolean {
    return this.options.enabled;
  }

  /** For TenantService: the admin token (or local mode). */
  async admin(ctx: CallContext): Promise<Principal> {
    const p = await this.identify(ctx);
    if (p.kind === 'local') return p;
    if (p.kind !== 'admin') {
      throw new VmdError(
        ErrorCode.PERMISSION_DENIED,
        'this RPC needs the admin token; a tenant API key cannot administer tenants',
      );
    }
    return p;
  }

  /**
   * For tenant RPCs: returns the tenant the call acts as (`requested`, or the key's tenant when
   * `requested` is empty).
   */
  async tenant(ctx: CallContext, requested: string): Promise<{ principal: Principal; tenant: string }> {
    const p = await this.identify(ctx);
    if (p.kind === 'local') return { principal: p, tenant: requested };
    if (p.kind !== 'tenant') {
      throw new VmdError(
        ErrorCode.PERMISSION_DENIED,
        "the admin token cannot run code; use the tenant's API key (vmctl key create TENANT)",
      );
    }
    if (requested !== '' && requested !== p.tenant) {
      throw new VmdError(
        ErrorCode.PERMISSION_DENIED,
        `this API key acts as tenant '${p.tenant}' only; it cannot act as '${requested.slice(0, 64)}'`,
      );
    }
    return { principal: p, tenant: p.tenant };
  }

  /**
   * Who makes the call: `local` in local mode; in secure mode the admin or the tenant of a valid
   * API key. Sets the access line's `principal` — also when the credentials are refused, then
   * `key:<id>` for a vmd-shaped key (its public id, never the secret), `none` without
   * credentials and `unknown` for anything else. Answered once per call (later calls share it).
   * @throws VmdError UNAUTHENTICATED for missing, malformed, wrong or revoked credentials
   */
  identify(ctx: CallContext): Promise<Principal> {
    let identified = this.identified.get(ctx);
    if (identified === undefined) {
      identified = this.identifyOnce(ctx);
      this.identified.set(ctx, identified);
    }
    return identified;
  }

  /**
   * The audit log's actor for a call already identified ({@link actorOf}); `fallback` when it
   * was not (the call never reached the auth layer).
   */
  actor(ctx: CallContext, fallback: string): string {
    const p = this.principals.get(ctx);
    return p === undefined ? fallback : actorOf(p);
  }

  private async identifyOnce(ctx: CallContext): Promise<Principal> {
    const p = await this.check(ctx);
    this.principals.set(ctx, p);
    ctx.logFields.principal = principalName(p);
    return p;
  }

  private async check(ctx: CallContext): Promise<Principal> {
    if (!this.options.enabled) return { kind: 'local' };
    const header = ctx.metadata.get('authorization')[0];
    const match = typeof header === 'string' ? /^Bearer\s+(\S{1,512})$/i.exec(header.trim()) : null;
    if (match === null) {
      ctx.logFields.principal = 'none';
      throw new VmdError(
        ErrorCode.UNAUTHENTICATED,
        'this daemon runs in secure mode: send `authorization: Bearer <API key>` (vmctl: VMD_API_KEY)',
      );
    }
    const secret = match[1]!;
    if (verifyAdminToken(secret, this.options.adminToken)) return { kind: 'admin' };
    const presentedId = parseApiKey(secret);
    // Named on the access line even if it is refused: the id is the key's public part.
    ctx.logFields.principal = presentedId === undefined ? 'unknown' : `key:${presentedId}`;
    const key = await this.options.authenticator.authenticate(secret);
    if (key === undefined) {
      throw new VmdError(
        ErrorCode.UNAUTHENTICATED,
        'the API key is not valid (unknown, revoked or mistyped); ask an admin for a new one',
      );
    }
    return { kind: 'tenant', tenant: key.tenant, keyId: key.keyId };
  }
}

/** The access line's `principal`: `local`, `admin` or `key:<key id>`. */
export function principalName(p: Principal): string {
  return p.kind === 'tenant' ? `key:${p.keyId}` : p.kind;
}

/** The actor string of the audit log. */
export function actorOf(p: Principal): string {
  return p.kind === 'tenant' ? `tenant:${p.tenant}/key:${p.keyId}` : p.kind;
}
