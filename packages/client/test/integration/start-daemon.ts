/**
 * Starts the real, built `vmd serve` for the client's integration tests. The client may not
 * import any other vmd package (not even the test kit), so this spawns the daemon's built entry
 * point by path, as users run it: `127.0.0.1:0`, a fresh data directory, readiness from its
 * `ready` log line (which also works for a TLS daemon a plaintext client cannot reach).
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

/** The repository root (packages/client/test/integration → ../../../..). */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');

/** The built `vmd` entry point (`npx nx run daemon:build`). */
const VMD_MAIN = path.join(repoRoot, 'packages/daemon/dist/main.js');

/** A daemon started by {@link startDaemon}. */
export interface RunningDaemon {
  /** `127.0.0.1:PORT`. */
  address: string;
  /** Raw stderr text seen so far. */
  stderr: () => string;
  /** SIGTERM, SIGKILL after `graceMs`; removes the data directory. */
  stop: (graceMs?: number) => Promise<void>;
}

/** Starts `vmd serve` with one worker and `args` added; resolves once it has logged both `listening` and `ready`. */
export async function startDaemon(args: string[] = [], startTimeoutMs = 30_000): Promise<RunningDaemon> {
  if (!existsSync(VMD_MAIN)) {
    throw new Error(`${VMD_MAIN} is missing: build the daemon first (npx nx run daemon:build)`);
  }
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'vmd-client-test-'));
  const child = spawn(
    process.execPath,
    [VMD_MAIN, 'serve', '--listen', '127.0.0.1:0', '--data-dir', dataDir, '--workers', '1', ...args],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const lines = createInterface({ input: child.stdout });
  const stop = async (graceMs = 10_000): Promise<void> => {
    lines.close();
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    }
    await rm(dataDir, { recursive: true, force: true });
  };
  try {
    const address = await new Promise<string>((resolve, reject) => {
      let listening: string | undefined;
      let ready = false;
      const timer = setTimeout(
        () => reject(new Error(`vmd was not ready within ${startTimeoutMs} ms; stderr:\n${stderr}`)),
        startTimeoutMs,
      );
      lines.on('line', (line) => {
        let log: { msg?: unknown; address?: unknown };
        try {
          log = JSON.parse(line) as typeof log;
        } catch {
          return;
        }
        if (log.msg === 'listening' && typeof log.address === 'string') listening = log.address;
        ready ||= log.msg === 'ready';
        if (ready && listening !== undefined) {
          clearTimeout(timer);
          resolve(listening);
        }
      });
      void exited.then(() => {
        clearTimeout(timer);
        reject(new Error(`vmd exited before it was ready; stderr:\n${stderr}`));
      });
    });
    return { address, stderr: () => stderr, stop };
  } catch (err) {
    await stop(0);
    throw err;
  }
}
