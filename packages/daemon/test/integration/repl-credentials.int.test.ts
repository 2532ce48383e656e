import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { credentials, Metadata, type ClientDuplexStream, type ServiceError } from '@grpc/grpc-js';
import {
  MonitorServiceClient,
  ReplServiceClient,
  Tenant,
  TenantServiceClient,
  type SessionRequest,
  type SessionResponse,
  type Stats,
} from '@vmd/client/wire';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sleep, startTestDaemon, Status, unaryCall, type TestDaemon } from './helpers.js';

/**
 * REPL sessions and the credentials behind them (secure mode, a real daemon): a session lives
 * for hours, so revoking its API key or deleting its tenant must end it, not just refuse new
 * calls.
 */
const ADMIN_TOKEN = 'admin-token-for-the-repl-credentials-test';
/** Short, so a revocation made behind the daemon's back (another daemon) is seen quickly. */
const KEY_CACHE_TTL_MS = 300;

let d: TestDaemon;
let repl: InstanceType<typeof ReplServiceClient>;
let admin: InstanceType<typeof TenantServiceClient>;
let monitor: InstanceType<typeof MonitorServiceClient>;

function md(secret: string): Metadata {
  const m = new Metadata();
  m.set('authorization', `Bearer ${secret}`);
  return m;
}

const asAdmin = md(ADMIN_TOKEN);

async function createTenant(name: string): Promise<void> {
  await unaryCall(admin, admin.createTenant, { tenant: Tenant.fromPartial({ name }) }, asAdmin);
}

async function createKey(tenant: string): Promise<{ id: string; secret: string }> {
  const res = await unaryCall(admin, admin.createApiKey, { tenant, description: '' }, asAdmin);
  return { id: res.key!.id, secret: res.secret };
}

/** Open sessions (the daemon's count) and the isolates the workers hold for sessions. */
async function counts(): Promise<{ sessions: number; pinned: number }> {
  const stats = await new Promise<Stats>((resolve, reject) =>
    monitor.getStats({ tenant: '' }, asAdmin, (err, res) => (err ? reject(err) : resolve(res.stats!))),
  );
  return {
    sessions: stats.daemon!.sessions,
    pinned: stats.workers.reduce((n, w) => n + w.isolatesPinned, 0),
  };
}

/** Waits until the workers' pinned isolates (reported with each ping) match `sessions`. */
async function settled(sessions: number): Promise<void> {
  let c = await counts();
  for (let i = 0; c.sessions !== sessions || c.pinned !== sessions; i++) {
    if (i > 100)
      throw new Error(`expected ${sessions} sessions and pinned isolates, got ${JSON.stringify(c)}`);
    await sleep(50);
    c = await counts();
  }
}

type Response = NonNullable<SessionResponse['response']>;
type Ended = Extract<Response, { $case: 'ended' }>;

/** One Session stream as a client drives it. */
class Stream {
  readonly call: ClientDuplexStream<SessionRequest, SessionResponse>;
  readonly received: Response[] = [];
  error: ServiceError | undefined;
  closed = false;
  private seq = 0;

  constructor(secret: string) {
    this.call = repl.session(md(secret));
    this.call.on('data', (m: SessionResponse) => {
      if (m.response) this.received.push(m.response);
    });
    this.call.on('error', (err: ServiceError) => {
      this.error = err;
      this.closed = true;
    });
    this.call.on('end', () => (this.closed = true));
  }

  async waitFor<R extends Response>(match: (r: Response) => r is R, timeoutMs = 10_000): Promise<R> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const found = this.received.find(match);
      if (found !== undefined) return found;
      if (this.closed && this.error) throw new Error(`stream failed: ${this.error.details}`);
      if (Date.now() > until) throw new Error(`timed out; received ${JSON.stringify(this.received)}`);
      await sleep(20);
    }
  }

  async open(tenant: string): Promise<void> {
    this.call.write({
      request: {
        $case: 'open',
        value: { tenant, limits: undefined, resumeSessionId: '', color: false, idleTtlMs: 0 },
      },
    });
    await this.waitFor((r) => r.$case === 'ready');
  }

  /** Sends an input; resolves with its preview, or rejects if the session ended first. */
  async value(code: string): Promise<string> {
    const inputId = `i${++this.seq}`;
    this.call.write({ request: { $case: 'input', value: { inputId, code } } });
    const r = await this.waitFor(
      (x): x is Response =>
        x.$case === 'ended' || ((x.$case === 'result' || x.$case === 'error') && x.value.inputId === inputId),
    );
    if (r.$case !== 'result') throw new Error(`no result: ${JSON.stringify(r)}`);
    return r.value.value!.preview;
  }

  ended(timeoutMs?: number): Promise<Ended> {
    return this.waitFor((r): r is Ended => r.$case === 'ended', timeoutMs);
  }

  /** Resolves once the daemon has ended the stream (OK or with a status). */
  async streamClosed(timeoutMs = 5_000): Promise<void> {
    for (const until = Date.now() + timeoutMs; !this.closed; await sleep(20)) {
      if (Date.now() > until) throw new Error('the stream did not close');
    }
  }
}

