import { isIP } from 'node:net';
import { checkServerIdentity, type PeerCertificate } from 'node:tls';
import {
  Channel,
  credentials as grpcCredentials,
  InterceptingCall,
  type ChannelCredentials,
  type ChannelOptions,
  type Client,
  type ClientOptions,
  type Interceptor,
  status as GrpcStatus,
} from '@grpc/grpc-js';
import type { ResolvedVmdClientOptions, VmdTlsOptions } from './client-options.js';
import { VmdClientError } from './errors.js';
import { validateTlsOptions } from './validate-tls-options.js';

/** The port used when an address names only a host. */
export const DEFAULT_PORT = 50051;

/** An address after {@link parseAddress}. */
export interface ParsedAddress {
  /** The gRPC target handed to grpc-js, e.g. `127.0.0.1:50051` or `unix:/run/vmd.sock`. */
  target: string;
  /** How the address reads in messages (what the user typed, normalized). */
  display: string;
  /** `tcp` for host:port, `unix` for sockets, `resolver` for other gRPC schemes (dns:, ipv4:, …). */
  transport: 'tcp' | 'unix' | 'resolver';
}

const RESOLVER_SCHEMES = ['dns:', 'ipv4:', 'ipv6:'] as const;
const UNIX_SCHEMES = ['unix:', 'unix-abstract:'] as const;

/**
 * Parses a daemon address: `host:port`, `host` (port 50051), `[::1]:50051`, `unix:/path`,
 * `unix:///path`, a bare absolute socket path (`/run/vmd.sock`), or a gRPC resolver target
 * (`dns:///vmd.internal:50051`, `ipv4:10.0.0.1:50051,10.0.0.2:50051`).
 *
 * @throws VmdClientError `INVALID_ARGUMENT` (field `address`) with a message that shows an
 *   accepted form.
 */
