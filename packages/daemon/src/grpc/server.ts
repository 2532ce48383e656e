import { Server, ServerCredentials } from '@grpc/grpc-js';

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

/** Binds `listen` (`HOST:PORT` or `unix:/path`), with TLS when given. Resolves with the bound address. */
export function bindServer(server: Server, listen: string, tls?: ServerTls): Promise<string> {
  const credentials =
    tls === undefined
      ? ServerCredentials.createInsecure()
      : ServerCredentials.createSsl(
          tls.clientCa ?? null,
          [{ cert_chain: tls.cert, private_key: tls.key }],
          tls.clientCa !== undefined,
        );
  return new Promise((resolve, reject) => {
    server.bindAsync(listen, credentials, (err, port) => {
      if (err) {
        reject(err);
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

/** tryShutdown as a promise. */
export function tryShutdown(server: Server): Promise<void> {
  return new Promise((resolve) => server.tryShutdown(() => resolve()));
}
