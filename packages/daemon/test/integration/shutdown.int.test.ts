import { readFileSync } from 'node:fs';
import { credentials, type ServiceError } from '@grpc/grpc-js';
import {
  ExecutionServiceClient,
  FunctionServiceClient,
  MonitorServiceClient,
  OpenSession,
  ReplServiceClient,
} from '@vmd/client/wire';
import { expect, it } from 'vitest';
import { HEALTH_SERVICES } from '../../src/services/health.js';
import { execute, healthStatus, refused, sleep, startTestDaemon, Status } from './helpers.js';

/** Asks until `check` holds (or throws after `timeoutMs`). */
async function until(check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

/** The vmd error code a failed call carried in its trailers. */
function vmdCode(err: ServiceError | undefined): unknown {
  return err?.metadata?.get('vmd-error-code')[0];
}

it('drains on SIGTERM: health NOT_SERVING, new runs and sessions refused with SHUTTING_DOWN, the in-flight run completes, the listener closes at the end', async () => {
  const d = await startTestDaemon({ workers: 1 });
  const other = new ExecutionServiceClient(d.address, credentials.createInsecure());
  const functions = new FunctionServiceClient(d.address, credentials.createInsecure());
  const repl = new ReplServiceClient(d.address, credentials.createInsecure());
  try {
    let started!: () => void;
    const running = new Promise<void>((r) => (started = r));
    const inflight = execute(
      d.client,
      { code: 'console.log("waiting"); new Promise((r) => setTimeout(() => r("done"), 2_000))' },
      { onEvent: (e) => e.event?.$case === 'output' && started() },
    );
    await running;
    // A session stream accepted before the signal, whose `open` comes during the drain.
    const early = repl.session();
    const earlyError = new Promise<ServiceError>((resolve) => early.on('error', resolve));
    early.on('data', () => undefined);
    await sleep(100);
    d.child.kill('SIGTERM');
    await until(() => d.logs.some((l) => l.msg === 'shutdown: draining'), 'the drain');

    // Health answers during the drain, on a new connection: NOT_SERVING, overall and per service.
    for (const service of HEALTH_SERVICES) expect(await healthStatus(d.address, service)).toBe('NOT_SERVING');

    // New runs are refused with the documented status, on the open connection and on a new one.
    for (const client of [d.client, other]) {
      const r = await execute(client, { code: '1' }, { deadlineMs: 3_000 });
      expect(r.error?.code).toBe(Status.UNAVAILABLE);
      expect(vmdCode(r.error)).toBe('SHUTTING_DOWN');
      expect(r.error?.details).toMatch(/shutting down/);
    }
    const invoke = await new Promise<ServiceError | null>((resolve) =>
      functions.invokeFunction(
        { tenant: 't', name: 'f', eventJson: '', version: 0, limits: undefined },
        (err) => resolve(err),
      ),
    );
    expect(invoke?.code).toBe(Status.UNAVAILABLE);
    expect(vmdCode(invoke ?? undefined)).toBe('SHUTTING_DOWN');
    const session = repl.session();
    const sessionError = new Promise<ServiceError>((resolve) => session.on('error', resolve));
    session.on('data', () => undefined);
    session.write({ request: { $case: 'open', value: OpenSession.fromPartial({ tenant: 't' }) } });
    const opened = await sessionError;
    expect(opened.code).toBe(Status.UNAVAILABLE);
    expect(vmdCode(opened)).toBe('SHUTTING_DOWN');
    early.write({ request: { $case: 'open', value: OpenSession.fromPartial({ tenant: 't' }) } });
    expect(vmdCode(await earlyError)).toBe('SHUTTING_DOWN');

    // The run in flight finishes.
    const r = await inflight;
    expect(r.error).toBeUndefined();
    const last = r.events.at(-1)?.event;
    expect(last?.$case).toBe('result');
    if (last?.$case === 'result') expect(JSON.parse(last.value.value!.json)).toBe('done');

    const { code } = await d.exited;
    expect(code).toBe(0);
    expect(await refused(d.address)).toBe(true);
    const msgs = d.logs.map((l) => l.msg);
    expect(msgs).toContain('shutdown: signal received');
    expect(msgs).toContain('shutdown: all calls finished');
    expect(msgs).not.toContain('shutdown: grace period over; ending remaining calls');
    expect(msgs).toContain('shutdown: complete');
  } finally {
    other.close();
    functions.close();
    repl.close();
    await d.stop();
  }
});

it('when the grace period runs out, a call still running ends UNAVAILABLE with SHUTTING_DOWN (safe to retry), not CANCELLED', async () => {
  const d = await startTestDaemon({ workers: 1, args: ['--shutdown-grace-ms', '1000'] });
  try {
    let started!: () => void;
    const running = new Promise<void>((r) => (started = r));
    const busy = execute(
      d.client,
      { code: 'console.log("spinning"); while (true) {}' },
      { onEvent: (e) => e.event?.$case === 'output' && started() },
    );
    await running;
    d.child.kill('SIGTERM');
    const r = await busy;
    expect(r.error?.code).toBe(Status.UNAVAILABLE);
    expect(vmdCode(r.error)).toBe('SHUTTING_DOWN');
    expect(r.error?.details).toMatch(/shut down before the call finished.*safe to retry/);
    expect((await d.exited).code).toBe(0);
    const msgs = d.logs.map((l) => l.msg);
    expect(msgs).toContain('shutdown: grace period over; ending remaining calls');
    const line = d.logs.find((l) => l.msg === 'rpc' && l.rpc_method === 'Execute');
    expect(line).toMatchObject({ grpc_status: 'UNAVAILABLE', vmd_error_code: 'SHUTTING_DOWN' });
  } finally {
    await d.stop();
  }
});

it('ends WatchStats streams when the drain starts (UNAVAILABLE SHUTTING_DOWN), so they do not hold the shutdown for its grace period', async () => {
  // A grace period far longer than the test: the daemon must exit because nothing is left.
  const d = await startTestDaemon({ workers: 1, args: ['--shutdown-grace-ms', '600000'] });
  const monitor = new MonitorServiceClient(d.address, credentials.createInsecure());
  try {
    const watch = monitor.watchStats({ tenant: '', intervalMs: 200 });
    let snapshots = 0;
    watch.on('data', () => snapshots++);
    const ended = new Promise<ServiceError>((resolve) => watch.on('error', resolve));
    await until(() => snapshots >= 1, 'a first snapshot');
    d.child.kill('SIGTERM');
    const err = await ended;
    expect(err.code).toBe(Status.UNAVAILABLE);
    expect(vmdCode(err)).toBe('SHUTTING_DOWN');
    expect(err.details).toMatch(/shutting down/);
    expect((await d.exited).code).toBe(0);
    expect(d.logs.map((l) => l.msg)).toContain('shutdown: all calls finished');
  } finally {
    monitor.close();
    await d.stop();
  }
}, 30_000);

it('exits at once on a second signal, leaving no worker process behind', async () => {
  const d = await startTestDaemon({ workers: 1 });
  try {
    const workerPids = readFileSync(`/proc/${d.pid}/task/${d.pid}/children`, 'utf8')
      .trim()
      .split(/\s+/)
      .map(Number);
    expect(workerPids.length).toBe(1);
    // A run that would keep the graceful drain waiting for its whole wall limit.
    const inflight = execute(d.client, { code: 'new Promise((r) => setTimeout(r, 8_000))' });
    await sleep(200);
    d.child.kill('SIGTERM');
    await sleep(100);
    d.child.kill('SIGTERM');
    const { code } = await d.exited;
    expect(code).toBe(143); // 128 + SIGTERM
    expect((await inflight).error?.code).toBe(Status.UNAVAILABLE);
    expect(d.logs.map((l) => l.msg)).toContain('shutdown: second signal; exiting now');
    // The worker notices its parent is gone (IPC disconnect) and exits.
    for (let i = 0; i < 100 && workerPids.some(alive); i++) await sleep(50);
    expect(workerPids.filter(alive)).toEqual([]);
  } finally {
    await d.stop();
  }
});

it('SIGHUP is logged as a warning and ignored: the daemon keeps serving', async () => {
  const d = await startTestDaemon({ workers: 1 });
  try {
    d.child.kill('SIGHUP');
    for (let i = 0; i < 100 && !d.logs.some((l) => l.msg.startsWith('signal ignored')); i++) await sleep(20);
    const warned = d.logs.filter((l) => l.msg.startsWith('signal ignored'));
    expect(warned).toHaveLength(1);
    expect(warned[0]).toMatchObject({ level: 40, signal: 'SIGHUP', component: 'lifecycle' });
    expect(warned[0]!.msg).toMatch(/restart the daemon to apply changes/);
    expect(d.child.exitCode).toBeNull();
    expect(await healthStatus(d.address)).toBe('SERVING');
    const r = await execute(d.client, { code: '6 * 7' });
    expect(r.error).toBeUndefined();
    expect(d.logs.map((l) => l.msg)).not.toContain('shutdown: signal received');
  } finally {
    await d.stop();
  }
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
