/**
 * The real worker process (built dist/worker/worker-main.js) with the production flags from
 * resolveWorkerSpawn(), driven over the IPC protocol: ready, run + output, cancel, ping, shutdown.
 * Requires `tsc -b` first (the nx `integration` target depends on `build`).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// From the build: resolveWorkerSpawn() locates worker-main.js next to itself, in dist/.
import { DEFAULT_LIMITS, resolveWorkerSpawn } from '../dist/index.js';
import type { ParentMessage, WorkerMessage } from '../dist/index.js';

let worker: ChildProcess;
const messages: WorkerMessage[] = [];
const waiters: { pred: (m: WorkerMessage) => boolean; resolve: (m: WorkerMessage) => void }[] = [];

function send(m: ParentMessage): void {
  worker.send(m);
}

function waitFor(pred: (m: WorkerMessage) => boolean, timeoutMs = 10_000): Promise<WorkerMessage> {
  const seen = messages.find(pred);
  if (seen) return Promise.resolve(seen);
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('timed out waiting for a worker message')), timeoutMs);
    waiters.push({
      pred,
      resolve: (m) => {
        clearTimeout(t);
        resolve(m);
      },
    });
  });
}

function request(id: string, code: string, extra: Partial<typeof DEFAULT_LIMITS> = {}): ParentMessage {
  return {
    type: 'run',
    requestId: id,
    request: {
      code,
      sourceType: 'script',
      inputJson: '',
      filename: 'main.js',
      limits: { ...DEFAULT_LIMITS, ...extra },
    },
  };
}

beforeAll(async () => {
  const { modulePath, execArgv } = resolveWorkerSpawn();
  worker = fork(modulePath, [], { execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  worker.on('message', (m: WorkerMessage) => {
    messages.push(m);
    for (const w of [...waiters]) {
      if (w.pred(m)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(m);
      }
    }
  });
  await waitFor((m) => m.type === 'ready');
});

afterAll(() => {
  if (worker.exitCode === null) worker.kill('SIGKILL');
});

describe('worker process over IPC', () => {
  it('runs code, streams output, then sends exactly one run-result', async () => {
    send(request('r1', 'console.log("hello", { a: 1 }); 6 * 7'));
    const result = await waitFor((m) => m.type === 'run-result' && m.requestId === 'r1');
    const outputs = messages.filter((m) => m.type === 'output' && m.requestId === 'r1');
    expect(outputs.map((m) => (m.type === 'output' ? m.event.text : ''))).toEqual(['hello { a: 1 }']);
    expect(result).toMatchObject({ outcome: { status: 'ok', json: '42' } });
    expect(messages.indexOf(outputs[0]!)).toBeLessThan(messages.indexOf(result));
  });

  it('cancels a running execution', async () => {
    send(request('r2', 'for (;;) {}'));
    setTimeout(() => send({ type: 'cancel', requestId: 'r2' }), 100);
    const result = await waitFor((m) => m.type === 'run-result' && m.requestId === 'r2');
    expect(result).toMatchObject({ outcome: { status: 'error', failure: { kind: 'CANCELLED' } } });
  });

  it('answers a platform error with run-error (code too large)', async () => {
    send(request('r3', '1 + 1', { codeBytes: 2 }));
    const result = await waitFor((m) => m.type === 'run-error' && m.requestId === 'r3');
    expect(result).toMatchObject({ error: { code: 'CODE_TOO_LARGE', details: { field: 'code' } } });
  });

  it('answers ping with stats', async () => {
    send({ type: 'ping', requestId: 'p1' });
    const pong = await waitFor((m) => m.type === 'pong' && m.requestId === 'p1');
    expect(pong).toMatchObject({ stats: { pid: worker.pid, running: 0, runsCompleted: 2 } });
    if (pong.type === 'pong') expect(pong.stats.rssBytes).toBeGreaterThan(0);
  });

  it('keeps a function bundle it was sent: later invocations may leave it out', async () => {
    const invoke = (requestId: string, withFiles: boolean): ParentMessage => ({
      type: 'invoke',
      requestId,
      request: {
        key: 't/f/1/cafe',
        ...(withFiles ? { files: [{ path: 'index.js', content: 'module.exports = (e) => e.n * 2;' }] } : {}),
        entry: 'index.js',
        eventJson: '{"n":21}',
        ctx: { tenant: 't', functionName: 'f', version: 1, requestId: 'x', env: {} },
        limits: DEFAULT_LIMITS,
        fresh: true, // no warm instance: the bundle itself must come from the cache
      },
    });
    const resultOf = async (id: string) => {
      const m = await waitFor(
        (x) => (x.type === 'run-result' || x.type === 'run-error') && x.requestId === id,
      );
      if (m.type !== 'run-result' || m.outcome.status !== 'ok') throw new Error(JSON.stringify(m));
      return m.outcome.json;
    };
    // Never sent: it asks for the bundle, and nothing runs.
    send(invoke('b1', false));
    expect((await waitFor((m) => 'requestId' in m && m.requestId === 'b1')).type).toBe('need-bundle');
    // The same requestId again, with the files: it runs, and the worker keeps them.
    send(invoke('b1', true));
    expect(await resultOf('b1')).toBe('42');
    send(invoke('b2', false));
    expect(await resultOf('b2')).toBe('42');
  });

  it('runs with the permission model on', () => {
    const cmdline = readFileSync(`/proc/${worker.pid}/cmdline`, 'utf8').split('\0');
    expect(cmdline).toEqual(expect.arrayContaining(['--permission', '--allow-addons', '--no-node-snapshot']));
    expect(
      cmdline.some((a) => a.startsWith('--allow-fs-write') || a.startsWith('--allow-child-process')),
    ).toBe(false);
  });

  it('a process with these flags cannot write files', async () => {
    // The worker runs only our code, so probe the same flags with a tiny script.
    const dir = mkdtempSync(path.join(tmpdir(), 'vmd-perm-'));
    const probe = path.join(dir, 'probe.mjs');
    writeFileSync(
      probe,
      "import fs from 'node:fs';\nlet out;\ntry { fs.writeFileSync(process.argv[2], 'x'); out = 'WROTE'; } catch (e) { out = e.code; }\nprocess.send({ out, has: process.permission.has('fs.write') }, () => process.exit(0));\n",
    );
    const { execArgv } = resolveWorkerSpawn({ extraReadPaths: [dir] });
    const child = fork(probe, [path.join(dir, 'escape.txt')], {
      execArgv,
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const reply = await new Promise<unknown>((resolve) => child.once('message', resolve));
    expect(reply).toEqual({ out: 'ERR_ACCESS_DENIED', has: false });
  });

  it('shuts down cleanly on shutdown', async () => {
    const exited = new Promise<number | null>((resolve) => worker.once('exit', (code) => resolve(code)));
    send({ type: 'shutdown' });
    expect(await exited).toBe(0);
  });
});