export function parseAddress(address: string): ParsedAddress {
  const text = address.trim();
  if (text === '') throw invalidAddress(address, 'it is empty');
  const lower = text.toLowerCase();
  if (UNIX_SCHEMES.some((s) => lower.startsWith(s))) {
    const path = text.slice(text.indexOf(':') + 1);
    if (path.replace(/^\/\//, '') === '') throw invalidAddress(address, 'the socket path is missing');
    return { target: text, display: text, transport: 'unix' };
  }
  if (RESOLVER_SCHEMES.some((s) => lower.startsWith(s))) {
    return { target: text, display: text, transport: 'resolver' };
  }
  if (text.startsWith('/')) return { target: `unix:${text}`, display: `unix:${text}`, transport: 'unix' };
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(text);
  if (scheme) {
    throw invalidAddress(
      address,
      `the scheme ${scheme[1]}:// is not supported (TLS is configured separately)`,
    );
  }
  const bracketed = /^\[([0-9a-f:.%a-z]+)\](?::(\d+))?$/i.exec(text);
  if (bracketed) {
    const port = checkPort(address, bracketed[2]);
    const target = `[${bracketed[1]}]:${port}`;
    return { target, display: target, transport: 'tcp' };
  }
  const colons = text.split(':').length - 1;
  if (colons > 1) throw invalidAddress(address, 'put an IPv6 address in brackets, e.g. [::1]:50051');
  const [host = '', portText] = text.split(':');
  if (host === '' || /[\s/]/.test(host)) throw invalidAddress(address, 'the host is missing or malformed');
  const target = `${host}:${checkPort(address, portText)}`;
  return { target, display: target, transport: 'tcp' };
}

function checkPort(address: string, portText: string | undefined): number {
  if (portText === undefined) return DEFAULT_PORT;
  const port = /^\d{1,5}$/.test(portText) ? Number(portText) : NaN;
  if (!(port >= 1 && port <= 65535)) {
    throw invalidAddress(address, `the port '${portText}' is not a number from 1 to 65535`);
  }
  return port;
}

function invalidAddress(address: string, why: string): VmdClientError {
  return VmdClientError.invalidArgument(
    'address',
    `invalid vmd address '${address}': ${why} (expected host:port, unix:/path/to.sock or dns:///host:port)`,
  );
}

/**
 * The TLS server name (SNI) sent when the daemon's identity is an IP address, in place of the
 * address itself.
 *
 * grpc-js hands `tls.connect` a `servername` in every case: `grpc.ssl_target_name_override`
 * when set, else the host of the target. For `127.0.0.1:50051` that is an IP address, which
 * RFC 6066 does not allow as a server name, and Node warns (DEP0123, once per process). Only a
 * name that is not an IP address avoids it, so the client overrides the name with this one (the
 * reserved `.invalid` domain: it names no host, and a daemon does not choose its certificate by
 * it) and verifies the certificate itself against the IP address, with Node's own
 * `checkServerIdentity` (see {@link createChannelCredentials}): the certificate must still hold
 * that address as an IP subject alternative name, as it must without the override.
 */
export const IP_ADDRESS_SERVER_NAME = 'ip-address.invalid';

/**
 * The IP address the daemon's certificate is verified against, when its identity is one:
 * `tls.serverName` when given, else the host grpc-js takes from the target (the address' host;
 * the first address of an `ipv4:`/`ipv6:` target). Undefined for names and for plaintext.
 */
export function tlsIpIdentity(address: ParsedAddress, tls: VmdTlsOptions | undefined): string | undefined {
  if (tls === undefined) return undefined;
  const name = tls.serverName ?? targetHost(address);
  return name !== undefined && isIP(name) !== 0 ? name : undefined;
}

/** The host of the target's default authority, as grpc-js derives it (no port, no brackets). */
function targetHost(address: ParsedAddress): string | undefined {
  if (address.transport === 'unix') return undefined;
  let authority = address.target;
  const scheme = /^(dns|ipv4|ipv6):/i.exec(authority);
  if (scheme) {
    authority = authority.slice(scheme[0].length);
    if (scheme[1]!.toLowerCase() === 'dns') authority = authority.replace(/^\/\/[^/]*\//, '');
    else authority = authority.split(',')[0] ?? '';
  }
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(authority);
  if (bracketed) return bracketed[1];
  return authority.split(':').length === 2 ? authority.slice(0, authority.lastIndexOf(':')) : authority;
}

/**
 * Builds channel credentials: plaintext by default, TLS (and mTLS) when configured. With
 * `verifyIp` (see {@link IP_ADDRESS_SERVER_NAME}), the daemon's certificate is verified against
 * that IP address rather than against the server name sent.
 * @throws VmdClientError `INVALID_ARGUMENT` naming the TLS option at fault (see
 *   {@link validateTlsOptions}).
 */
export function createChannelCredentials(
  tls: VmdTlsOptions | undefined,
  verifyIp?: string,
): ChannelCredentials {
  if (tls === undefined) return grpcCredentials.createInsecure();
  const { ca, cert, key } = validateTlsOptions(tls);
  const verify =
    verifyIp === undefined
      ? undefined
      : {
          checkServerIdentity: (_serverName: string, peer: PeerCertificate) =>
            checkServerIdentity(verifyIp, peer),
        };
  try {
    return grpcCredentials.createSsl(ca, key, cert, verify);
  } catch (err) {
    throw new VmdClientError({
      code: 'INVALID_ARGUMENT',
      grpcCode: GrpcStatus.INVALID_ARGUMENT,
      field: 'tls',
      message: `the TLS settings are not usable (${err instanceof Error ? err.message : String(err)}): check tls.ca, tls.cert and tls.key`,
      cause: err,
    });
  }
}

/**
 * A client interceptor that adds `authorization: Bearer <apiKey>` to every call. An
 * interceptor rather than call credentials, so it works on plaintext channels too (grpc-js
 * refuses to compose call credentials with insecure channel credentials).
 */
export function createApiKeyInterceptor(apiKey: string): Interceptor {
  // An API key is visible ASCII (vmd's are `vmd_<id>_<secret>`); anything else could not be
  // sent as a header at all, and grpc-js's error would print the secret back.
  if (!/^[\x21-\x7e]+$/.test(apiKey)) {
    throw VmdClientError.invalidArgument(
      'apiKey',
      'the API key holds a character no API key has (a space, a control or non-ASCII character): check the key you set (--api-key, VMD_API_KEY or the key file)',
    );
  }
  const value = `Bearer ${apiKey}`;
  return (options, nextCall) =>
    new InterceptingCall(nextCall(options), {
      start(metadata, listener, next) {
        metadata.set('authorization', value);
        next(metadata, listener);
      },
    });
}

/** grpc-js channel options derived from resolved client options. */
export function createChannelOptions(
  options: ResolvedVmdClientOptions,
  address: ParsedAddress = parseAddress(options.address),
): Partial<ChannelOptions> {
  const channelOptions: Partial<ChannelOptions> = {
    'grpc.max_receive_message_length': options.maxReceiveMessageBytes,
    'grpc.primary_user_agent': 'vmd-client',
  };
  if (options.keepalive.timeMs > 0) {
    channelOptions['grpc.keepalive_time_ms'] = options.keepalive.timeMs;
    channelOptions['grpc.keepalive_timeout_ms'] = options.keepalive.timeoutMs;
    channelOptions['grpc.keepalive_permit_without_calls'] = 0;
  }
  const serverName = options.tls?.serverName;
  if (tlsIpIdentity(address, options.tls) !== undefined) {
    channelOptions['grpc.ssl_target_name_override'] = IP_ADDRESS_SERVER_NAME;
  } else if (serverName !== undefined) {
    channelOptions['grpc.ssl_target_name_override'] = serverName;
  }
  if (serverName !== undefined) channelOptions['grpc.default_authority'] = serverName;
  return { ...channelOptions, ...options.channelOptions };
}

/**
 * The error of every call made on a closed client (`CANCELLED: this client was closed; create a
 * new VmdClient`), whichever of its methods is called and whatever was called before.
 */
export function closedClientError(address: string): VmdClientError {
  return new VmdClientError({
    code: 'CANCELLED',
    grpcCode: GrpcStatus.CANCELLED,
    message: 'this client was closed; create a new VmdClient',
    address,
  });
}

/** The constructor shape of ts-proto's grpc-js clients (`ExecutionServiceClient`, …). */
export type GrpcClientConstructor<T extends Client> = new (
  address: string,
  credentials: ChannelCredentials,
  options?: Partial<ClientOptions>,
) => T;

/**
 * One HTTP/2 channel to the daemon, shared by every service client made from it, with the
 * API-key interceptor applied to all of them. {@link close} closes the clients and the channel.
 */
export class Connection {
  /** The parsed address. */
  readonly address: ParsedAddress;
  private readonly credentials: ChannelCredentials;
  private readonly channel: Channel;
  private readonly interceptors: Interceptor[];
  private readonly clients: Client[] = [];
  private closed = false;

  /** @throws VmdClientError `INVALID_ARGUMENT` for a malformed address, TLS settings or API key. */
  constructor(options: ResolvedVmdClientOptions) {
    this.address = parseAddress(options.address);
    const channelOptions = createChannelOptions(options, this.address);
    // Verify against the IP address only where the server name sent is the stand-in for it (not
    // where `channelOptions` chose another name to verify).
    const verifyIp =
      channelOptions['grpc.ssl_target_name_override'] === IP_ADDRESS_SERVER_NAME
        ? tlsIpIdentity(this.address, options.tls)
        : undefined;
    this.credentials = createChannelCredentials(options.tls, verifyIp);
    this.channel = new Channel(this.address.target, this.credentials, channelOptions);
    this.interceptors = options.apiKey === undefined ? [] : [createApiKeyInterceptor(options.apiKey)];
  }

  /** True once {@link close} was called. */
  get isClosed(): boolean {
    return this.closed;
  }

  /** Makes a service client that shares this connection's channel and interceptors. */
  createClient<T extends Client>(ctor: GrpcClientConstructor<T>): T {
    if (this.closed) throw closedClientError(this.address.display);
    const client = new ctor(this.address.target, this.credentials, {
      channelOverride: this.channel,
      interceptors: this.interceptors,
    });
    this.clients.push(client);
    return client;
  }

  /** Closes every client and the channel; new calls fail at once. Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const client of this.clients) client.close();
    this.channel.close();
  }
}
