/**
 * Runner of the hostile corpus (STYLE.md §G). Loads every `*.hostile.ts` beside this file and
 * runs each case in a real worker process started with the production flags
 * (`resolveWorkerSpawn()` from dist). For every case it asserts:
 *
 * 1. the typed outcome the case expects (one of its `expect` entries);
 * 2. the host was not reached: no marker file, the run's token in no worker stdout/stderr/IPC
 *    message, and the in-sandbox probes (see `probePrelude`) report `sandbox` everywhere;
 * 3. nothing of the run arrives after its terminal message;
 * 4. afterwards the worker still answers `ping` and runs `1+1` → `2`; a worker that died is
 *    only acceptable where the case says so (the supervisor-is-the-last-line hazards), and
 *    then a fresh worker must work.
 *
 * One worker is reused across cases and replaced after any case that killed it. A second
 * describe block checks the permission layer on its own: host code started with the same
 * execArgv cannot write files, spawn processes or start worker threads.
 *
 * Run: `cd packages/core && tsc -b && npx vitest run --project integration test/hostile`
 * (Node 24 first on PATH). `VMD_HOSTILE_VERBOSE=1` prints one line per case (outcome, wall
 * time, number of probes); `VMD_HOSTILE_WORKER=/abs/worker.js` runs the corpus against
 * another worker entry with the same flags.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS, type Limits } from '../../src/limits/limits.js';
import type { ResolvedWorkerSpawn } from '../../src/worker/spawn-options.js';
import {
  CORE_ROOT,
  HOST_GRACE_MS,
  WORKER_ENTRY,
  WorkerHandle,
  describeResult,
  loadWorkerSpawn,
  makeRequest,
  probePrelude,
  type Expectation,
  type HostileCase,
  type HostileEnv,
  type RunObservation,
  type RunResult,
} from './harness.js';

const here = path.dirname(fileURLToPath(import.meta.url));

/** Limits every case starts from: the defaults with a shorter wall/cpu budget. */
const CASE_LIMITS: Limits = { ...DEFAULT_LIMITS, wallTimeMs: 5_000, cpuTimeMs: 3_000 };

async function loadCorpus(): Promise<HostileCase[]> {
  const files = readdirSync(here)
    .filter((f) => f.endsWith('.hostile.ts'))
    .sort();
  const cases: HostileCase[] = [];
  for (const f of files) {
    const mod = (await import(pathToFileURL(path.join(here, f)).href)) as Record<string, unknown>;
    const c = (mod.default ?? mod.hostileCase ?? mod) as HostileCase;
    if (typeof c.name !== 'string' || c.code === undefined || c.expect === undefined) {
      throw new Error(`${f}: does not export a HostileCase ({ name, description, code, expect })`);
    }
    if (`${c.name}.hostile.ts` !== f) throw new Error(`${f}: case name '${c.name}' must match its file name`);
    cases.push(c);
  }
  return cases;
}

const corpus = await loadCorpus();

function parseJson(json: string | undefined): unknown {
  if (json === undefined) return undefined;
  try {
    return JSON.parse(json) as unknown;
  } catch {
    return undefined;
  }
}

/** null when `obs` satisfies `exp`, otherwise why not. */
function mismatch(exp: Expectation, obs: RunObservation): string | null {
  const r = obs.result;
  try {
    switch (exp.status) {
      case 'ok':
        if (r.kind !== 'outcome' || r.outcome.status !== 'ok') return 'expected ok';
        exp.check?.(obs.value, obs);
        return null;
      case 'error': {
        if (r.kind !== 'outcome' || r.outcome.status !== 'error') return `expected error ${String(exp.kind)}`;
        const f = r.outcome.failure;
        const kinds = Array.isArray(exp.kind) ? exp.kind : [exp.kind];
        if (!kinds.includes(f.kind)) return `expected kind ${kinds.join('|')}, got ${f.kind}`;
        if (
          exp.name !== undefined &&
          !(typeof exp.name === 'string' ? f.name === exp.name : exp.name.test(f.name))
        ) {
          return `expected name ${String(exp.name)}, got ${f.name}`;
        }
        if (
          exp.message !== undefined &&
          !(typeof exp.message === 'string' ? f.message.includes(exp.message) : exp.message.test(f.message))
        ) {
          return `expected message ${String(exp.message)}, got ${f.message}`;
        }
        exp.check?.(obs);
        return null;
      }
      case 'run-error':
        if (r.kind !== 'run-error') return 'expected run-error';
        if (exp.code !== undefined && r.error.code !== exp.code)
          return `expected code ${exp.code}, got ${r.error.code}`;
        exp.check?.(obs);
        return null;
      case 'supervisor-kill':
        return r.kind === 'rss-ceiling' || r.kind === 'host-timeout'
          ? null
          : 'expected the supervisor to kill the worker';
    }
  } catch (e) {
    return `check failed: ${e instanceof Error ? e.message : String(e)}`;
  }
}

