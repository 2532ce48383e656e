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
 */
import { ErrorCode, VmdError } from '@vmd/core';
import type { CallContext } from '../grpc/adapt-handlers.js';
import { verifyAdminToken, type ApiKeyAuthenticator } from './api-keys.js';

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
  constructor(private readonly options: AuthorizerOptions) {}

  get enabled(): boolean {
    return this.options.enabled;
  }

  /** For TenantService: the admin token (or local mode). */
  async admin(ctx: CallContext): Promise<Principal> {
    if (!this.options.enabled) return { kind: 'local' };
    const p = await this.identify(ctx);
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
    if (!this.options.enabled) return { principal: { kind: 'local' }, tenant: requested };
    const p = await this.identify(ctx);
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

  private async identify(ctx: CallContext): Promise<Principal> {
    const header = ctx.metadata.get('authorization')[0];
    const match = typeof header === 'string' ? /^Bearer\s+(\S{1,512})$/i.exec(header.trim()) : null;
    if (match === null) {
      throw new VmdError(
        ErrorCode.UNAUTHENTICATED,
        'this daemon runs in secure mode: send `authorization: Bearer <API key>` (vmctl: VMD_API_KEY)',
      );
    }
    const secret = match[1]!;
    if (verifyAdminToken(secret, this.options.adminToken)) return { kind: 'admin' };
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

/** The actor string of the audit log. */
export function actorOf(p: Principal): string {
  return p.kind === 'tenant' ? `tenant:${p.tenant}/key:${p.keyId}` : p.kind;
}
