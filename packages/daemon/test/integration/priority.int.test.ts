import { readdirSync } from 'node:fs';
import os from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import { childPids, execute, startTestDaemon, type TestDaemon } from './helpers.js';

/**
 * Worker CPU priority on a real daemon: every thread of every worker, including the threads
 * isolated-vm starts for the first run, runs `--worker-nice` below the daemon; the daemon's own
 * threads keep their priority.
 */
const niceOfThreads = (pid: number): number[] =>
  readdirSync(`/proc/${pid}/task`).map((tid) => os.getPriority(Number(tid)));

let d: TestDaemon | undefined;
afterEach(async () => {
  await d?.stop();
  d = undefined;
});

/** Starts a daemon with one worker, runs a little code in it, returns the worker's pid. */
async function daemonWithWorker(args: string[]): Promise<number> {
  d = await startTestDaemon({ workers: 1, args });
  const r = await execute(d.client, {
    tenant: 'nice',
    code: 'await new Promise((r) => setTimeout(r, 5)); 6 * 7',
  });
  expect(r.error).toBeUndefined();
  const [worker] = childPids(d.pid);
  expect(worker).toBeDefined();
  return worker!;
}

describe.runIf(process.platform === 'linux')('worker priority', () => {
  it('runs every worker thread 5 below the daemon by default', async () => {
    const worker = await daemonWithWorker([]);
    const daemonNice = os.getPriority(d!.pid);
    const threads = niceOfThreads(worker);
    expect(threads.length).toBeGreaterThan(4); // Node's threads and isolated-vm's
    expect(new Set(threads)).toEqual(new Set([Math.min(19, daemonNice + 5)]));
    expect(new Set(niceOfThreads(d!.pid))).toEqual(new Set([daemonNice]));
  });

  it('--worker-nice 0 keeps workers at the daemon’s priority', async () => {
    const worker = await daemonWithWorker(['--worker-nice', '0']);
    expect(new Set(niceOfThreads(worker))).toEqual(new Set([os.getPriority(d!.pid)]));
  });
});