function assertExpected(exps: Expectation | Expectation[], obs: RunObservation, label: string): void {
  const list = Array.isArray(exps) ? exps : [exps];
  const reasons = list.map((e) => mismatch(e, obs));
  if (reasons.some((r) => r === null)) return;
  expect.fail(
    `${label}: ${describeResult(obs.result, obs.output)}\n  none of the expected outcomes matched:\n  - ${reasons.join('\n  - ')}`,
  );
}

function observe(result: RunResult, output: RunObservation['output']): RunObservation {
  const value =
    result.kind === 'outcome' && result.outcome.status === 'ok' ? parseJson(result.outcome.json) : undefined;
  return {
    result,
    output,
    value,
    stdoutText: output
      .filter((e) => e.stream === 'stdout')
      .map((e) => e.text)
      .join('\n'),
  };
}

interface ProbeReport {
  probes: Record<string, string>;
  hostReached: boolean;
}

/** Every probe report (`{ probes, hostReached }`) inside a result value, at any depth. */
function findReports(value: unknown, depth = 0, out: ProbeReport[] = []): ProbeReport[] {
  if (depth > 8 || value === null || typeof value !== 'object') return out;
  const v = value as Record<string, unknown>;
  if (typeof v.probes === 'object' && v.probes !== null && typeof v.hostReached === 'boolean') {
    out.push(v as unknown as ProbeReport);
  }
  for (const child of Object.values(v)) findReports(child, depth + 1, out);
  return out;
}

function resultText(r: RunResult): string {
  if (r.kind === 'outcome') {
    return r.outcome.status === 'ok'
      ? `${r.outcome.json ?? ''}\n${r.outcome.preview}`
      : `${r.outcome.failure.name}\n${r.outcome.failure.message}\n${r.outcome.failure.stack}`;
  }
  if (r.kind === 'run-error') return `${r.error.code} ${r.error.message}`;
  return '';
}

let worker: WorkerHandle | undefined;
let spawn: ResolvedWorkerSpawn | undefined;
let workersStarted = 0;
let retirements = 0;
let markerRoot = '';

async function freshWorker(): Promise<WorkerHandle> {
  await worker?.kill();
  spawn ??= loadWorkerSpawn();
  worker = await WorkerHandle.start(spawn);
  workersStarted++;
  return worker;
}

/** Set while a test runs; still set at the next test's start if the last one failed midway. */
let suspect = false;

/** The current worker if it is usable; a fresh one if it died, or if a failed test left it unhealthy. */
async function liveWorker(): Promise<WorkerHandle> {
  if (worker && !worker.exited && !worker.doomed && suspect) {
    // The previous test failed before its health check: check quietly, replace if needed, so
    // one failure does not cascade into every later case.
    const w = worker;
    const healthy = await w
      .ping(2_000)
      .then(() => w.run(makeRequest('1+1', CASE_LIMITS), { hostTimeoutMs: 5_000 }))
      .then(
        ({ result }) =>
          result.kind === 'outcome' && result.outcome.status === 'ok' && result.outcome.json === '2',
      )
      .catch(() => false);
    if (!healthy) return freshWorker();
  }
  suspect = true;
  if (worker && !worker.exited && !worker.doomed) return worker;
  return freshWorker();
}

