import { Server, ServerCredentials, setLogger } from '@grpc/grpc-js';
import type { Logger } from 'pino';

/** Options for {@link createGrpcServer}. */
export interface GrpcServerOptions {
  /** Largest message received, bytes (grpc.max_receive_message_length). */
  maxMessageBytes: number;
}

/** The grpc-js server with vmd's channel options. */
export function createGrpcServer(options: GrpcServerOptions): Server {
  return new Server({
    'grpc.max_receive_message_length': options.maxMessageBytes,
    'grpc.max_send_message_length': -1,
    'grpc.keepalive_permit_without_calls': 1,
    'grpc.http2.min_ping_interval_without_data_ms': 10_000,
  });
}

/** PEM contents of the server's TLS settings. */
export interface ServerTls {
  cert: Buffer;
  key: Buffer;
  /** Mutual TLS: clients must present a certificate signed by this CA. */
  clientCa?: Buffer;
}

/**
 * The daemon cannot listen on one of its addresses (`vmd serve` prints `cannot listen on
 * ADDRESS: MESSAGE`).
 */
export class ListenError extends Error {
  override readonly name = 'ListenError';
  /** The address as `vmd serve` names it (`127.0.0.1:9464 (--metrics)`); the gRPC address when absent. */
  readonly address: string | undefined;

  constructor(message: string, options: { cause?: unknown; address?: string } = {}) {
    super(message, { cause: options.cause });
    this.address = options.address;
  }
}

/** What a bind failure's system error means for the person who chose the address (`FLAG`: its flag). */
const LISTEN_PROBLEMS: readonly [RegExp, string][] = [
  [/EADDRINUSE/, 'the address is in use (another vmd?); stop that process or choose another FLAG'],
  [/EACCES|EPERM/, 'permission denied (ports below 1024 need privileges; for a socket, check the directory)'],
  [/EADDRNOTAVAIL/, 'the address is not available on this host; use one of its addresses, e.g. 127.0.0.1'],
  [/ENOENT|ENOTDIR/, "the socket's directory does not exist"],
];

/**
 * Why `err`, from binding an address set by `flag`, happened, in words (its own message when
 * it is none of the usual problems).
 */
export function listenProblem(err: Error, flag: string): string {
  const problem = LISTEN_PROBLEMS.find(
    ([re]) => re.test(err.message) || re.test(String((err as { code?: unknown }).code)),
  );
  return problem === undefined ? err.message : problem[1].replace('FLAG', flag);
}

/** Binds in progress: grpc-js's own log line about a failed bind is then not an error of its own. */
let binding = 0;

/**
 * Binds `listen` (`HOST:PORT` or `unix:/path`), with TLS when given. Resolves with the bound address.
 * @throws ListenError saying in words why the address cannot be used (e.g. it is in use)
 */
export function bindServer(server: Server, listen: string, tls?: ServerTls): Promise<string> {
  const credentials =
    tls === undefined
      ? ServerCredentials.createInsecure()
      : ServerCredentials.createSsl(
          tls.clientCa ?? null,
          [{ cert_chain: tls.cert, private_key: tls.key }],
          tls.clientCa !== undefined,
        );
  binding++;
  return new Promise((resolve, reject) => {
    server.bindAsync(listen, credentials, (err, port) => {
      binding--;
      if (err) {
        reject(new ListenError(listenProblem(err, '--listen'), { cause: err }));
        return;
      }
      if (listen.startsWith('unix:')) {
        resolve(listen);
        return;
      }
      const host = listen.slice(0, listen.lastIndexOf(':'));
      resolve(`${host}:${port}`);
    });
  });
}

/**
 * Sends grpc-js's own log lines to `logger` (by default grpc-js writes `E …` lines to stderr,
 * outside the daemon's log): its errors as warnings, except the one it writes when a bind fails,
 * which {@link bindServer} reports itself (as a {@link ListenError}) and is kept at debug.
 * grpc-js has one logger per process, so only the `vmd` binary calls this, not createDaemon.
 */
export function routeGrpcLogs(logger: Logger): void {
  const line = (args: unknown[]): string => args.map(String).join(' ');
  setLogger({
    error: (...args: unknown[]) => {
      if (binding > 0) logger.debug(line(args));
      else logger.warn(line(args));
    },
    info: (...args: unknown[]) => logger.info(line(args)),
    debug: (...args: unknown[]) => logger.debug(line(args)),
  });
}

/**
 * Closes the listener: no new connections, and each open one closes (GOAWAY) once its calls
 * have ended; those still open after `timeoutMs` (a client that does not read the statuses
 * sent to it) are cut off. Resolves true when everything closed in time.
 */
export async function closeListener(server: Server, timeoutMs: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const closed = new Promise<boolean>((resolve) => server.tryShutdown(() => resolve(true)));
  const late = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs)));
  const clean = await Promise.race([closed, late]);
  clearTimeout(timer);
  if (!clean) server.forceShutdown();
  return clean;
}
