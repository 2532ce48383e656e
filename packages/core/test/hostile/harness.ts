/**
 * Harness for the hostile corpus (STYLE.md §G): starts a real worker process with the
 * production flags, sends it `run`/`ping`/`cancel` messages over IPC, collects output events
 * and the terminal outcome, and stands in for the daemon's supervisor (host-side wall timeout,
 * RSS ceiling, SIGKILL of a stuck worker) so a broken worker fails a test instead of hanging it.
 *
 * It also defines the shape of a corpus case ({@link HostileCase}) and the in-sandbox probe
 * prelude ({@link probePrelude}) that every escape attempt uses to report what it reached.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ExecutionOutcome, ExecutionRequest, OutputEvent, SourceType } from '../../src/engine/types.js';
import type { FailureKind } from '../../src/errors/execution-failure.js';
import type { VmdErrorWire } from '../../src/errors/vmd-error.js';
import type { Limits } from '../../src/limits/limits.js';
import type { ParentMessage, WorkerMessage, WorkerStats } from '../../src/worker/protocol.js';
import { resolveWorkerSpawn, type ResolvedWorkerSpawn } from '../../src/worker/spawn-options.js';

const here = path.dirname(fileURLToPath(import.meta.url));
/** packages/core */
export const CORE_ROOT = path.resolve(here, '..', '..');
/** The built worker entry the corpus runs against. */
export const WORKER_ENTRY = path.join(CORE_ROOT, 'dist', 'worker', 'worker-main.js');

/** Supervisor stand-in: a worker whose RSS passes this is SIGKILLed (DESIGN.md, reliability). */
export const RSS_CEILING_BYTES = 2 * 1024 * 1024 * 1024;
/** Extra time, beyond the run's wall limit, before the harness declares the worker stuck. */
export const HOST_GRACE_MS = 5_000;

// ---------------------------------------------------------------------------------------------
// Corpus case shape
// ---------------------------------------------------------------------------------------------

/** What a case's code can interpolate: where an escapee would leave its marks. */
export interface HostileEnv {
  /** Case name. */
  name: string;
  /** File an escaped payload would create (must never exist after the run). */
  markerPath: string;
  /** Unique per run; assembled only at run time inside the sandbox (see {@link probePrelude}). */
  markId: string;
  /** The probe prelude, to be placed first in the tenant source. */
  prelude: string;
}

/** Everything the runner observed for one run. */
export interface RunObservation {
  result: RunResult;
  output: OutputEvent[];
  /** All stdout text, joined with '\n'. */
  stdoutText: string;
  /** Parsed `json` of an ok outcome (undefined if none / not JSON). */
  value: unknown;
}

/** One acceptable terminal outcome. `check` may throw (vitest `expect`) to reject it. */
export type Expectation =
  | {
      status: 'ok';
      /** Method syntax on purpose: cases annotate `value` with the shape they expect (bivariant). */
      check?(value: unknown, obs: RunObservation): void;
    }
  | {
      status: 'error';
      kind: FailureKind | FailureKind[];
      name?: string | RegExp;
      message?: string | RegExp;
      check?: (obs: RunObservation) => void;
    }
  | { status: 'run-error'; code?: string; check?: (obs: RunObservation) => void }
  /** The worker was killed by the supervisor stand-in (RSS ceiling or wall + grace). Only for
   * the DESIGN.md hazards where the supervisor is documented as the last line. */
  | { status: 'supervisor-kill' };

/** A second run in the SAME worker right after the attack (pollution / leakage checks). */
export interface FollowUp {
  code: string | ((env: HostileEnv) => string);
  sourceType?: SourceType;
  inputJson?: string;
  limits?: Partial<Limits>;
  expect: Expectation | Expectation[];
}