/**
 * After a case: the worker answers ping and computes 1+1 → 2. With `allowRetire`, a worker
 * that instead retires itself (NO_HEALTHY_WORKER, then exits on its own within 5 s) is
 * accepted, and a fresh worker must then work. Returns true if the worker retired.
 */
async function assertHealthyOrRetired(
  w: WorkerHandle,
  label: string,
  allowRetire: boolean,
): Promise<boolean> {
  if (allowRetire) {
    const pong = await w.ping(5_000).catch(() => null);
    const probe =
      pong === null
        ? null
        : await w.run(makeRequest('1+1', CASE_LIMITS), {
            hostTimeoutMs: CASE_LIMITS.wallTimeMs + HOST_GRACE_MS,
          });
    const ok =
      probe?.result.kind === 'outcome' &&
      probe.result.outcome.status === 'ok' &&
      probe.result.outcome.json === '2';
    if (!ok) {
      const refused = probe?.result.kind === 'run-error' && probe.result.error.code === 'NO_HEALTHY_WORKER';
      const gone = probe?.result.kind === 'worker-exit' || w.exited;
      expect(
        refused || gone || pong === null,
        `${label}: worker neither healthy nor retiring: ${probe ? describeResult(probe.result) : 'no pong'}`,
      ).toBe(true);
      expect(await w.waitExit(5_000), `${label}: a retiring worker must exit on its own (pid ${w.pid})`).toBe(
        true,
      );
      retirements++;
      await assertHealthy(await freshWorker(), `${label} (fresh worker after retirement)`);
      return true;
    }
    return false;
  }
  await assertHealthy(w, label);
  return false;
}

/** The worker answers ping and computes 1+1 → 2. */
async function assertHealthy(w: WorkerHandle, label: string): Promise<void> {
  const stats = await w.ping(5_000).catch((e: unknown) => {
    expect.fail(
      `${label}: worker ${w.pid} did not answer ping: ${String(e)}\nstderr:\n${w.stderr.slice(-2000)}`,
    );
  });
  expect(stats.pid, `${label}: pong from the right process`).toBe(w.pid);
  const { result, output } = await w.run(makeRequest('1+1', CASE_LIMITS), {
    hostTimeoutMs: CASE_LIMITS.wallTimeMs + HOST_GRACE_MS,
  });
  expect(
    result.kind === 'outcome' && result.outcome.status === 'ok'
      ? result.outcome.json
      : describeResult(result, output),
    `${label}: 1+1 in worker ${w.pid}`,
  ).toBe('2');
}