beforeAll(async () => {
  d = await startTestDaemon({
    workers: 1,
    args: ['--auth'],
    env: { VMD_ADMIN_TOKEN: ADMIN_TOKEN, VMD_API_KEY_CACHE_TTL_MS: String(KEY_CACHE_TTL_MS) },
  });
  repl = new ReplServiceClient(d.address, credentials.createInsecure());
  admin = new TenantServiceClient(d.address, credentials.createInsecure());
  monitor = new MonitorServiceClient(d.address, credentials.createInsecure());
  for (const name of ['alpha', 'beta', 'gamma']) await createTenant(name);
});
afterAll(async () => {
  repl.close();
  admin.close();
  monitor.close();
  await d.stop();
});

describe('REPL sessions and API key revocation', () => {
  it('revoking a key ends the sessions opened with it at once; other keys’ sessions go on', async () => {
    const revoked = await createKey('alpha');
    const kept = await createKey('alpha');
    const s = new Stream(revoked.secret);
    await s.open('alpha');
    expect(await s.value('let secretState = 41; secretState + 1')).toBe('42');
    const other = new Stream(kept.secret);
    await other.open('alpha');

    await unaryCall(admin, admin.revokeApiKey, { id: revoked.id }, asAdmin);

    const ended = await s.ended(5_000);
    expect(ended.value.reason).toBe('key_revoked');
    expect(ended.value.message).toContain(`API key ${revoked.id}`);
    expect(ended.value.message).toContain('was revoked');
    await s.streamClosed();
    expect(await other.value('1 + 1')).toBe('2');

    // The key opens nothing any more.
    const again = new Stream(revoked.secret);
    again.call.write({
      request: {
        $case: 'open',
        value: { tenant: 'alpha', limits: undefined, resumeSessionId: '', color: false, idleTtlMs: 0 },
      },
    });
    await again.streamClosed();
    expect(again.error?.code).toBe(Status.UNAUTHENTICATED);
    other.call.write({ request: { $case: 'close', value: {} } });
  });

  it('each input re-checks the key: a revocation made by another daemon sharing the store ends the session', async () => {
    const key = await createKey('beta');
    const s = new Stream(key.secret);
    await s.open('beta');
    expect(await s.value('globalThis.ran = 0; 1')).toBe('1');

    // Another daemon revokes the key: it writes the store; this daemon is not told.
    const db = new DatabaseSync(join(d.dataDir, 'vmd.db'));
    try {
      db.exec('PRAGMA busy_timeout = 5000');
      db.prepare('UPDATE api_keys SET revoked_at = ? WHERE id = ?').run(Date.now(), key.id);
    } finally {
      db.close();
    }
    await sleep(KEY_CACHE_TTL_MS + 200);

    await expect(s.value('globalThis.ran = 1; 2')).rejects.toThrow(/key_revoked/);
    const ended = await s.ended();
    expect(ended.value.message).toContain(`API key ${key.id}`);
    await s.streamClosed();
    expect(s.received.some((r) => r.$case === 'result' && r.value.inputId === 'i2')).toBe(false);
  });
});

describe('REPL sessions of a deleted tenant', () => {
  it('end at once, and their isolates are freed', async () => {
    const key = await createKey('gamma');
    const sessions = [new Stream(key.secret), new Stream(key.secret)];
    for (const s of sessions) {
      await s.open('gamma');
      expect(await s.value('const big = "x".repeat(1000); big.length')).toBe('1000');
    }
    const { sessions: open } = await counts();
    await settled(open);

    await unaryCall(admin, admin.deleteTenant, { name: 'gamma' }, asAdmin);

    for (const s of sessions) {
      const ended = await s.ended(5_000);
      expect(ended.value.reason).toBe('tenant_deleted');
      expect(ended.value.message).toContain("tenant 'gamma' was deleted");
      await s.streamClosed();
    }
    await settled(open - 2);
  });
});
