import type { ChannelOptions } from '@grpc/grpc-js';

/** The address {@link VmdClient} dials when none is given. */
export const DEFAULT_ADDRESS = '127.0.0.1:50051';

/**
 * TLS settings. PEM contents, not file paths (`loadClientConfig` reads files for you). They are
 * checked when the client is constructed: a value that is not PEM of the right kind (a CA that
 * is not a certificate, an encrypted or unparsable key, a key that is not the certificate's)
 * throws `INVALID_ARGUMENT` with `field` `tls.ca`, `tls.cert` or `tls.key`.
 */
export interface VmdTlsOptions {
  /**
   * Root certificates that sign the daemon's certificate (PEM).
   * @default the system's trusted roots
   */
  ca?: string | Buffer;
  /**
   * Client certificate chain for mTLS (PEM). Requires `key`.
   * @default no client certificate
   */
  cert?: string | Buffer;
  /**
   * Private key of `cert` (PEM). Requires `cert`.
   * @default no client certificate
   */
  key?: string | Buffer;
  /**
   * Expected name in the daemon's certificate when it differs from the address' host. It is
   * also the TLS server name (SNI) sent, except for an IP address (when this or the address'
   * host is one): RFC 6066 allows no IP address there, so the client sends
   * `ip-address.invalid` and verifies the certificate against the IP address itself (it must
   * hold it as an IP subject alternative name).
   * @default the host of `address`
   */
  serverName?: string;
}

/** HTTP/2 keepalive pings, so idle long streams (REPL, `top`) survive NATs and proxies. */
export interface VmdKeepaliveOptions {
  /**
   * Interval between pings while calls are active, milliseconds. `0` turns pings off.
   * @default 60000
   */
  timeMs?: number;
  /**
   * How long to wait for a ping's answer before the connection is considered dead, ms.
   * @default 20000
   */
  timeoutMs?: number;
}

/** Options of {@link VmdClient}. Every field is optional. */
export interface VmdClientOptions {
  /**
   * Where the daemon listens: `host:port`, `[::1]:port`, `unix:/path/to/socket`,
   * or any gRPC target such as `dns:///vmd.internal:50051`. A bare host gets port 50051.
   * @default '127.0.0.1:50051'
   */
  address?: string;
  /**
   * API key sent as `authorization: Bearer <key>` on every call (secure mode). Works on
   * plaintext and TLS channels alike; use TLS whenever the key crosses a network.
   * @default no key (local mode)
   */
  apiKey?: string;
  /**
   * Tenant used when a call does not name one.
   * @default none: the daemon decides (in secure mode, the API key's tenant)
   */
  tenant?: string;
  /**
   * `true` for TLS with the system roots, or TLS settings (custom CA, mTLS).
   * @default false (plaintext; vmd's local mode listens on loopback or a unix socket)
   */
  tls?: boolean | VmdTlsOptions;
  /**
   * HTTP/2 keepalive.
   * @default { timeMs: 60000, timeoutMs: 20000 }
   */
  keepalive?: VmdKeepaliveOptions;
  /**
   * Largest message this client accepts, bytes (results can be large).
   * @default 67108864 (64 MiB)
   */
  maxReceiveMessageBytes?: number;
  /**
   * Deadline of unary calls that are not given one (health checks, admin calls), ms.
   * Streaming calls (execute, REPL) have no default deadline.
   * @default 10000
   */
  defaultUnaryTimeoutMs?: number;
  /**
   * Extra grpc-js channel options, applied last (they override the ones above).
   * @default {}
   */
  channelOptions?: Partial<ChannelOptions>;
}

/** {@link VmdClientOptions} with every default filled in (see {@link resolveVmdClientOptions}). */
export interface ResolvedVmdClientOptions {
  address: string;
  apiKey: string | undefined;
  tenant: string | undefined;
  tls: VmdTlsOptions | undefined;
  keepalive: Required<VmdKeepaliveOptions>;
  maxReceiveMessageBytes: number;
  defaultUnaryTimeoutMs: number;
  channelOptions: Partial<ChannelOptions>;
}

/** Fills in the defaults of {@link VmdClientOptions} in one place. */
export function resolveVmdClientOptions(options: VmdClientOptions = {}): ResolvedVmdClientOptions {
  return {
    address: options.address?.trim() || DEFAULT_ADDRESS,
    apiKey: options.apiKey || undefined,
    tenant: options.tenant || undefined,
    tls: options.tls === true ? {} : options.tls || undefined,
    keepalive: {
      timeMs: options.keepalive?.timeMs ?? 60_000,
      timeoutMs: options.keepalive?.timeoutMs ?? 20_000,
    },
    maxReceiveMessageBytes: options.maxReceiveMessageBytes ?? 64 * 1024 * 1024,
    defaultUnaryTimeoutMs: options.defaultUnaryTimeoutMs ?? 10_000,
    channelOptions: options.channelOptions ?? {},
  };
}
