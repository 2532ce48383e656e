/**
 * What the start-up lines say about how the daemon is exposed: the mode (local or secure), TLS
 * (off, on, mutual), the metrics endpoint and tracing, as structured fields and as a sentence a
 * person can read. The `listening` line carries the gRPC side, the metrics and tracing lines
 * their own; addresses a non-loopback peer can reach without credentials are also warned of.
 */
import type { DaemonConfig } from '../config/schema.js';
import { isLoopbackListen } from '../config/schema.js';

/** TLS of the gRPC listener. */
export type TlsMode = 'off' | 'on' | 'mutual';

/** Fields and sentence of the `listening` line. */
export interface ListenerSummary {
  fields: {
    mode: 'local' | 'secure';
    auth: boolean;
    tls: TlsMode;
    insecure: boolean;
    /** The sentence, also as a field: the message of the line is the fixed `listening`. */
    exposure: string;
  };
}

/** How the gRPC listener is exposed. */
export function listenerSummary(config: DaemonConfig): ListenerSummary {
  const tls: TlsMode = config.tlsCert === '' ? 'off' : config.tlsClientCa === '' ? 'on' : 'mutual';
  const mode = config.auth ? 'secure' : 'local';
  const who = config.auth
    ? 'secure mode: every call but health and reflection needs an API key or the admin token'
    : isLoopbackListen(config.listen)
      ? 'local mode: no authentication, loopback only'
      : 'local mode: no authentication, reachable from the network (--insecure)';
  const transport =
    tls === 'off'
      ? 'plaintext (no TLS)'
      : tls === 'on'
        ? 'TLS'
        : 'mutual TLS (clients need a certificate of the client CA)';
  return {
    fields: { mode, auth: config.auth, tls, insecure: config.insecure, exposure: `${who}; ${transport}` },
  };
}

/**
 * Warnings for what a peer off this host can reach without credentials: the gRPC listener in
 * local mode with `--insecure`, and the metrics endpoint (never authenticated).
 */
export function exposureWarnings(
  config: DaemonConfig,
): Array<{ fields: Record<string, unknown>; message: string }> {
  const warnings: Array<{ fields: Record<string, unknown>; message: string }> = [];
  if (!config.auth && !isLoopbackListen(config.listen)) {
    warnings.push({
      fields: { listen: config.listen },
      message: `insecure: gRPC on ${config.listen} without authentication; anyone who reaches it can run code as any tenant`,
    });
  }
  if (config.metrics !== '' && !isLoopbackListen(config.metrics)) {
    warnings.push({
      fields: { metrics_address: config.metrics },
      message: `insecure: metrics on ${config.metrics} without authentication; anyone who reaches it sees tenant names`,
    });
  }
  return warnings;
}

/** The metrics line: the URL to scrape, and that it has no authentication. */
export function metricsSummary(listen: string): { fields: Record<string, unknown>; message: string } {
  const url = `http://${listen}/metrics`;
  return {
    fields: { metrics_address: listen, metrics_url: url, metrics_auth: false },
    message: `serving Prometheus metrics at ${url} (no authentication)`,
  };
}