describe('hostile corpus (real worker, production flags)', () => {
  beforeAll(async () => {
    const entry = process.env.VMD_HOSTILE_WORKER ?? WORKER_ENTRY;
    expect(existsSync(entry), `${entry} is missing: build core first (cd packages/core && tsc -b)`).toBe(
      true,
    );
    expect(
      Number(process.versions.node.split('.')[0]),
      'the corpus needs Node 24 (PATH=node_modules/.bin)',
    ).toBeGreaterThanOrEqual(24);
    markerRoot = mkdtempSync(path.join(os.tmpdir(), 'vmd-hostile-'));
    await freshWorker();
  });

  afterAll(async () => {
    await worker?.close();
    if (markerRoot) rmSync(markerRoot, { recursive: true, force: true });
  });

  it('loads a corpus of at least 30 attacks', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(30);
  });

  for (const c of corpus) {
    const limits: Limits = { ...CASE_LIMITS, ...c.limits };
    const hostTimeoutMs = limits.wallTimeMs + HOST_GRACE_MS;
    const followLimits: Limits = { ...CASE_LIMITS, ...c.followUp?.limits };
    const testTimeoutMs = hostTimeoutMs + (c.followUp ? followLimits.wallTimeMs + HOST_GRACE_MS : 0) + 30_000;

    it(
      c.name,
      async () => {
        const w = await liveWorker();
        const markId = `${c.name.replace(/[^a-z0-9]/gi, '')}${Math.random().toString(36).slice(2, 10)}`;
        const markerPath = path.join(markerRoot, c.name);
        const env: HostileEnv = {
          name: c.name,
          markerPath,
          markId,
          prelude: probePrelude(markerPath, markId),
        };
        const token = `VMD_HOSTILE_ESCAPED_${markId}`;
        const code = typeof c.code === 'function' ? c.code(env) : c.code;
        const inputJson = typeof c.inputJson === 'function' ? c.inputJson(env) : c.inputJson;
        const msgStart = w.messages.length;
        const stdoutStart = w.stdout.length;
        const stderrStart = w.stderr.length;

        const { result, output, requestId } = await w.run(
          makeRequest(code, CASE_LIMITS, { sourceType: c.sourceType, inputJson, limits }),
          { hostTimeoutMs, cancelAfterMs: c.cancelAfterMs },
        );
        const obs = observe(result, output);
        if (process.env.VMD_HOSTILE_VERBOSE) {
          const probes = findReports(obs.value).reduce((n, r) => n + Object.keys(r.probes).length, 0);
          process.stderr.write(
            `[hostile] ${c.name}: ${describeResult(result).split('\n')[0]?.slice(0, 300)} probes=${probes}\n`,
          );
        }
        const label = `${c.name}${c.finding ? ` [FINDING: ${c.finding}]` : ''}`;

        // 1. The typed outcome.
        assertExpected(c.expect, obs, label);

        // 2. The host was not reached.
        const hostSeen = [
          w.stdout.slice(stdoutStart),
          w.stderr.slice(stderrStart),
          JSON.stringify(w.messages.slice(msgStart)),
        ].join('\n');
        expect(
          hostSeen.includes(token),
          `${label}: the escape token reached the worker's stdout/stderr/IPC`,
        ).toBe(false);
        expect(existsSync(markerPath), `${label}: marker file ${markerPath} exists`).toBe(false);
        const reports = findReports(obs.value);
        for (const r of reports) {
          const hostProbes = Object.entries(r.probes).filter(([, s]) => String(s).startsWith('HOST'));
          expect(hostProbes, `${label}: probes that reached the host`).toEqual([]);
          expect(r.hostReached, `${label}: hostReached`).toBe(false);
        }
        if (c.minProbes !== undefined) {
          const count = reports.reduce((n, r) => n + Object.keys(r.probes).length, 0);
          expect(
            count,
            `${label}: the payload must report its probes (${describeResult(result, output)})`,
          ).toBeGreaterThanOrEqual(c.minProbes);
        }
        if (c.maxWorkerRssMib !== undefined) {
          expect(Math.round(w.peakRssBytes / 2 ** 20), `${label}: worker RSS peak, MiB`).toBeLessThanOrEqual(
            c.maxWorkerRssMib,
          );
        }
        // No host paths in what the tenant gets back.
        const tenantVisible = `${resultText(result)}\n${output.map((e) => e.text).join('\n')}`;
        expect(
          tenantVisible.includes(CORE_ROOT),
          `${label}: a host path (${CORE_ROOT}) is visible to the tenant`,
        ).toBe(false);

        // 3./4. Follow-up in the same worker, then health.
        const killed =
          result.kind === 'worker-exit' || result.kind === 'host-timeout' || result.kind === 'rss-ceiling';
        if (c.followUp) {
          expect(killed, `${label}: the follow-up needs the same worker alive`).toBe(false);
          const f = c.followUp;
          const fcode = typeof f.code === 'function' ? f.code(env) : f.code;
          const fr = await w.run(
            makeRequest(fcode, CASE_LIMITS, {
              sourceType: f.sourceType,
              inputJson: f.inputJson,
              limits: f.limits,
            }),
            {
              hostTimeoutMs: followLimits.wallTimeMs + HOST_GRACE_MS,
            },
          );
          assertExpected(f.expect, observe(fr.result, fr.output), `${label} (follow-up)`);
          const fout = fr.output.map((e) => e.text).join('\n');
          expect(fout.includes(token), `${label}: follow-up output contains the token`).toBe(false);
        }
        if (killed) {
          const fresh = await freshWorker();
          await assertHealthy(fresh, `${label} (fresh worker)`);
        } else {
          await assertHealthyOrRetired(w, label, c.mayRetireWorker === true);
        }
        const late = w.lateMessages.filter((m) => 'requestId' in m && m.requestId === requestId);
        expect(late, `${label}: messages of the run after its terminal message`).toEqual([]);
        expect(JSON.stringify(w.messages.slice(msgStart)).includes(token), `${label}: token in IPC`).toBe(
          false,
        );
        expect(existsSync(markerPath), `${label}: marker file exists (late)`).toBe(false);
        suspect = false;
      },
      testTimeoutMs,
    );
  }

  it('a hostile run does not disturb a concurrent run in the same worker', async () => {
    const w = await liveWorker();
    const slow = { wallTimeMs: 2_000, cpuTimeMs: 2_000 };
    let hostileDone = false;
    const looping = w
      .run(makeRequest('globalThis.secret = "tenant-A"; while (true) {}', CASE_LIMITS, { limits: slow }), {
        hostTimeoutMs: slow.wallTimeMs + HOST_GRACE_MS,
      })
      .finally(() => (hostileDone = true));
    const bomb = w.run(
      makeRequest('var a = []; for (;;) a.push({ x: a.length, y: "s" + a.length });', CASE_LIMITS, {
        limits: { memoryMib: 32 },
      }),
      {
        hostTimeoutMs: CASE_LIMITS.wallTimeMs + HOST_GRACE_MS,
      },
    );
    const normal = await w.run(
      makeRequest(
        'new Promise((r) => setTimeout(() => r({ secret: typeof secret, v: 6 * 7 }), 100))',
        CASE_LIMITS,
      ),
      { hostTimeoutMs: CASE_LIMITS.wallTimeMs + HOST_GRACE_MS },
    );
    expect(describeResult(normal.result), 'the well-behaved run').toMatch(
      /^ok json=\{"secret":"undefined","v":42\}/,
    );
    expect(hostileDone, 'the well-behaved run finished while the looping one was still running').toBe(false);
    const l = await looping;
    expect(describeResult(l.result)).toMatch(/^error TIMEOUT/);
    const b = await bomb;
    expect(describeResult(b.result)).toMatch(/^error MEMORY_LIMIT/);
    await assertHealthy(w, 'concurrent runs');
    suspect = false;
  }, 60_000);

  /**
   * FINDING (see memory-bomb-map-objects.hostile.ts): some allocation patterns end in V8's
   * fatal OOM ("Catastrophic out-of-memory error") instead of isolated-vm's memory-limit
   * disposal. Measured: the worker then cancels every in-flight run ("worker is shutting
   * down"), the bomb's own included, and hangs in its exit (no pong, no exit) until SIGKILLed.
   * One tenant's one-liner must not fail another tenant's run.
   */
  it('a catastrophic out-of-memory in one run does not fail a concurrent run', async () => {
    const w = await liveWorker();
    const innocent = w.run(
      makeRequest('new Promise((r) => setTimeout(() => r("innocent done"), 1500))', CASE_LIMITS),
      {
        hostTimeoutMs: CASE_LIMITS.wallTimeMs + HOST_GRACE_MS,
      },
    );
    const bombLimits = { memoryMib: 32, wallTimeMs: 2_000, cpuTimeMs: 2_000 };
    const bomb = w.run(
      makeRequest('var m = new Map(); for (var i = 0; ; i++) m.set(i, { i: i });', CASE_LIMITS, {
        limits: bombLimits,
      }),
      {
        hostTimeoutMs: bombLimits.wallTimeMs + HOST_GRACE_MS,
      },
    );
    const [i, b] = await Promise.all([innocent, bomb]);
    try {
      expect(describeResult(i.result), 'the innocent concurrent run').toMatch(/^ok json="innocent done"/);
      // Near the limit V8 may thrash in GC until the cpu/wall limit: TIMEOUT is typed too.
      expect(describeResult(b.result), 'the bomb').toMatch(/^error (MEMORY_LIMIT|TIMEOUT)/);
      // The worker may retire itself (drain, refuse, exit): the daemon then replaces it.
      await assertHealthyOrRetired(w, 'after a catastrophic OOM', true);
      suspect = false;
    } finally {
      if (w.exited || w.doomed || b.result.kind !== 'outcome') await freshWorker();
    }
  }, 60_000);

  it('used few workers (reuse works)', () => {
    // Replacing the worker after every case would defeat the reuse check.
    expect(workersStarted).toBeLessThan(corpus.length / 2);
    if (process.env.VMD_HOSTILE_VERBOSE)
      process.stderr.write(`[hostile] workers started: ${workersStarted}, retirements: ${retirements}\n`);
  });
});

