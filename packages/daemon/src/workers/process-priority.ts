/**
 * Worker CPU priority. Workers run tenant code and make and dispose isolates; the daemon runs
 * the gRPC server, the scheduler and the supervision of those workers. Run at the same priority,
 * a worker's background work (the next pooled isolate, the disposal of the last one: about
 * 1.5 ms of CPU per run) competes with the daemon on equal terms, and on a small machine a
 * request's next hop often waits behind it (docs/performance.md, "Worker priority"). A lower
 * priority for workers (a higher nice value) lets the daemon, and other processes of the host,
 * go first; workers still take all the CPU nobody else wants.
 *
 * On Linux a nice value belongs to a thread, and a new thread inherits its creator's: the
 * priority is set on every thread the worker has (`/proc/PID/task`), and threads it makes
 * later (isolated-vm's, libuv's) are made by those threads and inherit it.
 */
import { readdirSync } from 'node:fs';
import os from 'node:os';

/** What {@link lowerPriority} did. */
export interface PriorityResult {
  /** Threads whose nice value was set. */
  threads: number;
  /** Why some or all could not be set (the worker runs on at the priority it had). */
  error?: string;
}

/**
 * Sets the nice value of process `pid` and all its threads to this process's own plus `by`
 * (at most 19), so a worker is always below the daemon, whatever the daemon was started at.
 * Never throws: a process that exited meanwhile, or a platform without per-thread priorities,
 * is reported.
 */
export function lowerPriority(pid: number, by: number): PriorityResult {
  const nice = Math.min(19, os.getPriority() + by);
  let tids: number[];
  try {
    tids = readdirSync(`/proc/${pid}/task`).map(Number);
  } catch {
    tids = [pid]; // no procfs (macOS): setpriority applies to the whole process there
  }
  let threads = 0;
  let error: string | undefined;
  for (const tid of tids) {
    try {
      os.setPriority(tid, nice);
      threads++;
    } catch (err) {
      // ESRCH: the thread ended meanwhile; anything else is worth reporting.
      const code = (err as { info?: { code?: string } }).info?.code;
      if (code !== 'ESRCH') error ??= (err as Error).message;
    }
  }
  return error === undefined ? { threads } : { threads, error };
}

/** The nice value of each thread of process `pid` (Linux only; for tests and diagnostics). */
export function threadNiceValues(pid: number): number[] {
  return readdirSync(`/proc/${pid}/task`).map((tid) => os.getPriority(Number(tid)));
}
