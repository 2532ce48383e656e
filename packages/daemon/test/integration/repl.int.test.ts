import { credentials, Metadata, type ClientDuplexStream, type ServiceError } from '@grpc/grpc-js';
import {
  ErrorKind,
  MonitorServiceClient,
  ReplServiceClient,
  Tenant,
  TenantServiceClient,
  type SessionRequest,
  type SessionResponse,
} from '@vmd/client/wire';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { childPids, execute, sleep, startTestDaemon, Status, unaryCall, type TestDaemon } from './helpers.js';

/**
 * ReplService through a real daemon: sessions pinned to a worker, isolation between sessions
 * and tenants, resume after a dropped connection, idle expiry, worker crash, quotas.
 */
let d: TestDaemon;
let repl: InstanceType<typeof ReplServiceClient>;

beforeAll(async () => {
  d = await startTestDaemon({ workers: 1 });
  repl = new ReplServiceClient(d.address, credentials.createInsecure());
});
afterAll(async () => {
  repl.close();
  await d.stop();
});

type Response = NonNullable<SessionResponse['response']>;

/** One Session stream, driven like a client would. */
class Stream {
  readonly call: ClientDuplexStream<SessionRequest, SessionResponse>;
  readonly received: Response[] = [];
  error: ServiceError | undefined;
  ended = false;
  private waiters: (() => void)[] = [];
  private seq = 0;

  constructor(metadata = new Metadata()) {
    this.call = repl.session(metadata);
    this.call.on('data', (m: SessionResponse) => {
      if (m.response) this.received.push(m.response);
      this.notify();
    });
    this.call.on('error', (err: ServiceError) => {
      this.error = err;
      this.ended = true;
      this.notify();
    });
    this.call.on('end', () => {
      this.ended = true;
      this.notify();
    });
  }

  private notify(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  send(request: SessionRequest['request']): void {
    this.call.write({ request });
  }

  async waitFor<C extends Response['$case']>(
    match: (r: Response) => r is Extract<Response, { $case: C }>,
    timeoutMs = 10_000,
  ): Promise<Extract<Response, { $case: C }>> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const i = this.received.findIndex(match);
      if (i >= 0) return this.received.splice(i, 1)[0] as Extract<Response, { $case: C }>;
      if (this.ended) throw new Error(`stream ended: ${this.error?.details ?? 'ok'}`);
      if (Date.now() > until) throw new Error(`timed out; received ${JSON.stringify(this.received)}`);
      await new Promise<void>((r) => {
        this.waiters.push(r);
        setTimeout(r, 100);
      });
    }
  }

  async open(
    tenant: string,
    extra: Partial<Extract<SessionRequest['request'], { $case: 'open' }>['value']> = {},
  ) {
    this.send({
      $case: 'open',
      value: { tenant, limits: undefined, resumeSessionId: '', color: false, idleTtlMs: 0, ...extra },
    });
    return (await this.waitFor((r): r is Extract<Response, { $case: 'ready' }> => r.$case === 'ready')).value;
  }

  /** Evaluates one input: its output texts and its terminal response. */
  async eval(code: string): Promise<{ output: string[]; terminal: Response }> {
    const inputId = `i${++this.seq}`;
    this.send({ $case: 'input', value: { inputId, code } });
    const terminal = await this.waitFor(
      (r): r is Extract<Response, { $case: 'result' | 'error' | 'incomplete' }> =>
        (r.$case === 'result' || r.$case === 'error' || r.$case === 'incomplete') &&
        r.value.inputId === inputId,
    );
    const output: string[] = [];
    for (let i = this.received.length - 1; i >= 0; i--) {
      const r = this.received[i]!;
      if (r.$case === 'output' && r.value.inputId === inputId) {
        output.unshift(r.value.output!.text);
        this.received.splice(i, 1);
      }
    }
    return { output, terminal };
  }

  async value(code: string): Promise<string> {
    const { terminal } = await this.eval(code);
    if (terminal.$case !== 'result') throw new Error(`expected a result, got ${JSON.stringify(terminal)}`);
    return terminal.value.value!.preview;
  }

  close(): void {
    this.send({ $case: 'close', value: {} });
  }

  drop(): void {
    this.call.cancel();
  }
}