/** One attack of the hostile corpus (`<attack-name>.hostile.ts` default-exports or exports this). */
export interface HostileCase {
  name: string;
  description: string;
  code: string | ((env: HostileEnv) => string);
  sourceType?: SourceType;
  inputJson?: string | ((env: HostileEnv) => string);
  limits?: Partial<Limits>;
  /** Acceptable outcomes (any one). */
  expect: Expectation | Expectation[];
  /** When the payload uses the probe prelude: the least number of probes it must report. */
  minProbes?: number;
  /** Send `cancel` this many ms after `run`. */
  cancelAfterMs?: number;
  /** Fail if the worker's RSS passed this during the run (sampled every 25 ms). */
  maxWorkerRssMib?: number;
  followUp?: FollowUp;
  /**
   * The worker may retire itself after this case: refuse further runs with NO_HEALTHY_WORKER
   * and exit on its own (the engine's answer to isolated-vm catastrophic errors and isolates
   * that keep spinning after dispose). Without this flag a retirement fails the case.
   */
  mayRetireWorker?: boolean;
  /** Set when the technique documents a hole found in the engine (kept failing on purpose). */
  finding?: string;
}

// ---------------------------------------------------------------------------------------------
// The in-sandbox probe
// ---------------------------------------------------------------------------------------------

/**
 * Source placed first in an attack's code. It defines `__H`:
 * - `__H.fn(label, F)`: treats `F` as a candidate Function constructor and compiles + runs a
 *   body in F's realm. If that realm has a Node `process`, the body marks the host (IPC log
 *   message, stdout line, marker file: all three carry the run's token) and reports `HOST`.
 * - `__H.ctor(label, obj)`: `__H.fn(label, obj.constructor.constructor)`.
 * - `__H.val(label, v)`: inspects a value directly (a `process`, a `require`, a global object).
 * - `__H.call(label, thunk)`: runs `thunk()` and inspects what it returns.
 * - `__H.report(extra)`: `{ probes, hostReached, ...extra }`, the case's result.
 *
 * The token is assembled at run time from two halves so it never appears verbatim in the
 * source (a worker that echoed tenant code would otherwise trip the check).
 */
export function probePrelude(markerPath: string, markId: string): string {
  const half = markId.slice(0, 8);
  const rest = markId.slice(8);
  return `
var __H = (function () {
  var MARK = 'VMD_HOSTILE_' + 'ESCAPED_' + ${JSON.stringify(half)} + ${JSON.stringify(rest)};
  var MARKER = ${JSON.stringify(markerPath)};
  var probes = {};
  var hostReached = false;
  var BODY = "var MARK = " + JSON.stringify(MARK) + ", MARKER = " + JSON.stringify(MARKER) + ";" +
    "var g; try { g = (0, eval)('this'); } catch (e) { g = globalThis; }" +
    "var p = g && g.process; var req = typeof require === 'function' ? require : (g && g.require);" +
    "var host = !!(p && typeof p === 'object' && typeof p.pid === 'number') || typeof req === 'function';" +
    "if (host) {" +
    "  try { p.send({ type: 'log', level: 'error', msg: MARK }); } catch (e) {}" +
    "  try { p.stdout.write(MARK + '\\\\n'); } catch (e) {}" +
    "  try { (p.getBuiltinModule ? p.getBuiltinModule('fs') : req('fs')).writeFileSync(MARKER, MARK); } catch (e) {}" +
    "}" +
    "return host ? 'HOST' : 'sandbox';";
  function mark(label, v) {
    if (typeof v === 'string' && v.indexOf('HOST') === 0) hostReached = true;
    probes[label] = v;
    return v;
  }
  function fn(label, F) {
    try {
      if (typeof F !== 'function') return mark(label, 'not-a-function:' + typeof F);
      var compiled = F(BODY);
      if (typeof compiled !== 'function') return mark(label, 'no-function-made');
      return mark(label, String(compiled()));
    } catch (e) {
      var n; try { n = e && e.name; } catch (e2) { n = '?'; }
      return mark(label, 'threw:' + String(n));
    }
  }
  function ctor(label, obj) {
    var F;
    try { F = obj.constructor.constructor; } catch (e) { return mark(label, 'threw-getting-ctor'); }
    return fn(label, F);
  }
  function val(label, v) {
    try {
      if (v === undefined || v === null) return mark(label, 'absent');
      var isProcess = typeof v === 'object' && typeof v.pid === 'number' && typeof v.cwd === 'function';
      var isGlobalWithProcess = typeof v === 'object' && v.process && typeof v.process.pid === 'number';
      var looksRequire = typeof v === 'function' && typeof v.resolve === 'function' && typeof v.cache === 'object';
      if (isProcess || isGlobalWithProcess || looksRequire) {
        var p = isProcess ? v : isGlobalWithProcess ? v.process : null;
        try { p && p.send({ type: 'log', level: 'error', msg: MARK }); } catch (e) {}
        try { p && p.stdout.write(MARK + '\\n'); } catch (e) {}
        try { (p ? p.getBuiltinModule('fs') : v('fs')).writeFileSync(MARKER, MARK); } catch (e) {}
        return mark(label, 'HOST-value');
      }
      if (typeof v === 'function') return fn(label + '.constructor', v.constructor);
      return mark(label, 'sandbox-value:' + typeof v);
    } catch (e) {
      return mark(label, 'threw-inspecting');
    }
  }
  function call(label, thunk) {
    var v;
    try { v = thunk(); } catch (e) {
      var n; try { n = e && e.name; } catch (e2) { n = '?'; }
      return mark(label, 'threw:' + String(n));
    }
    return val(label, v);
  }
  function report(extra) {
    var out = { probes: probes, hostReached: hostReached, probeCount: Object.keys(probes).length };
    if (extra) for (var k in extra) out[k] = extra[k];
    return out;
  }
  return { fn: fn, ctor: ctor, val: val, call: call, mark: mark, report: report, BODY: BODY };
})();
`;
}

