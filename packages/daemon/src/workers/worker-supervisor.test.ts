import { EventEmitter } from 'node:events';
import { PassThrough } from 'node:stream';
import type { ChildProcess } from 'node:child_process';
import {
  ErrorCode,
  VmdError,
  type ExecutionRequest,
  type ParentMessage,
  type WorkerMessage,
} from '@vmd/core';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { WorkerPool } from './worker-pool.js';

/** A fake worker process: records what the parent sends, lets the test answer. */
class FakeChild extends EventEmitter {
  readonly sent: ParentMessage[] = [];
  readonly stdout = new PassThrough();
  readonly stderr = new PassThrough();
  connected = true;
  exitCode: number | null = null;
  signalCode: NodeJS.Signals | null = null;
  constructor(readonly pid: number) {
    super();
  }
  send(msg: ParentMessage, cb?: (err: Error | null) => void): boolean {
    this.sent.push(msg);
    cb?.(null);
    this.emit('sent', msg);
    return true;
  }
  reply(msg: WorkerMessage): void {
    this.emit('message', msg);
  }
  kill(signal: NodeJS.Signals = 'SIGTERM'): boolean {
    if (this.exitCode !== null || this.signalCode !== null) return false;
    this.die(null, signal);
    return true;
  }
  die(code: number | null, signal: NodeJS.Signals | null): void {
    this.connected = false;
    this.exitCode = code;
    this.signalCode = signal;
    setImmediate(() => this.emit('exit', code, signal));
  }
}

const limits = {
  memoryMib: 64,
  cpuTimeMs: 1000,
  wallTimeMs: 1000,
  outputBytes: 1e6,
  resultBytes: 1e6,
  codeBytes: 1e6,
  consoleLinesPerSecond: 100,
};
const req = (wallTimeMs = 1000): ExecutionRequest => ({
  code: '1',
  sourceType: 'script',
  inputJson: '',
  filename: 'main.js',
  limits: { ...limits, wallTimeMs },
});
const metrics = {
  cpuTimeMs: 1,
  wallTimeMs: 1,
  queueWaitMs: 0,
  heapUsedBytes: 0,
  heapPeakBytes: 0,
  outputBytes: 0,
};
const silent = pino({ level: 'silent' });

function makePool(opts: Partial<ConstructorParameters<typeof WorkerPool>[0]> = {}) {
  const children: FakeChild[] = [];
  let pid = 1000;
  const pool = new WorkerPool({
    workers: 1,
    maxInFlight: 2,
    pingIntervalMs: 10_000,
    pingTimeoutMs: 10_000,
    overrunGraceMs: 10_000,
    rssCeilingBytes: 1e12,
    backoffInitialMs: 5,
    readyTimeoutMs: 1_000,
    spawn: () => {
      const c = new FakeChild(++pid);
      children.push(c);
      setImmediate(() => c.reply({ type: 'ready', pid: c.pid }));
      return c as unknown as ChildProcess;
    },
    logger: silent,
    ...opts,
  });
  return { pool, children, current: () => children.at(-1)! };
}

/** The worker's answer to a ping, reporting `rssBytes` (and nothing running). */
function pong(c: FakeChild, requestId: string, rssBytes: number): void {
  c.reply({
    type: 'pong',
    requestId,
    stats: {
      pid: c.pid,
      running: 0,
      isolatesWarm: 0,
      rssBytes,
      runsCompleted: 0,
      replSessions: 0,
      warmInstances: 0,
    },
  });
}

/** The next `run` message the test has not looked at yet (already sent or still to come). */
function nextRun(c: FakeChild): Promise<Extract<ParentMessage, { type: 'run' }>> {
  type Run = Extract<ParentMessage, { type: 'run' }>;
  const unclaimed = (m: ParentMessage): m is Run => m.type === 'run' && !claimed.has(m);
  return new Promise((resolve) => {
    const take = (m: Run) => {
      claimed.add(m);
      resolve(m);
    };
    const already = c.sent.find(unclaimed);
    if (already) return take(already);
    const on = (m: ParentMessage) => {
      if (unclaimed(m)) {
        c.off('sent', on);
        take(m);
      }
    };
    c.on('sent', on);
  });
}
const claimed = new WeakSet<object>();