/**
 * Takes every run slot of the daemon's one worker (3, the default) with inputs of three sessions
 * of `tenant` that run for 600 ms; resolves once all three are running. `inputs` are their
 * previews: `Date.now()` when each ended.
 */
async function fillRunSlots(tenant: string): Promise<{ sessions: Stream[]; inputs: Promise<string>[] }> {
  const sessions = [new Stream(), new Stream(), new Stream()];
  for (const s of sessions) await s.open(tenant);
  const inputs = sessions.map((s) =>
    s.value('console.log("running"); await new Promise((r) => setTimeout(r, 600)); Date.now()'),
  );
  for (const s of sessions) {
    await s.waitFor((r): r is Extract<Response, { $case: 'output' }> => r.$case === 'output');
  }
  return { sessions, inputs };
}

describe('ReplService', () => {
  it('keeps state across inputs, streams output, answers incomplete, completes and interrupts', async () => {
    const s = new Stream();
    const ready = await s.open('alice');
    expect(ready.sessionId).toMatch(/^[0-9a-f-]{36}$/);
    expect(ready.limits?.memoryMib).toBeGreaterThan(0);
    expect(await s.value('let n = 20')).toBe('undefined');
    const r = await s.eval('console.log("n is", n); n + 1');
    expect(r.output).toEqual(['n is 20']);
    expect(r.terminal.$case === 'result' && r.terminal.value.value?.preview).toBe('21');
    expect((await s.eval('function f() {')).terminal.$case).toBe('incomplete');
    s.send({ $case: 'complete', value: { requestId: 'c1', line: 'Math.ma', cursor: 7 } });
    const c = await s.waitFor(
      (x): x is Extract<Response, { $case: 'completions' }> => x.$case === 'completions',
    );
    expect(c.value).toMatchObject({ requestId: 'c1', prefix: 'ma', candidates: ['max'] });

    const loop = s.eval('await new Promise((r) => setTimeout(r, 60_000))');
    await sleep(200);
    s.send({ $case: 'interrupt', value: { inputId: '' } });
    const interrupted = (await loop).terminal;
    expect(interrupted.$case).toBe('error');
    if (interrupted.$case === 'error') {
      expect(interrupted.value.failure?.name).toBe('AbortError');
      expect(interrupted.value.stateLost).toBe(false);
    }
    expect(await s.value('n')).toBe('20');
    s.close();
    const ended = await s.waitFor((x): x is Extract<Response, { $case: 'ended' }> => x.$case === 'ended');
    expect(ended.value.reason).toBe('closed');
  });

  it('an interrupt stops the input it names only: an ended one changes nothing, a queued one never runs', async () => {
    const s = new Stream();
    await s.open('alice');
    const input = (inputId: string, code: string): void =>
      s.send({ $case: 'input', value: { inputId, code } });
    const terminal = (inputId: string) =>
      s.waitFor(
        (r): r is Extract<Response, { $case: 'result' | 'error' }> =>
          (r.$case === 'result' || r.$case === 'error') && r.value.inputId === inputId,
      );
    const sleepThen = (value: string): string =>
      `await new Promise((r) => setTimeout(r, 400)); globalThis.order = (globalThis.order ?? '') + '${value}'; '${value}'`;

    // Interrupting an input that has ended must not stop the one running now.
    input('ended', '1');
    expect((await terminal('ended')).$case).toBe('result');
    input('running', sleepThen('r'));
    await sleep(100);
    s.send({ $case: 'interrupt', value: { inputId: 'ended' } });
    const running = await terminal('running');
    expect(running.$case === 'result' && running.value.value?.preview).toBe("'r'");

    // Interrupting an input queued behind a running one cancels it, and only it.
    input('first', sleepThen('a'));
    input('second', sleepThen('b'));
    await sleep(100);
    s.send({ $case: 'interrupt', value: { inputId: 'second' } });
    const first = await terminal('first');
    expect(first.$case === 'result' && first.value.value?.preview).toBe("'a'");
    const second = await terminal('second');
    expect(second.$case).toBe('error');
    if (second.$case === 'error') {
      expect(second.value.failure).toMatchObject({
        kind: ErrorKind.ERROR_KIND_CANCELLED,
        name: 'AbortError',
      });
      expect(second.value.failure?.message).toContain('before it ran');
      expect(second.value.stateLost).toBe(false);
    }
    expect(await s.value('globalThis.order')).toBe("'ra'");
    s.close();
  });

  it('answers an empty or blank input with an empty result and keeps the session (Enter at a prompt)', async () => {
    const s = new Stream();
    await s.open('alice');
    await s.value('const before = 1');
    expect(await s.value('')).toBe('');
    expect(await s.value('  \n ')).toBe('');
    expect(await s.value('before + 1')).toBe('2');
    s.close();
  });

  it('gives colours when asked', async () => {
    const s = new Stream();
    await s.open('alice', { color: true });
    expect(await s.value('[1, "a"]')).toBe("[ \u001b[33m1\u001b[39m, \u001b[32m'a'\u001b[39m ]");
    s.close();
  });

  it('two sessions of one tenant do not share state; reset gives a fresh context', async () => {
    const a = new Stream();
    const b = new Stream();
    await a.open('alice');
    await b.open('alice');
    await a.value('var onlyInA = 1');
    expect(await b.value('typeof onlyInA')).toBe("'undefined'");
    a.send({ $case: 'reset', value: {} });
    await a.waitFor((x): x is Extract<Response, { $case: 'ready' }> => x.$case === 'ready');
    expect(await a.value('typeof onlyInA')).toBe("'undefined'");
    a.close();
    b.close();
  });

  it('resumes a session after a dropped connection; another tenant gets NOT_FOUND for its id', async () => {
    const first = new Stream();
    const { sessionId } = await first.open('alice');
    await first.value('const kept = "still here"');
    first.drop();
    await sleep(100);

    const thief = new Stream();
    thief.send({
      $case: 'open',
      value: { tenant: 'mallory', limits: undefined, resumeSessionId: sessionId, color: false, idleTtlMs: 0 },
    });
    for (let i = 0; i < 100 && !thief.ended; i++) await sleep(20);
    expect(thief.error?.code).toBe(Status.NOT_FOUND);
    expect(thief.error?.metadata.get('vmd-error-code')).toEqual(['SESSION_NOT_FOUND']);

    const again = new Stream();
    const ready = await again.open('alice', { resumeSessionId: sessionId });
    expect(ready).toMatchObject({ sessionId, resumed: true });
    expect(await again.value('kept')).toBe("'still here'");
    again.close();
  });

  it('discards a session idle past its TTL', async () => {
    const s = new Stream();
    const { sessionId, idleTtlMs } = await s.open('alice', { idleTtlMs: 1000 });
    expect(idleTtlMs).toBe(1000);
    const ended = await s.waitFor(
      (x): x is Extract<Response, { $case: 'ended' }> => x.$case === 'ended',
      5000,
    );
    expect(ended.value.reason).toBe('idle_timeout');
    const late = new Stream();
    late.send({
      $case: 'open',
      value: { tenant: 'alice', limits: undefined, resumeSessionId: sessionId, color: false, idleTtlMs: 0 },
    });
    for (let i = 0; i < 100 && !late.ended; i++) await sleep(20);
    expect(late.error?.code).toBe(Status.NOT_FOUND);
  });

  it('refuses a first message that is not open, and sessions past the tenant quota', async () => {
    const bad = new Stream();
    bad.send({ $case: 'input', value: { inputId: 'x', code: '1' } });
    for (let i = 0; i < 100 && !bad.ended; i++) await sleep(20);
    expect(bad.error?.code).toBe(Status.INVALID_ARGUMENT);

    const admin = new TenantServiceClient(d.address, credentials.createInsecure());
    await unaryCall(admin, admin.createTenant, {
      tenant: Tenant.fromPartial({ name: 'one-session', quotas: { replSessions: 1 } }),
    });
    admin.close();
    const first = new Stream();
    await first.open('one-session');
    const second = new Stream();
    second.send({
      $case: 'open',
      value: { tenant: 'one-session', limits: undefined, resumeSessionId: '', color: false, idleTtlMs: 0 },
    });
    for (let i = 0; i < 100 && !second.ended; i++) await sleep(20);
    expect(second.error?.code).toBe(Status.RESOURCE_EXHAUSTED);
    expect(second.error?.details).toContain('REPL sessions open');
    first.close();
  });

  it('an input takes a run slot like an execution: an Execute waits for one to end', async () => {
    const { sessions, inputs } = await fillRunSlots('slots');
    const exec = await execute(d.client, { tenant: 'slot-waiter', code: 'Date.now()' });
    expect(exec.error).toBeUndefined();
    const last = exec.events.at(-1)?.event;
    if (last?.$case !== 'result') throw new Error(`expected a result, got ${JSON.stringify(last)}`);
    const ranAt = Number(last.value.value?.json);
    const endedAt = (await Promise.all(inputs)).map(Number);
    // It ran only once an input had given its slot back (without the scheduler it ran at once).
    expect(ranAt).toBeGreaterThanOrEqual(Math.min(...endedAt));
    const started = exec.events[0]?.event;
    expect(started?.$case === 'started' && started.value.queueWaitMs).toBeGreaterThan(0);
    for (const s of sessions) s.close();
  });

  it('an input waiting for a run slot can be interrupted: it never runs and the session goes on', async () => {
    const { sessions: busy, inputs } = await fillRunSlots('slots-interrupt');
    const waiting = new Stream();
    await waiting.open('slots-interrupt');
    const queued = waiting.eval('globalThis.ran = true; 2');
    waiting.send({ $case: 'interrupt', value: { inputId: '' } });
    const t = (await queued).terminal;
    if (t.$case !== 'error') throw new Error(`expected an error, got ${JSON.stringify(t)}`);
    expect(t.value.failure).toMatchObject({ name: 'AbortError' });
    expect(t.value.failure?.message).toContain('before it ran');
    expect(t.value.stateLost).toBe(false);
    // The next input waits for a slot too, and says how long.
    const next = (await waiting.eval('typeof globalThis.ran')).terminal;
    if (next.$case !== 'result') throw new Error(`expected a result, got ${JSON.stringify(next)}`);
    expect(next.value.value?.preview).toBe("'undefined'"); // the interrupted input never ran
    expect(next.value.metrics?.queueWaitMs).toBeGreaterThan(0);
    await Promise.all(inputs);
    for (const s of [...busy, waiting]) s.close();
  });

  it("deleting a tenant ends its sessions at once and frees their isolates; other tenants' go on", async () => {
    const monitor = new MonitorServiceClient(d.address, credentials.createInsecure());
    /** Open sessions (the daemon's count) and the isolates the workers hold for sessions. */
    const counts = async (): Promise<{ sessions: number; pinned: number }> => {
      const { stats } = await unaryCall(monitor, monitor.getStats, { tenant: '' });
      const pinned = stats!.workers.reduce((sum, w) => sum + w.isolatesPinned, 0);
      return { sessions: stats!.daemon!.sessions, pinned };
    };
    /** Waits until the workers' pinned isolates (reported with each ping) match `sessions`. */
    const settled = async (sessions: number): Promise<void> => {
      let c = await counts();
      for (let i = 0; c.sessions !== sessions || c.pinned !== sessions; i++) {
        if (i > 100)
          throw new Error(`expected ${sessions} sessions and pinned isolates, got ${JSON.stringify(c)}`);
        await sleep(50);
        c = await counts();
      }
    };
    const doomed = new Stream();
    await doomed.open('doomed');
    await doomed.value('let state = 1');
    const other = new Stream();
    await other.open('alice');
    const { sessions } = await counts();
    await settled(sessions);

    const admin = new TenantServiceClient(d.address, credentials.createInsecure());
    await unaryCall(admin, admin.deleteTenant, { name: 'doomed' });
    admin.close();

    const ended = await doomed.waitFor(
      (x): x is Extract<Response, { $case: 'ended' }> => x.$case === 'ended',
      5000,
    );
    expect(ended.value).toMatchObject({ reason: 'tenant_deleted' });
    expect(ended.value.message).toContain("tenant 'doomed' was deleted");
    await settled(sessions - 1);
    expect(await other.value('1 + 1')).toBe('2');
    other.close();
    monitor.close();
  });

  it('ends the session with a clear message when its worker crashes; the daemon goes on', async () => {
    const s = new Stream();
    const { sessionId } = await s.open('alice');
    await s.value('let x = 1');
    const [worker] = childPids(d.pid);
    process.kill(worker!, 'SIGKILL');
    const ended = await s.waitFor((x): x is Extract<Response, { $case: 'ended' }> => x.$case === 'ended');
    expect(ended.value.reason).toBe('worker_crashed');
    expect(ended.value.message).toMatch(/session and its state are lost/);
    for (let i = 0; i < 100 && childPids(d.pid).length < 1; i++) await sleep(50);
    await sleep(500);
    const again = new Stream();
    again.send({
      $case: 'open',
      value: { tenant: 'alice', limits: undefined, resumeSessionId: sessionId, color: false, idleTtlMs: 0 },
    });
    for (let i = 0; i < 100 && !again.ended; i++) await sleep(20);
    expect(again.error?.code).toBe(Status.NOT_FOUND);
    const fresh = new Stream();
    await fresh.open('alice');
    expect(await fresh.value('1 + 1')).toBe('2');
    fresh.close();
  });

  it('refuses a session whose tenant is deleted while its open waits for a worker', async () => {
    // With the only worker killed, an open waits for its replacement (about a second). A delete
    // meanwhile ends the tenant's sessions; before, the waiting open then added one more.
    await execute(d.client, { tenant: 'racing', code: '1' });
    const [worker] = childPids(d.pid);
    process.kill(worker!, 'SIGKILL');
    await sleep(100); // the supervisor sees the exit and starts a replacement
    const s = new Stream();
    s.send({
      $case: 'open',
      value: { tenant: 'racing', limits: undefined, resumeSessionId: '', color: false, idleTtlMs: 0 },
    });
    await sleep(100);
    expect(s.received, 'the open is still waiting for a worker').toEqual([]);
    const admin = new TenantServiceClient(d.address, credentials.createInsecure());
    await unaryCall(admin, admin.deleteTenant, { name: 'racing' });
    admin.close();
    for (let i = 0; i < 300 && !s.ended; i++) await sleep(20);
    expect(s.received.filter((r) => r.$case === 'ready')).toEqual([]);
    expect(s.error?.code).toBe(Status.NOT_FOUND);
    expect(s.error?.metadata.get('vmd-error-code')).toEqual(['TENANT_NOT_FOUND']);
    expect(s.error?.details).toContain('was deleted while the session was opening');
    const fresh = new Stream();
    await fresh.open('alice');
    expect(await fresh.value('1 + 1')).toBe('2');
    fresh.close();
  });
});