// ---------------------------------------------------------------------------------------------
// Worker process handle
// ---------------------------------------------------------------------------------------------

/** The terminal result of one run as the host saw it. */
export type RunResult =
  | { kind: 'outcome'; outcome: ExecutionOutcome; wallMs: number }
  | { kind: 'run-error'; error: VmdErrorWire; wallMs: number }
  | { kind: 'worker-exit'; code: number | null; signal: NodeJS.Signals | null; wallMs: number }
  | { kind: 'host-timeout'; wallMs: number }
  | { kind: 'rss-ceiling'; rssBytes: number; wallMs: number };

export interface RunOptions {
  /** Declare the worker stuck after this long (then SIGKILL it). */
  hostTimeoutMs: number;
  /** Send `cancel` after this many ms. */
  cancelAfterMs?: number;
}

interface Pending {
  onMessage: (m: WorkerMessage) => void;
}

/**
 * The production spawn options (`resolveWorkerSpawn()`, the function the daemon uses), with
 * the module path pointing at the built worker entry in dist.
 *
 * `VMD_HOSTILE_WORKER=/abs/path/worker.js` runs the corpus against another worker entry
 * (e.g. a prototype); its directory is added to the read allow-list, nothing else changes.
 */
export function loadWorkerSpawn(): ResolvedWorkerSpawn {
  const override = process.env.VMD_HOSTILE_WORKER;
  const spawn = resolveWorkerSpawn(override ? { extraReadPaths: [path.dirname(override)] } : {});
  return { ...spawn, modulePath: override ?? WORKER_ENTRY };
}

