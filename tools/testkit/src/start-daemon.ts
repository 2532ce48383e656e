import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { VmdClient } from '@vmd/client';
import { repoRoot } from './paths.js';

/** Options for {@link startDaemon}. */
export interface StartDaemonOptions {
  /** Worker processes. @default 2 */
  workers?: number;
  /** Extra `vmd serve` arguments. @default [] */
  args?: string[];
  /** Extra environment variables. @default {} */
  env?: Record<string, string>;
  /** Use this data directory instead of a fresh temporary one (kept on stop). */
  dataDir?: string;
  /** How long to wait for the `listening` line and readiness, ms. @default 30000 */
  startTimeoutMs?: number;
  /**
   * How readiness is seen: `health`, a plaintext Health check answering SERVING; `log`, the
   * daemon's `ready` log line (for a daemon a plaintext client cannot reach, e.g. TLS).
   * @default 'health'
   */
  readyBy?: 'health' | 'log';
}

/** One parsed pino log line of the daemon. */
export type LogLine = Record<string, unknown> & { level: number; msg: string };

/** A running daemon started by {@link startDaemon}. */
export interface RunningDaemon {
  /** `127.0.0.1:PORT`. */
  address: string;
  /** The daemon's process id. */
  pid: number;
  /** The child process. */
  process: ChildProcess;
  /** The data directory (a fresh temporary directory unless one was given). */
  dataDir: string;
  /** A ready client connected to the daemon. */
  client: VmdClient;
  /** Every JSON log line seen so far (stdout), in order. */
  logs: LogLine[];
  /** Raw stderr text seen so far. */
  stderr: () => string;
  /** Resolves with the exit code (or signal) once the process has exited. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Stops the daemon (SIGTERM, then SIGKILL after `graceMs`) and removes a temporary data dir. */
  stop: (graceMs?: number) => Promise<void>;
}

/** Path of the built `vmd` entry point. */
export const VMD_BIN = path.join(repoRoot, 'packages/daemon/dist/main.js');

/**
 * Starts the real, built `vmd serve` on `127.0.0.1:0` with a fresh data directory, waits for
 * its `listening` log line and readiness (a SERVING health check, or `readyBy`), and returns a client.
 * Spawns the binary (never imports the daemon), so tests exercise exactly what users run.
 */
export async function startDaemon(options: StartDaemonOptions = {}): Promise<RunningDaemon> {
  const ownDataDir = options.dataDir === undefined;
  const dataDir = options.dataDir ?? (await mkdtemp(path.join(os.tmpdir(), 'vmd-test-')));
  const child = spawn(
    process.execPath,
    [
      VMD_BIN,
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
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });

  let client: VmdClient | undefined;
  let lines: ReturnType<typeof createInterface> | undefined;
  let address: string;
  try {
    address = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            new Error(
              `vmd did not log 'listening' within ${options.startTimeoutMs ?? 30_000} ms; stderr:\n${stderr}`,
            ),
          ),
        options.startTimeoutMs ?? 30_000,
      );
      lines = createInterface({ input: child.stdout });
      lines.on('line', (line) => {
        let parsed: LogLine;
        try {
          parsed = JSON.parse(line) as LogLine;
        } catch {
          return;
        }
        logs.push(parsed);
        if (parsed.msg === 'listening' && typeof parsed.address === 'string') {
          clearTimeout(timer);
          resolve(parsed.address);
        }
      });
      void exited.then(({ code, signal }) => {
        clearTimeout(timer);
        reject(new Error(`vmd exited early (code ${code}, signal ${signal}); stderr:\n${stderr}`));
      });
    });

    client = new VmdClient({ address });
    const deadline = Date.now() + (options.startTimeoutMs ?? 30_000);
    const readyClient = client;
    const isReady = async (): Promise<boolean> => {
      if (options.readyBy === 'log') return logs.some((l) => l.msg === 'ready');
      try {
        return (await readyClient.health()) === 'SERVING';
      } catch {
        return false; // not ready yet
      }
    };
    while (!(await isReady())) {
      if (child.exitCode !== null || child.signalCode !== null) {
        throw new Error(`vmd exited before it was ready; stderr:\n${stderr}`);
      }
      if (Date.now() > deadline)
        throw new Error(`vmd at ${address} never became ready (${options.readyBy ?? 'health'})`);
      await new Promise((r) => setTimeout(r, 50));
    }
  } catch (err) {
    // Start-up failed or timed out: never leave the daemon (and its workers) running behind.
    client?.close();
    lines?.close();
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await exited;
    }
    if (ownDataDir) await rm(dataDir, { recursive: true, force: true });
    throw err;
  }
  const readyClient = client;

  let stopped = false;
  const stop = async (graceMs = 10_000): Promise<void> => {
    if (stopped) return;
    stopped = true;
    readyClient.close();
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    }
    if (ownDataDir) await rm(dataDir, { recursive: true, force: true });
  };

  return {
    address,
    pid: child.pid!,
    process: child,
    dataDir,
    client: readyClient,
    logs,
    stderr: () => stderr,
    exited,
    stop,
  };
}
