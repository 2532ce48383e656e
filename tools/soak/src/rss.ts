/**
 * Resident memory of the daemon and of its worker processes (Linux: `/proc/<pid>/status`).
 */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

/** VmRSS of a process, KiB; `undefined` when it is gone (or not readable). */
export async function rssKiB(pid: number): Promise<number | undefined> {
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const match = /^VmRSS:\s+(\d+)\s+kB$/m.exec(status);
    return match ? Number(match[1]) : undefined;
  } catch {
    return undefined;
  }
}

/** Process ids of the children of `pid` (`ps -o pid= --ppid PID`): the daemon's workers. */
export async function childPids(pid: number): Promise<number[]> {
  try {
    const { stdout } = await execFileAsync('ps', ['-o', 'pid=', '--ppid', String(pid)]);
    return stdout
      .split('\n')
      .map((line) => Number(line.trim()))
      .filter((n) => Number.isInteger(n) && n > 0);
  } catch {
    // ps exits 1 when there are no children.
    return [];
  }
}

/** One memory sample. */
export interface RssSample {
  /** Seconds since the soak started. */
  t: number;
  /** Runs finished when the sample was taken. */
  runs: number;
  /** Daemon RSS, MiB. */
  daemonMiB: number;
  /** Sum of the workers' RSS, MiB. */
  workersMiB: number;
  /** Worker processes seen in this sample. */
  workers: number;
  /** Largest single worker RSS, MiB. */
  maxWorkerMiB: number;
}

/** Samples the daemon `pid` and its children; `undefined` if the daemon is gone. */
export async function sampleRss(
  pid: number,
  t: number,
  runs: number,
): Promise<{ sample: RssSample; workerPids: number[] } | undefined> {
  const daemon = await rssKiB(pid);
  if (daemon === undefined) return undefined;
  const workerPids = await childPids(pid);
  const workerRss = (await Promise.all(workerPids.map(rssKiB))).filter((v) => v !== undefined);
  const sum = workerRss.reduce((a, b) => a + b, 0);
  return {
    sample: {
      t,
      runs,
      daemonMiB: daemon / 1024,
      workersMiB: sum / 1024,
      workers: workerRss.length,
      maxWorkerMiB: Math.max(0, ...workerRss) / 1024,
    },
    workerPids,
  };
}

/** Least-squares slope of `y` against `x` (units of y per unit of x); NaN with < 2 distinct x. */
export function slope(points: readonly { x: number; y: number }[]): number {
  const n = points.length;
  if (n < 2) return Number.NaN;
  const mx = points.reduce((a, p) => a + p.x, 0) / n;
  const my = points.reduce((a, p) => a + p.y, 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (const p of points) {
    sxy += (p.x - mx) * (p.y - my);
    sxx += (p.x - mx) ** 2;
  }
  return sxx === 0 ? Number.NaN : sxy / sxx;
}
