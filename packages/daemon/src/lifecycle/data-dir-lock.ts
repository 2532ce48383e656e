/**
 * The data directory's lock: one `vmd serve` per data directory. Two daemons on one SQLite store
 * would each cache what the other changes (a revoked key, a deleted tenant stays usable on the
 * other for up to its cache TTL), so the second one refuses to start instead.
 *
 * The lock is a file, `<dataDir>/vmd.lock`, holding the owner's pid (and, on Linux, its start
 * time, so a pid reused by another process after a crash is not mistaken for the owner). It
 * appears atomically with its content (written aside, then hard-linked into place, which fails
 * when it exists). A lock whose owner is gone (kill -9, a crash, a power cut) is taken over.
 */
import {
  closeSync,
  linkSync,
  openSync,
  readFileSync,
  renameSync,
  statSync,
  unlinkSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import path from 'node:path';
import { makeDirectory } from './make-directory.js';

/** Name of the lock file in the data directory. */
export const LOCK_FILE = 'vmd.lock';

/** The data directory cannot be used (printed by `vmd serve` after the directory's path). */
export class DataDirError extends Error {
  override readonly name = 'DataDirError';
}

/** Who holds a lock, as its file says. */
export interface LockOwner {
  pid: number;
  /** Start time of the process, clock ticks since boot (`/proc/PID/stat`), when known. */
  startTicks?: number;
}

/** A held data-directory lock. */
export interface DataDirLock {
  /** Path of the lock file. */
  readonly path: string;
  /** The owner of a stale lock this one replaced (its process was gone). */
  readonly takenOverFrom: LockOwner | undefined;
  /** Removes the lock file (if it is still this process's). Idempotent. */
  release(): void;
}

/** Options of {@link lockDataDir}, for tests. */
export interface LockOptions {
  /** This process's identity. @default { pid: process.pid, startTicks: from /proc/self/stat } */
  self?: LockOwner;
  /** Whether the process a lock names still runs. @default {@link ownerAlive} */
  isAlive?: (owner: LockOwner) => boolean;
}

/** Lock files this process holds: a second daemon in one process on one directory is refused too. */
const heldHere = new Set<string>();

/** Start time of process `pid` in clock ticks since boot (Linux), or undefined. */
export function processStartTicks(pid: number | 'self'): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 22; the command name (field 2) is in parentheses and may hold spaces.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[19]);
    return Number.isSafeInteger(ticks) ? ticks : undefined;
  } catch {
    return undefined;
  }
}

