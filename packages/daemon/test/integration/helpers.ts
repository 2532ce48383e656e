/**
 * The daemon's integration-test helpers. `startTestDaemon` starts the REAL built `vmd serve`
 * through tools/testkit (127.0.0.1:0, a fresh data dir, readiness awaited) and adds a raw
 * generated Execute client, since these tests look at the wire: events, trailers, statuses.
 */
import { execFileSync, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { credentials, Metadata, status as Status, type CallOptions, type ServiceError } from '@grpc/grpc-js';
import {
  ExecutionServiceClient,
  type ExecuteRequest,
  type ExecuteResponse,
  SourceType,
} from '@vmd/client/wire';
import { startDaemon, VMD_BIN, type LogLine } from '@vmd/testkit';

export const DAEMON_MAIN = VMD_BIN;

export type { LogLine };

export interface TestDaemon {
  address: string;
  pid: number;
  child: ChildProcess;
  dataDir: string;
  logs: LogLine[];
  stderr: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  client: InstanceType<typeof ExecutionServiceClient>;
  /** SIGTERM and wait (SIGKILL after `killAfterMs`); removes the data dir. */
  stop: (killAfterMs?: number) => Promise<void>;
}

export interface StartOptions {
  workers?: number;
  args?: string[];
  env?: Record<string, string>;
  timeoutMs?: number;
  /** Wait for SERVING with a plaintext health check (false for a TLS daemon: wait for its `ready` log line). @default true */
  plaintextHealth?: boolean;
}

export async function startTestDaemon(options: StartOptions = {}): Promise<TestDaemon> {
  const d = await startDaemon({
    workers: options.workers ?? 2,
    args: options.args ?? [],
    env: options.env ?? {},
    startTimeoutMs: options.timeoutMs ?? 30_000,
    readyBy: options.plaintextHealth === false ? 'log' : 'health',
  });
  const client = new ExecutionServiceClient(d.address, credentials.createInsecure());
  return {
    address: d.address,
    pid: d.pid,
    child: d.process,
    dataDir: d.dataDir,
    logs: d.logs,
    stderr: d.stderr,
    exited: d.exited,
    client,
    async stop(killAfterMs = 15_000) {
      client.close();
      await d.stop(killAfterMs);
    },
  };
}

/** True when nothing accepts connections at `address` any more. */
export function refused(address: string): Promise<boolean> {
  const at = address.lastIndexOf(':');
  return new Promise((resolve) => {
    const socket = net.connect(Number(address.slice(at + 1)), address.slice(0, at));
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(true));
  });
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** grpc.health.v1.Health/Check for service "" (or `service`). */
export async function healthStatus(address: string, service = ''): Promise<string> {
  const { loadSync } = await import('@grpc/proto-loader');
  const { loadPackageDefinition } = await import('@grpc/grpc-js');
  const { protoPath } = await import('grpc-health-check');
  const pkg = loadPackageDefinition(loadSync(protoPath, { keepCase: true, enums: String })) as unknown as {
    grpc: {
      health: {
        v1: { Health: new (a: string, c: ReturnType<typeof credentials.createInsecure>) => HealthClient };
      };
    };
  };
  const client = new pkg.grpc.health.v1.Health(address, credentials.createInsecure());
  try {
    return await new Promise<string>((resolve, reject) =>
      client.Check({ service }, { deadline: Date.now() + 2_000 }, (err, res) =>
        err ? reject(err) : resolve(res!.status),
      ),
    );
  } finally {
    client.close();
  }
}

interface HealthClient {
  Check(
    req: { service: string },
    opts: { deadline: number },
    cb: (err: ServiceError | null, res?: { status: string }) => void,
  ): void;
  close(): void;
}

/** What one Execute call produced. */
export interface ExecuteOutcome {
  events: ExecuteResponse[];
  /** The RPC error, if the call failed. */
  error: ServiceError | undefined;
  trailers: Metadata | undefined;
}

export function executeRequest(partial: Partial<ExecuteRequest>): ExecuteRequest {
  return {
    tenant: 'test',
    code: '',
    sourceType: SourceType.SOURCE_TYPE_SCRIPT,
    inputJson: '',
    limits: undefined,
    filename: '',
    ...partial,
  };
}

/** Runs one Execute call to completion and collects everything. */
export function execute(
  client: InstanceType<typeof ExecutionServiceClient>,
  req: Partial<ExecuteRequest>,
  opts: {
    deadlineMs?: number;
    signal?: AbortSignal;
    onEvent?: (e: ExecuteResponse) => void;
    metadata?: Metadata;
  } = {},
): Promise<ExecuteOutcome> {
  return new Promise((resolve) => {
    const events: ExecuteResponse[] = [];
    let trailers: Metadata | undefined;
    const call = client.execute(
      executeRequest(req),
      opts.metadata ?? new Metadata(),
      opts.deadlineMs ? { deadline: Date.now() + opts.deadlineMs } : {},
    );
    opts.signal?.addEventListener('abort', () => call.cancel(), { once: true });
    call.on('data', (e: ExecuteResponse) => {
      events.push(e);
      opts.onEvent?.(e);
    });
    call.on('status', (s: { metadata: Metadata }) => (trailers = s.metadata));
    call.on('error', (err: ServiceError) => resolve({ events, error: err, trailers: err.metadata }));
    call.on('end', () => resolve({ events, error: undefined, trailers }));
  });
}

/** Pids of the daemon's child processes (its workers). */
export function childPids(pid: number): number[] {
  try {
    return execFileSync('ps', ['-o', 'pid=', '--ppid', String(pid)], { encoding: 'utf8' })
      .split('\n')
      .map((s) => Number(s.trim()))
      .filter((n) => n > 0);
  } catch {
    return [];
  }
}

export { Status };

/** A generated client's unary method, in the form with metadata and call options. */
export type UnaryMethod<Req, Res> = (
  req: Req,
  md: Metadata,
  options: Partial<CallOptions>,
  cb: (err: ServiceError | null, res: Res) => void,
) => unknown;

/** Calls a unary RPC; rejects with the ServiceError when it fails. */
export function unaryCall<Req, Res>(
  client: object,
  method: UnaryMethod<Req, Res>,
  req: Req,
  metadata: Metadata = new Metadata(),
): Promise<Res> {
  return new Promise((resolve, reject) => {
    method.call(client, req, metadata, {}, (err, res) => (err ? reject(err) : resolve(res)));
  });
}
