import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import os from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import { lowerPriority, threadNiceValues } from './process-priority.js';

const linux = process.platform === 'linux';
let child: ChildProcess | undefined;

afterEach(() => {
  child?.kill('SIGKILL');
  child = undefined;
});

/** A real Node process with its usual threads (V8 platform, libuv), idle until killed. */
async function idleNode(): Promise<number> {
  child = spawn(process.execPath, ['-e', 'process.stdout.write("up"); setInterval(() => {}, 1000)'], {
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  await once(child.stdout!, 'data');
  return child.pid!;
}

describe.runIf(linux)('lowerPriority', () => {
  it('sets every thread of the process to the daemon’s nice value plus the given amount', async () => {
    const pid = await idleNode();
    const before = threadNiceValues(pid);
    expect(before.length).toBeGreaterThan(1); // main thread and Node's helper threads
    const mine = os.getPriority();
    expect(before.every((n) => n === mine)).toBe(true);

    const r = lowerPriority(pid, 7);

    expect(r).toEqual({ threads: before.length });
    expect(threadNiceValues(pid)).toEqual(before.map(() => Math.min(19, mine + 7)));
  });

  it('never goes past 19', async () => {
    const pid = await idleNode();
    lowerPriority(pid, 19);
    expect(new Set(threadNiceValues(pid))).toEqual(new Set([19]));
  });

  it('threads started after the call inherit the lowered priority', async () => {
    child = spawn(
      process.execPath,
      [
        '-e',
        // A Worker thread started on demand, after the parent lowered the main thread.
        `process.stdin.once('data', () => { new (require('node:worker_threads').Worker)('setInterval(() => {}, 1000)', { eval: true }).on('online', () => process.stdout.write('more')); }); process.stdout.write('up');`,
      ],
      { stdio: ['pipe', 'pipe', 'ignore'] },
    );
    await once(child.stdout!, 'data');
    const pid = child.pid!;
    const target = Math.min(19, os.getPriority() + 5);
    lowerPriority(pid, 5);
    const threadsBefore = threadNiceValues(pid).length;
    child.stdin!.write('go\n');
    await once(child.stdout!, 'data');
    const after = threadNiceValues(pid);
    expect(after.length).toBeGreaterThan(threadsBefore);
    expect(new Set(after)).toEqual(new Set([target]));
  });

  it('reports, and does not throw, for a process that is gone', async () => {
    const pid = await idleNode();
    child!.kill('SIGKILL');
    await once(child!, 'exit');
    expect(lowerPriority(pid, 5)).toEqual({ threads: 0 });
  });
});