/** Reads a process's resident set size from /proc (0 if gone). */
export function readRssBytes(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const m = /VmRSS:\s+(\d+)\s+kB/.exec(status);
    return m?.[1] ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** A real worker process started with the production flags. */
export class WorkerHandle {
  readonly child: ChildProcess;
  /** Every message the worker sent, in order. */
  readonly messages: WorkerMessage[] = [];
  /** Messages that carried the request id of a run that had already ended. */
  readonly lateMessages: WorkerMessage[] = [];
  stdout = '';
  stderr = '';
  exited = false;
  /** Set as soon as the harness decides to kill the process (before the exit is observed). */
  doomed = false;
  exitCode: number | null = null;
  exitSignal: NodeJS.Signals | null = null;
  /** Highest RSS sampled during the last run, bytes. */
  peakRssBytes = 0;
  private readonly pending = new Map<string, Pending>();
  private readonly finished = new Set<string>();
  private readonly exitWaiters: (() => void)[] = [];
  private ready: Promise<number>;

  private constructor(spawn: ResolvedWorkerSpawn) {
    this.child = fork(spawn.modulePath, [], {
      execArgv: spawn.execArgv,
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      serialization: 'json',
    });
    this.child.stdout?.setEncoding('utf8').on('data', (d: string) => {
      if (this.stdout.length < 1_000_000) this.stdout += d;
    });
    this.child.stderr?.setEncoding('utf8').on('data', (d: string) => {
      if (this.stderr.length < 1_000_000) this.stderr += d;
    });
    this.ready = new Promise<number>((resolve, reject) => {
      const t = setTimeout(
        () => reject(new Error(`worker sent no 'ready' within 15 s; stderr:\n${this.stderr}`)),
        15_000,
      );
      this.child.on('message', (raw: unknown) => {
        const m = raw as WorkerMessage;
        this.messages.push(m);
        if (m.type === 'ready') {
          clearTimeout(t);
          resolve(m.pid);
          return;
        }
        const id = 'requestId' in m ? m.requestId : undefined;
        if (id !== undefined) {
          if (this.finished.has(id)) this.lateMessages.push(m);
          this.pending.get(id)?.onMessage(m);
        }
      });
      this.child.on('exit', (code, signal) => {
        clearTimeout(t);
        this.exited = true;
        this.exitCode = code;
        this.exitSignal = signal;
        reject(
          new Error(`worker exited before 'ready' (code ${code}, signal ${signal}); stderr:\n${this.stderr}`),
        );
        for (const w of this.exitWaiters.splice(0)) w();
      });
    });
    this.ready.catch(() => undefined);
  }

  /** Forks a worker and waits for its `ready` message. */
  static async start(spawn?: ResolvedWorkerSpawn): Promise<WorkerHandle> {
    const h = new WorkerHandle(spawn ?? loadWorkerSpawn());
    await h.ready;
    return h;
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  private send(m: ParentMessage): void {
    if (!this.exited && this.child.connected) this.child.send(m);
  }

  /** Resolves when the process has exited (immediately if it already has). */
  waitExit(timeoutMs: number): Promise<boolean> {
    if (this.exited) return Promise.resolve(true);
    return new Promise((resolve) => {
      const t = setTimeout(() => resolve(false), timeoutMs);
      this.exitWaiters.push(() => {
        clearTimeout(t);
        resolve(true);
      });
    });
  }

  /** SIGKILL and wait for the exit. */
  async kill(): Promise<void> {
    this.doomed = true;
    if (this.exited) return;
    this.child.kill('SIGKILL');
    await this.waitExit(5_000);
  }

  /** Asks the worker to shut down; SIGKILLs it if it has not exited within `graceMs`. */
  async close(graceMs = 2_000): Promise<void> {
    this.doomed = true;
    if (this.exited) return;
    this.send({ type: 'shutdown' });
    if (!(await this.waitExit(graceMs))) await this.kill();
  }

  /** `ping` → `pong` stats, or throws after `timeoutMs`. */
  ping(timeoutMs = 5_000): Promise<WorkerStats> {
    const requestId = `ping-${randomUUID()}`;
    return new Promise<WorkerStats>((resolve, reject) => {
      if (this.exited) {
        reject(new Error('worker has exited'));
        return;
      }
      const done = (): void => {
        clearTimeout(t);
        this.pending.delete(requestId);
        this.finished.add(requestId);
      };
      const t = setTimeout(() => {
        done();
        reject(new Error(`no pong within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(requestId, {
        onMessage: (m) => {
          if (m.type === 'pong') {
            done();
            resolve(m.stats);
          }
        },
      });
      this.send({ type: 'ping', requestId });
    });
  }

  /**
   * Runs one request; resolves with its terminal result and the output events of that run.
   * Never rejects: a dead, stuck or bloated worker is a {@link RunResult} too (and is killed).
   */
  run(
    request: ExecutionRequest,
    opts: RunOptions,
  ): Promise<{ result: RunResult; output: OutputEvent[]; requestId: string }> {
    const requestId = `run-${randomUUID()}`;
    const output: OutputEvent[] = [];
    const started = performance.now();
    this.peakRssBytes = readRssBytes(this.pid);
    return new Promise((resolve) => {
      let settled = false;
      const timers: NodeJS.Timeout[] = [];
      const finish = (result: RunResult): void => {
        if (settled) return;
        settled = true;
        for (const t of timers) clearTimeout(t);
        clearInterval(rssTimer);
        this.pending.delete(requestId);
        this.finished.add(requestId);
        const i = this.exitWaiters.indexOf(onExit);
        if (i >= 0) this.exitWaiters.splice(i, 1);
        resolve({ result, output, requestId });
      };
      const wall = (): number => Math.round(performance.now() - started);
      const onExit = (): void =>
        finish({ kind: 'worker-exit', code: this.exitCode, signal: this.exitSignal, wallMs: wall() });
      if (this.exited) {
        onExit();
        return;
      }
      this.exitWaiters.push(onExit);
      this.pending.set(requestId, {
        onMessage: (m) => {
          switch (m.type) {
            case 'output':
              output.push(m.event);
              break;
            case 'run-result':
              finish({ kind: 'outcome', outcome: m.outcome, wallMs: wall() });
              break;
            case 'run-error':
              finish({ kind: 'run-error', error: m.error, wallMs: wall() });
              break;
            default:
              break;
          }
        },
      });
      timers.push(
        setTimeout(() => {
          finish({ kind: 'host-timeout', wallMs: wall() });
          void this.kill();
        }, opts.hostTimeoutMs),
      );
      if (opts.cancelAfterMs !== undefined) {
        timers.push(setTimeout(() => this.send({ type: 'cancel', requestId }), opts.cancelAfterMs));
      }
      const rssTimer = setInterval(() => {
        const rss = readRssBytes(this.pid);
        if (rss > this.peakRssBytes) this.peakRssBytes = rss;
        if (rss > RSS_CEILING_BYTES) {
          finish({ kind: 'rss-ceiling', rssBytes: rss, wallMs: wall() });
          void this.kill();
        }
      }, 25);
      this.send({ type: 'run', requestId, request });
    });
  }
}

/** Builds an ExecutionRequest with the given overrides on top of `defaults`. */
export function makeRequest(
  code: string,
  defaults: Limits,
  over: { sourceType?: SourceType; inputJson?: string; limits?: Partial<Limits>; filename?: string } = {},
): ExecutionRequest {
  return {
    code,
    sourceType: over.sourceType ?? 'script',
    inputJson: over.inputJson ?? '',
    filename: over.filename ?? 'main.js',
    limits: { ...defaults, ...over.limits },
  };
}

/** Short human description of a run result, for assertion messages. */
export function describeResult(r: RunResult, output: OutputEvent[] = []): string {
  const out = output.length
    ? `\noutput(${output.length}): ${JSON.stringify(output.slice(0, 5).map((e) => e.text.slice(0, 200)))}`
    : '';
  switch (r.kind) {
    case 'outcome':
      return r.outcome.status === 'ok'
        ? `ok json=${r.outcome.json?.slice(0, 600)} preview=${r.outcome.preview.slice(0, 300)} (${r.wallMs} ms)${out}`
        : `error ${r.outcome.failure.kind} ${r.outcome.failure.name}: ${r.outcome.failure.message.slice(0, 300)} (${r.wallMs} ms)${out}`;
    case 'run-error':
      return `run-error ${r.error.code}: ${r.error.message} (${r.wallMs} ms)${out}`;
    case 'worker-exit':
      return `worker exited code=${r.code} signal=${r.signal} after ${r.wallMs} ms${out}`;
    case 'host-timeout':
      return `worker stuck: no terminal message within ${r.wallMs} ms (killed)${out}`;
    case 'rss-ceiling':
      return `worker RSS ${Math.round(r.rssBytes / 2 ** 20)} MiB passed the ceiling (killed) after ${r.wallMs} ms${out}`;
  }
}
