import { fork, type ChildProcess } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { statSync } from 'node:fs';
import path from 'node:path';
import { resolveWorkerSpawn } from '@vmd/core';
import type { Logger } from 'pino';

/** Who worker processes run as. */
export interface WorkerIdentity {
  uid?: number;
  gid?: number;
  /** For logs. */
  user?: string;
}

/** How to start one worker process (tests may replace it). */
export type SpawnWorkerFn = (workerId: number) => ChildProcess;

/** Options for {@link createWorkerSpawner}. */
export interface WorkerSpawnerOptions {
  identity: WorkerIdentity;
  /** Extra environment for workers. @default {} */
  env?: Record<string, string>;
}

/**
 * Returns a function that forks a locked-down worker (`resolveWorkerSpawn()` from core:
 * --permission, --allow-addons, read-only access to the installed code, --no-node-snapshot),
 * with piped stdout/stderr and an IPC channel, as the configured uid/gid.
 */
export function createWorkerSpawner(options: WorkerSpawnerOptions): SpawnWorkerFn {
  const spawn = resolveWorkerSpawn();
  return (workerId) =>
    fork(spawn.modulePath, [], {
      execArgv: spawn.execArgv,
      // A directory the (possibly unprivileged) worker can read, not the daemon's cwd.
      cwd: path.dirname(spawn.modulePath),
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      env: {
        NODE_ENV: process.env['NODE_ENV'] ?? 'production',
        VMD_WORKER_ID: String(workerId),
        ...options.env,
      },
      ...(options.identity.uid !== undefined ? { uid: options.identity.uid } : {}),
      ...(options.identity.gid !== undefined ? { gid: options.identity.gid } : {}),
      serialization: 'json',
    });
}

/** True if `file` and each directory above it are readable (and dirs searchable) by "others". */
function worldReadable(file: string): boolean {
  try {
    let p = path.resolve(file);
    if ((statSync(p).mode & 0o004) === 0) return false;
    for (p = path.dirname(p); ; p = path.dirname(p)) {
      if ((statSync(p).mode & 0o005) !== 0o005) return false;
      if (p === path.dirname(p)) return true;
    }
  } catch {
    return false;
  }
}

function lookupUser(name: string): { uid: number; gid: number } | undefined {
  if (/^\d+$/.test(name)) return { uid: Number(name), gid: Number(name) };
  try {
    const uid = Number(execFileSync('id', ['-u', name], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', name], { encoding: 'utf8' }).trim());
    return Number.isInteger(uid) && Number.isInteger(gid) ? { uid, gid } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Decides who workers run as. Only matters when the daemon runs as root: then workers drop to
 * `workerUser` (or `nobody` when empty) — but only if the installed worker code is readable by
 * that user; otherwise they keep root and a warning is logged.
 */
export function resolveWorkerIdentity(workerUser: string, logger: Logger): WorkerIdentity {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) {
    if (workerUser !== '')
      logger.warn({ worker_user: workerUser }, 'workerUser ignored: the daemon does not run as root');
    return {};
  }
  const name = workerUser === '' ? 'nobody' : workerUser;
  const ids = lookupUser(name);
  if (!ids) {
    logger.warn({ worker_user: name }, 'worker user not found; workers keep running as root');
    return {};
  }
  const { modulePath } = resolveWorkerSpawn();
  if (!worldReadable(modulePath)) {
    logger.warn(
      { worker_user: name, module_path: modulePath },
      'installed worker code is not world-readable; workers keep running as root',
    );
    return {};
  }
  logger.info({ worker_user: name, uid: ids.uid, gid: ids.gid }, 'workers drop privileges');
  return { uid: ids.uid, gid: ids.gid, user: name };
}