const waitFor = async (cond: () => boolean, ms = 2_000) => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 5));
  }
};

describe('WorkerPool / WorkerSupervisor (fake worker processes)', () => {
  it('dispatches a run, routes output and the result by request id', async () => {
    const { pool, current } = makePool();
    await pool.start();
    expect(pool.capacity()).toBe(2);
    const c = current();
    const outputs: string[] = [];
    const runMsg = nextRun(c);
    const result = pool.run(req(), (e) => outputs.push(e.text));
    const { requestId } = await runMsg;
    c.reply({ type: 'output', requestId, event: { stream: 'stdout', level: 'log', text: 'hi', timeMs: 1 } });
    c.reply({
      type: 'output',
      requestId: 'someone-else',
      event: { stream: 'stdout', level: 'log', text: 'nope', timeMs: 1 },
    });
    c.reply({ type: 'run-result', requestId, outcome: { status: 'ok', json: '1', preview: '1', metrics } });
    const r = await result;
    expect(r.outcome.status).toBe('ok');
    expect(r.workerId).toBeGreaterThan(0);
    expect(outputs).toEqual(['hi']);
    await pool.stop(10);
  });

  it('sends a function bundle once per worker, and again when the worker asks for it', async () => {
    const { pool, current } = makePool();
    await pool.start();
    const c = current();
    const invocation = {
      key: 't/f/1/abc',
      files: [{ path: 'index.js', content: 'module.exports = () => 1;' }],
      entry: 'index.js',
      eventJson: '',
      ctx: { tenant: 't', functionName: 'f', version: 1, requestId: 'x', env: {} },
      limits,
      fresh: false,
    };
    type Invoke = Extract<ParentMessage, { type: 'invoke' }>;
    const invokes = () => c.sent.filter((m): m is Invoke => m.type === 'invoke');
    const answer = (requestId: string) =>
      c.reply({ type: 'run-result', requestId, outcome: { status: 'ok', json: '1', preview: '1', metrics } });

    const first = pool.invoke(invocation, () => undefined);
    await waitFor(() => invokes().length === 1);
    expect(invokes()[0]!.request.files).toHaveLength(1);
    answer(invokes()[0]!.requestId);
    await first;

    // The worker has it now: the files stay behind.
    const cancel = new AbortController();
    const second = pool.invoke(invocation, () => undefined, cancel.signal);
    await waitFor(() => invokes().length === 2);
    const { requestId } = invokes()[1]!;
    expect(invokes()[1]!.request.files).toBeUndefined();
    // It was cancelled meanwhile, and the worker no longer had the bundle: both go again.
    cancel.abort();
    c.reply({ type: 'need-bundle', requestId });
    await waitFor(() => invokes().length === 3);
    expect(invokes()[2]).toMatchObject({ requestId, request: { files: invocation.files } });
    expect(c.sent.filter((m) => m.type === 'cancel' && m.requestId === requestId)).toHaveLength(2);
    answer(requestId);
    expect((await second).outcome.status).toBe('ok');

    // A need-bundle for a run that was sent its files is what vmd's worker never sends: the
    // worker is treated as compromised, and its run fails.
    const third = pool.invoke({ ...invocation, key: 't/f/2/def' }, () => undefined);
    await waitFor(() => invokes().length === 4);
    c.reply({ type: 'need-bundle', requestId: invokes()[3]!.requestId });
    await expect(third).rejects.toMatchObject({ code: ErrorCode.WORKER_CRASHED });
    expect(invokes()).toHaveLength(4);
    await pool.stop(10);
  });

  it('fails only the crashed worker in-flight runs with WORKER_CRASHED and replaces it', async () => {
    const { pool, children, current } = makePool();
    await pool.start();
    const c = current();
    const result = pool.run(req(), () => undefined).catch((e: unknown) => e);
    await nextRun(c);
    c.die(null, 'SIGSEGV');
    const err = await result;
    expect(err).toBeInstanceOf(VmdError);
    expect((err as VmdError).code).toBe(ErrorCode.WORKER_CRASHED);
    expect((err as VmdError).message).toMatch(/can be retried/);
    await waitFor(() => children.length === 2 && pool.readyWorkers === 1);
    expect(pool.restarts).toBe(1);
    await pool.stop(10);
  });

  it.each<[string, Record<string, unknown>]>([
    ['a result with an unknown status', { status: 'pwned', metrics }],
    [
      'a failure with an unknown kind',
      {
        status: 'error',
        failure: { kind: 'ROOT', name: 'x', message: 'x', stack: '', line: 0, column: 0 },
        metrics,
      },
    ],
    [
      'metrics that are not numbers',
      { status: 'ok', json: '1', preview: '1', metrics: { ...metrics, cpuTimeMs: 'lots' } },
    ],
  ])(
    'treats a worker that sends %s as compromised: kills it, fails the run, replaces it',
    async (_n, outcome) => {
      const { pool, children, current } = makePool();
      await pool.start();
      const c = current();
      const result = pool.run(req(), () => undefined).catch((e: unknown) => e);
      const { requestId } = await nextRun(c);
      c.reply({ type: 'run-result', requestId, outcome } as unknown as WorkerMessage);
      const err = await result;
      expect(err).toBeInstanceOf(VmdError);
      expect((err as VmdError).code).toBe(ErrorCode.WORKER_CRASHED);
      expect((err as VmdError).message).toMatch(/malformed message/);
      await waitFor(() => children.length === 2 && pool.readyWorkers === 1);
      await pool.stop(10);
    },
  );

  it("bounds what a worker's own stdout/stderr puts in the daemon's log", async () => {
    // V8 prints an exception thrown in a FinalizationRegistry callback, tenant text included,
    // on the worker's stderr: a flood of it must not become a flood of daemon log lines.
    const lines: { msg: string; line?: string; lines?: number }[] = [];
    const logger = pino(
      { level: 'info' },
      { write: (chunk: string) => void lines.push(JSON.parse(chunk) as (typeof lines)[number]) },
    );
    const { pool, current } = makePool({ logger });
    await pool.start();
    const big = 'x'.repeat(10_000);
    for (let i = 0; i < 2_000; i++) current().stderr.write(`<unknown>:1: Uncaught Error: ${i} ${big}\n`);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const logged = lines.filter((l) => l.msg === 'worker output');
    expect(logged.length).toBeGreaterThanOrEqual(50);
    expect(logged.length).toBeLessThan(60);
    expect(Math.max(...logged.map((l) => l.line!.length))).toBeLessThanOrEqual(4096);
    await pool.stop(10);
  });

  it('revives run-error as a VmdError', async () => {
    const { pool, current } = makePool();
    await pool.start();
    const c = current();
    const result = pool.run(req(), () => undefined).catch((e: unknown) => e);
    const { requestId } = await nextRun(c);
    c.reply({ type: 'run-error', requestId, error: { code: 'INTERNAL', message: 'boom', details: {} } });
    expect(((await result) as VmdError).code).toBe('INTERNAL');
    await pool.stop(10);
  });

  it('kills a worker whose run outlives its wall limit + grace; the run ends with TIMEOUT', async () => {
    const { pool, children, current } = makePool({ overrunGraceMs: 20 });
    await pool.start();
    const c = current();
    const result = pool.run(req(30), () => undefined);
    await nextRun(c);
    const r = await result;
    expect(r.outcome.status === 'error' && r.outcome.failure.kind).toBe('TIMEOUT');
    expect(c.signalCode).toBe('SIGKILL');
    await waitFor(() => children.length === 2 && pool.readyWorkers === 1);
    await pool.stop(10);
  });

  it('sends cancel at once when the signal aborts, and kills a worker that ignores it', async () => {
    const { pool, current } = makePool({ cancelGraceMs: 30 });
    await pool.start();
    const c = current();
    const ac = new AbortController();
    const result = pool.run(req(), () => undefined, ac.signal);
    const { requestId } = await nextRun(c);
    ac.abort();
    expect(c.sent.at(-1)).toEqual({ type: 'cancel', requestId });
    const r = await result;
    expect(r.outcome.status === 'error' && r.outcome.failure.kind).toBe('CANCELLED');
    expect(c.signalCode).toBe('SIGKILL');
    await pool.stop(10);
  });

  it('kills a worker that does not answer pings', async () => {
    const { pool, children, current } = makePool({ pingIntervalMs: 10, pingTimeoutMs: 30 });
    await pool.start();
    const c = current();
    await waitFor(() => c.signalCode === 'SIGKILL');
    await waitFor(() => children.length >= 2);
    await pool.stop(10);
  });

  it('drains a worker past its RSS ceiling: its run finishes, new runs go elsewhere, then it is recycled', async () => {
    const { pool, children, current } = makePool({ pingIntervalMs: 10, rssCeilingBytes: 1000 });
    await pool.start();
    const c = current();
    let rss = 500;
    c.on('sent', (m: ParentMessage) => {
      if (m.type === 'ping') pong(c, m.requestId, rss);
      if (m.type === 'shutdown') c.die(0, null);
    });
    const runMsg = nextRun(c);
    const running = pool.run(req(), () => undefined);
    const { requestId } = await runMsg;
    rss = 1200; // past the ceiling, below 1.5×
    await waitFor(() => pool.workers()[0]!.state === 'draining');
    expect(pool.capacity()).toBe(0);
    await expect(pool.run(req(), () => undefined)).rejects.toMatchObject({ code: 'NO_HEALTHY_WORKER' });
    c.reply({ type: 'run-result', requestId, outcome: { status: 'ok', json: '1', preview: '1', metrics } });
    expect((await running).outcome.status).toBe('ok');
    await waitFor(() => c.sent.some((m) => m.type === 'shutdown'));
    expect(c.signalCode).toBeNull(); // a clean shutdown, not a kill
    await waitFor(() => children.length === 2 && pool.capacity() === 2);
    await pool.stop(10);
  });

  it('stays available through an RSS recycle: the slot is replacing its worker, so health does not flap', async () => {
    const changes: boolean[] = [];
    const made = makePool({
      pingIntervalMs: 10,
      rssCeilingBytes: 1000,
      onCapacity: () => {
        if (changes.at(-1) !== made.pool.available) changes.push(made.pool.available);
      },
    });
    const pool = made.pool;
    await pool.start();
    const c = made.current();
    c.on('sent', (m: ParentMessage) => {
      if (m.type === 'ping') pong(c, m.requestId, 1200);
      if (m.type === 'shutdown') c.die(0, null);
    });
    await waitFor(() => made.children.length === 2 && pool.readyWorkers === 1);
    expect(changes).toEqual([true]);
    await pool.stop(10);
  });

  it('is not available while its only worker crashed and waits to restart, and again once one is ready', async () => {
    const changes: boolean[] = [];
    const made = makePool({
      backoffInitialMs: 50,
      onCapacity: () => {
        if (changes.at(-1) !== made.pool.available) changes.push(made.pool.available);
      },
    });
    const pool = made.pool;
    await pool.start();
    expect(pool.available).toBe(true);
    made.current().die(null, 'SIGSEGV');
    await waitFor(() => changes.includes(false));
    expect(pool.available).toBe(false);
    await waitFor(() => made.children.length === 2 && pool.available);
    expect(changes).toEqual([true, false, true]);
    await pool.stop(10);
  });

  it('is not available while its only worker leaves a ping unanswered for half the ping timeout', async () => {
    const made = makePool({ pingIntervalMs: 10, pingTimeoutMs: 2_000 });
    await made.pool.start();
    const q = made.current();
    // Frozen: its pings go unanswered.
    await waitFor(() => !made.pool.available, 5_000);
    expect(made.pool.readyWorkers).toBe(1); // still taking runs: only health counts it out
    const ping = q.sent.findLast((m) => m.type === 'ping')!;
    pong(q, ping.requestId, 1);
    expect(made.pool.available).toBe(true);
    await made.pool.stop(10);
  });

  it('a REPL session opened while no worker is ready waits for one (a worker starting or replacing a crashed one)', async () => {
    let pid = 2000;
    const { pool } = makePool({
      readyTimeoutMs: 5_000,
      spawn: () => {
        const c = new FakeChild(++pid);
        c.on('sent', (m: ParentMessage) => {
          if (m.type === 'repl-open')
            c.reply({ type: 'repl-reply', requestId: m.requestId, reply: { kind: 'opened' } });
        });
        setTimeout(() => c.reply({ type: 'ready', pid: c.pid }), 150); // a slow start
        return c as unknown as ChildProcess;
      },
    });
    const starting = pool.start();
    const events = { onBackgroundOutput: () => undefined, onLost: () => undefined };
    const opened = await pool.openSession('early', limits, events);
    expect(opened.slot).toBe(0);
    await starting;
    await pool.stop(10);
  });

  it('places a REPL session on a worker below 85% of its RSS ceiling, and refuses when none is', async () => {
    const { pool, children } = makePool({ workers: 2, pingIntervalMs: 10, rssCeilingBytes: 1000 });
    await pool.start();
    const rssOf = new Map<FakeChild, number>(children.map((c) => [c, 100]));
    for (const c of children) {
      c.on('sent', (m: ParentMessage) => {
        if (m.type === 'ping') pong(c, m.requestId, rssOf.get(c)!);
        if (m.type === 'repl-open')
          c.reply({ type: 'repl-reply', requestId: m.requestId, reply: { kind: 'opened' } });
      });
    }
    rssOf.set(children[0]!, 900); // past 85%, below the ceiling: still serving runs
    await waitFor(() => pool.workers()[0]!.rssBytes === 900);
    const events = { onBackgroundOutput: () => undefined, onLost: () => undefined };
    for (let i = 0; i < 3; i++) {
      const at = await pool.openSession(`s${i}`, limits, events);
      expect(at.slot).toBe(1);
    }
    rssOf.set(children[1]!, 950);
    await waitFor(() => pool.workers()[1]!.rssBytes === 950);
    await expect(pool.openSession('s9', limits, events)).rejects.toMatchObject({
      code: 'NO_HEALTHY_WORKER',
      message: expect.stringContaining('near its memory ceiling'),
    });
    await pool.stop(10);
  });

  it('kills a worker whose RSS (from pong stats) passes 1.5× the ceiling', async () => {
    const { pool, current } = makePool({ pingIntervalMs: 10, rssCeilingBytes: 100 });
    await pool.start();
    const c = current();
    c.on('sent', (m: ParentMessage) => {
      if (m.type === 'ping') pong(c, m.requestId, 1_000);
    });
    await waitFor(() => c.signalCode === 'SIGKILL');
    await pool.stop(10);
  });

  it('answers NO_HEALTHY_WORKER when no worker is free', async () => {
    const { pool, current } = makePool({ maxInFlight: 1 });
    await pool.start();
    void pool.run(req(), () => undefined).catch(() => undefined);
    await nextRun(current()).catch(() => undefined);
    const err = await pool.run(req(), () => undefined).catch((e: unknown) => e);
    expect((err as VmdError).code).toBe(ErrorCode.NO_HEALTHY_WORKER);
    await pool.stop(10);
  });

  it('fails in-flight runs with SHUTTING_DOWN when stopped', async () => {
    const { pool, current } = makePool();
    await pool.start();
    const c = current();
    const result = pool.run(req(), () => undefined).catch((e: unknown) => e);
    await nextRun(c);
    await pool.stop(20);
    expect(c.sent.some((m) => m.type === 'shutdown')).toBe(true);
    expect(((await result) as VmdError).code).toBe(ErrorCode.SHUTTING_DOWN);
  });
});