/** True when the process a lock names still runs (and is the same process, where that is known). */
export function ownerAlive(owner: LockOwner): boolean {
  try {
    process.kill(owner.pid, 0);
  } catch (err) {
    // EPERM: it runs, as another user.
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  if (owner.startTicks === undefined) return true;
  const now = processStartTicks(owner.pid);
  return now === undefined || now === owner.startTicks;
}

function formatOwner(owner: LockOwner): string {
  return `${owner.pid}\n${owner.startTicks !== undefined ? `start ${owner.startTicks}\n` : ''}`;
}

/** The owner a lock file names, or undefined when it names none (empty, garbled). */
export function parseOwner(text: string): LockOwner | undefined {
  const [first = '', second = ''] = text.split('\n');
  const pid = Number(first.trim());
  if (!Number.isSafeInteger(pid) || pid <= 0) return undefined;
  const ticks = /^start (\d+)$/.exec(second.trim());
  return ticks ? { pid, startTicks: Number(ticks[1]) } : { pid };
}

function readOwner(file: string): { text: string; owner: LockOwner | undefined } | undefined {
  try {
    const text = readFileSync(file, 'utf8');
    return { text, owner: parseOwner(text) };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

const code = (err: unknown): string | undefined => (err as NodeJS.ErrnoException).code;

/** Creates the directory (mode 0700) if missing. @throws DataDirError in words */
function ensureDirectory(dir: string): void {
  try {
    makeDirectory(dir, 0o700);
  } catch (err) {
    switch (code(err)) {
      case 'ENOENT':
        throw new DataDirError('it cannot be created there (ENOENT); choose another --data-dir');
      case 'ENOTDIR':
        throw new DataDirError('a part of its path is a file, not a directory; choose another --data-dir');
      case 'EACCES':
      case 'EPERM':
      case 'EROFS':
        throw new DataDirError(
          `it cannot be created (${code(err)}); create it, writable by this user, or choose another --data-dir`,
        );
      default:
        throw new DataDirError((err as Error).message);
    }
  }
  // An existing path is accepted as it is: it must be a directory (or a symlink to one).
  if (!statSync(dir).isDirectory()) {
    throw new DataDirError('it exists and is not a directory; remove it or choose another --data-dir');
  }
}

/** Puts `content` at `file` only if nothing is there, atomically. False when something is. */
function createExclusive(file: string, content: string, pid: number): boolean {
  const aside = `${file}.${pid}.new`;
  writeFileSync(aside, content, { mode: 0o600 });
  try {
    linkSync(aside, file);
    return true;
  } catch (err) {
    if (code(err) === 'EEXIST') return false;
    // A file system without hard links: create exclusively, then write (the owner is briefly
    // unreadable, which a concurrent start takes for a stale lock only within that instant).
    if (code(err) !== 'EPERM' && code(err) !== 'ENOTSUP' && code(err) !== 'EOPNOTSUPP') throw err;
    let fd: number;
    try {
      fd = openSync(file, 'wx', 0o600);
    } catch (err2) {
      if (code(err2) === 'EEXIST') return false;
      throw err2;
    }
    try {
      writeSync(fd, content);
    } finally {
      closeSync(fd);
    }
    return true;
  } finally {
    try {
      unlinkSync(aside);
    } catch {
      // already gone
    }
  }
}

/**
 * Moves a stale lock out of the way, if it is still the one judged stale (another daemon may
 * have taken it over and put its own in place meanwhile). True when the stale lock is gone.
 */
function removeStale(file: string, staleText: string, pid: number): boolean {
  const moved = `${file}.${pid}.stale`;
  try {
    renameSync(file, moved);
  } catch (err) {
    if (code(err) === 'ENOENT') return true; // someone else removed it
    throw err;
  }
  const text = readFileSync(moved, 'utf8');
  if (text === staleText) {
    unlinkSync(moved);
    return true;
  }
  // A live daemon's fresh lock was moved: put it back where it was.
  try {
    linkSync(moved, file);
  } catch {
    // A third start already put a lock there; it owns the directory.
  }
  unlinkSync(moved);
  return false;
}

/**
 * Makes sure `dataDir` is a directory (creating it, mode 0700) and takes its lock.
 * @throws DataDirError when the path is not a usable directory, or another live vmd holds the
 *   lock (the message names its pid).
 */
export function lockDataDir(dataDir: string, options: LockOptions = {}): DataDirLock {
  const dir = path.resolve(dataDir);
  ensureDirectory(dir);
  const file = path.join(dir, LOCK_FILE);
  const self = options.self ?? { pid: process.pid, startTicks: processStartTicks('self') };
  const isAlive = options.isAlive ?? ownerAlive;
  const content = formatOwner(self);
  const heldBy = (owner: LockOwner | undefined): DataDirError =>
    new DataDirError(
      `another vmd${owner !== undefined ? ` (pid ${owner.pid})` : ''} is using it (lock ${file}); stop that daemon, or choose another --data-dir`,
    );
  if (heldHere.has(file)) throw heldBy(self);

  let takenOverFrom: LockOwner | undefined;
  for (let attempt = 0; ; attempt++) {
    let created: boolean;
    try {
      created = createExclusive(file, content, self.pid);
    } catch (err) {
      throw new DataDirError(`cannot create its lock file ${file}: ${(err as Error).message}`);
    }
    if (created) break;
    const found = readOwner(file);
    if (found === undefined) continue; // removed in the meantime: try again
    const { owner, text } = found;
    // Our own pid in a lock this process does not hold is a previous life of this pid (a
    // container's pid 1 after a restart, say).
    if (owner !== undefined && owner.pid !== self.pid && isAlive(owner)) throw heldBy(owner);
    if (attempt >= 5) throw heldBy(owner);
    if (removeStale(file, text, self.pid)) takenOverFrom = owner ?? takenOverFrom;
  }
  heldHere.add(file);

  let released = false;
  const release = (): void => {
    if (released) return;
    released = true;
    heldHere.delete(file);
    process.off('exit', release);
    try {
      // Only a lock that is still ours: never one another daemon took over (this one was
      // presumed dead, e.g. stopped for a long time).
      if (readFileSync(file, 'utf8') === content) unlinkSync(file);
    } catch {
      // gone already, or unreadable: nothing of ours to remove
    }
  };
  // An exit that skips the graceful stop (a second signal, a fatal error) still removes it.
  process.on('exit', release);
  return { path: file, takenOverFrom, release };
}