/**
 * Defense in depth, tested on its own: the process an escape would land in. Host-level code
 * started with the worker's exact execArgv must get ERR_ACCESS_DENIED for fs writes, reads
 * outside the installed code, child processes, worker threads, the inspector and WASI.
 */
describe('permission layer of the worker process (same execArgv)', () => {
  let execArgv: string[] = [];
  let dir = '';

  beforeAll(() => {
    execArgv = loadWorkerSpawn().execArgv;
    dir = mkdtempSync(path.join(os.tmpdir(), 'vmd-perm-'));
  });

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  function runHost(body: string): { code: string; out: string } {
    const script = `
      const out = (v) => process.stdout.write(JSON.stringify(v));
      try { ${body}; out({ code: 'ALLOWED' }); }
      catch (e) { out({ code: String(e && e.code), message: String(e && e.message) }); }`;
    const r = spawnSync(process.execPath, [...execArgv, '-e', script], { encoding: 'utf8', timeout: 15_000 });
    const text = r.stdout.trim();
    let parsed: { code?: string } = {};
    try {
      parsed = JSON.parse(text) as { code?: string };
    } catch {
      /* reported below */
    }
    return {
      code: parsed.code ?? `NO-OUTPUT (status ${r.status}, signal ${r.signal}): ${r.stderr.slice(0, 500)}`,
      out: text,
    };
  }

  it('starts workers with the permission model and without write/child/worker grants', () => {
    expect(execArgv).toContain('--permission');
    expect(execArgv).toContain('--no-node-snapshot');
    for (const flag of execArgv) {
      expect(flag).not.toMatch(/^--allow-(fs-write|child-process|worker|wasi|inspector)/);
      expect(flag).not.toMatch(/^--allow-fs-read=\*?$|^--allow-fs-read=\/$/);
    }
  });

  it('denies fs writes', () => {
    const target = path.join(dir, 'written-by-escapee');
    expect(runHost(`require('node:fs').writeFileSync(${JSON.stringify(target)}, 'x')`).code).toBe(
      'ERR_ACCESS_DENIED',
    );
    expect(existsSync(target)).toBe(false);
    expect(runHost(`require('node:fs').mkdirSync(${JSON.stringify(path.join(dir, 'd'))})`).code).toBe(
      'ERR_ACCESS_DENIED',
    );
  });

  it('denies fs reads outside the installed code', () => {
    expect(runHost(`require('node:fs').readFileSync('/etc/passwd')`).code).toBe('ERR_ACCESS_DENIED');
    expect(runHost(`require('node:fs').readdirSync(${JSON.stringify(os.homedir())})`).code).toBe(
      'ERR_ACCESS_DENIED',
    );
  });

  it('denies child processes', () => {
    expect(runHost(`require('node:child_process').spawnSync('/bin/sh', ['-c', 'true'])`).code).toBe(
      'ERR_ACCESS_DENIED',
    );
    expect(runHost(`require('node:child_process').execSync('true')`).code).toBe('ERR_ACCESS_DENIED');
  });

  it('denies worker threads', () => {
    expect(runHost(`new (require('node:worker_threads').Worker)('1', { eval: true })`).code).toBe(
      'ERR_ACCESS_DENIED',
    );
  });

  it('denies the inspector and WASI', () => {
    expect(runHost(`require('node:inspector').open(0)`).code).toBe('ERR_ACCESS_DENIED');
    expect(runHost(`new (require('node:wasi').WASI)({ version: 'preview1' })`).code).toBe(
      'ERR_ACCESS_DENIED',
    );
  });

  it('reports the denials through process.permission', () => {
    const r = runHost(
      `const p = process.permission; if (p.has('fs.write') || p.has('child') || p.has('worker')) throw Object.assign(new Error('granted'), { code: 'GRANTED' }); throw Object.assign(new Error('ok'), { code: 'DENIED' })`,
    );
    expect(r.code).toBe('DENIED');
  });
});
