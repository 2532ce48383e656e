import type { Logger } from 'pino';
import { logLevelForStatus, statusName } from '../status-mapping.js';
import type { status as Status } from '@grpc/grpc-js';

/**
 * Extra access-log fields a handler may set. Sizes, counts, ids and durations only: never
 * tenant code, input or output.
 */
export interface AccessLogFields {
  /** The call's trace (when tracing is on): every line of a request carries them. */
  trace_id?: string;
  span_id?: string;
  /**
   * Who made the call: `local` (local mode), `admin` or `key:<key id>` (the public id of a
   * `vmd_<id>_<secret>` key, never the secret); on an UNAUTHENTICATED line also `key:<id>` of
   * the refused key, `none` (no credentials) or `unknown` (not shaped like a vmd key).
   */
  principal?: string;
  tenant_id?: string;
  execution_id?: string;
  /** Execute: `ok` or the failure kind (`SYNTAX`, `TIMEOUT`, …) of the terminal event. */
  outcome?: string;
  queue_wait_ms?: number;
  /** Execute: the order in which the scheduler handed runs to workers (1, 2, …, per daemon). */
  dispatch_seq?: number;
  run_ms?: number;
  worker_id?: number;
  output_events?: number;
  code_bytes?: number;
  /** ReplService: the session, whether the stream resumed it, inputs sent on the stream. */
  session_id?: string;
  resumed?: boolean;
  inputs?: number;
  /** FunctionService: the function, its version, whether a warm instance ran it. */
  function?: string;
  function_version?: number;
  /** A warm instance ran it (functions), or a warm isolate of the tenant (isolation `context`). */
  warm?: boolean;
  /** Capability calls (kv, fetch) made by the invocation. */
  capability_calls?: number;
}

/** One completed RPC. */
export interface AccessLogEntry {
  rpc_service: string;
  rpc_method: string;
  grpc_code: Status;
  vmd_error_code: string | undefined;
  duration_ms: number;
  peer: string;
  fields: AccessLogFields;
}

/**
 * Writes THE access line of one RPC (msg `rpc`): info for OK, warn for caller-caused codes,
 * error for INTERNAL and other server faults.
 */
export function logAccess(logger: Logger, entry: AccessLogEntry): void {
  const level = logLevelForStatus(entry.grpc_code);
  logger[level](
    {
      rpc_service: entry.rpc_service,
      rpc_method: entry.rpc_method,
      grpc_code: entry.grpc_code,
      grpc_status: statusName(entry.grpc_code),
      vmd_error_code: entry.vmd_error_code,
      duration_ms: Math.round(entry.duration_ms * 1000) / 1000,
      peer: entry.peer,
      ...entry.fields,
    },
    'rpc',
  );
}
