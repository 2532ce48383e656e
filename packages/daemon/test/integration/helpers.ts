/**
 * A small spawn helper for the daemon's integration tests: starts the REAL built `vmd serve`
 * (packages/daemon/dist/main.js) on 127.0.0.1:0 with a fresh data dir, parses the pino JSON
 * lines on stdout, waits for `listening` and SERVING. (The lead may switch this to tools/testkit.)
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { credentials, Metadata, status as Status, type CallOptions, type ServiceError } from '@grpc/grpc-js';
import {
  ExecutionServiceClient,
  type ExecuteRequest,
  type ExecuteResponse,
  SourceType,
} from '@vmd/client/wire';

export const DAEMON_MAIN = fileURLToPath(new URL('../../dist/main.js', import.meta.url));

export type LogLine = Record<string, unknown> & { level: number; msg: string };

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
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'vmd-int-'));
  const child = spawn(
    process.execPath,
    [
      DAEMON_MAIN,
      'serve',
      '--listen',
      '127.0.0.1:0',
      '--data-dir',
      dataDir,
      '--workers',
      String(options.workers ?? 2),
      ...(options.args ?? []),
    ],
    { env: { ...process.env, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const logs: LogLine[] = [];
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const timeoutMs = options.timeoutMs ?? 30_000;
  const address = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`no 'listening' line within ${timeoutMs} ms; stderr:\n${stderr}`)),
      timeoutMs,
    );
    createInterface({ input: child.stdout }).on('line', (line) => {
      let parsed: LogLine;
      try {
        parsed = JSON.parse(line) as LogLine;
      } catch {
        return;
      }
      logs.push(parsed);
      if (parsed.msg === 'listening' && typeof parsed['address'] === 'string') {
        clearTimeout(timer);
        resolve(parsed['address']);
      }
    });
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`vmd exited early (code ${code}, signal ${signal}); stderr:\n${stderr}`));
    });
  });
  const client = new ExecutionServiceClient(address, credentials.createInsecure());
  const deadline = Date.now() + timeoutMs;
  const isReady = async (): Promise<boolean> =>
    options.plaintextHealth === false
      ? logs.some((l) => l.msg === 'ready')
      : (await healthStatus(address).catch(() => 'DOWN')) === 'SERVING';
  while (!(await isReady())) {
    if (Date.now() > deadline) throw new Error(`vmd at ${address} never became SERVING`);
    await sleep(50);
  }
  return {
    address,
    pid: child.pid!,
    child,
    dataDir,
    logs,
    stderr: () => stderr,
    exited,
    client,
    async stop(killAfterMs = 15_000) {
      client.close();
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const t = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
        await exited;
        clearTimeout(t);
      }
      await rm(dataDir, { recursive: true, force: true });
    },
  };
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
