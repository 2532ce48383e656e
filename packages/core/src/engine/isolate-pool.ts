/**
 * Pre-warmed isolates per memory class, so isolate creation (~1 ms) and sandbox bootstrap stay
 * off the request path. Each pooled isolate already has its context and the sandbox globals
 * (bootstrap evaluated, from V8 code cache after the first). An isolate serves exactly one run
 * and is then disposed by the engine, which calls {@link IsolatePool.refill} after the run's
 * answer is sent; the pool then makes one isolate per turn of the event loop (`setImmediate`), so
 * IPC that arrives meanwhile is handled between two.
 */
import ivm from 'isolated-vm';
import {
  installSandbox,
  installSandboxFromSnapshot,
  installSandboxFromSnapshotAsync,
  installSandboxSync,
  type Sandbox,
} from '../sandbox/bridge.js';
import { hostCpuLedger } from './host-cpu-ledger.js';

/** A ready isolate: context created and sandbox installed. */
export interface PooledIsolate {
  readonly isolate: ivm.Isolate;
  readonly context: ivm.Context;
  readonly sandbox: Sandbox;
  readonly memoryMib: number;
}

export interface IsolatePoolOptions {
  warmPerClass: number;
  maxClasses: number;
  onCatastrophicError: (message: string) => void;
  /** A startup snapshot holding the compiled bootstrap (see createSandboxSnapshot), or null. */
  snapshot?: ivm.ExternalCopy<ArrayBuffer> | null;
}

export class IsolatePool {
  /** memory class (MiB) → ready isolates; Map order is LRU order (oldest first). */
  private readonly ready = new Map<number, PooledIsolate[]>();
  private refilling = false;
  private disposed = false;

  constructor(private readonly options: IsolatePoolOptions) {}

  /** Creates one ready isolate now, synchronously (fallback for a take from an empty pool). */
  createSync(memoryMib: number): PooledIsolate {
    const isolate = this.newIsolate(memoryMib);
    try {
      const context = isolate.createContextSync();
      const sandbox = this.options.snapshot
        ? installSandboxFromSnapshot(context)
        : installSandboxSync(isolate, context);
      return { isolate, context, sandbox, memoryMib };
    } catch (err) {
      isolate.dispose();
      throw err;
    }
  }

  /**
   * A fresh context, with the sandbox installed, in an isolate that already served a run
   * (isolation `context`), made on isolated-vm's thread. The earlier run's context is released
   * by the caller; nothing of it is reachable from this one (separate globals, built-ins, driver).
   */
  async newContextAsync(isolate: ivm.Isolate, memoryMib: number): Promise<PooledIsolate> {
    const context = await isolate.createContext();
    try {
      const sandbox = this.options.snapshot
        ? await installSandboxFromSnapshotAsync(context)
        : await installSandbox(isolate, context);
      return { isolate, context, sandbox, memoryMib };
    } catch (err) {
      context.release();
      throw err;
    }
  }

  /**
   * Creates one ready isolate; the context and bootstrap work runs on isolated-vm's thread. The
   * host thread's part serves no run: it is kept out of the runs' CPU (HostCpuLedger).
   */
  async create(memoryMib: number): Promise<PooledIsolate> {
    const isolate = hostCpuLedger.exclude(() => this.newIsolate(memoryMib));
    try {
      const context = await isolate.createContext();
      const sandbox = this.options.snapshot
        ? hostCpuLedger.exclude(() => installSandboxFromSnapshot(context))
        : await installSandbox(isolate, context);
      return { isolate, context, sandbox, memoryMib };
    } catch (err) {
      if (!isolate.isDisposed) isolate.dispose();
      throw err;
    }
  }

  private newIsolate(memoryMib: number): ivm.Isolate {
    return new ivm.Isolate({
      memoryLimit: memoryMib,
      onCatastrophicError: this.options.onCatastrophicError,
      ...(this.options.snapshot ? { snapshot: this.options.snapshot } : {}),
    });
  }

  /** A ready isolate of this memory class: from the pool, or created now if it is empty. */
  take(memoryMib: number): PooledIsolate {
    const list = this.touch(memoryMib);
    return list.pop() ?? hostCpuLedger.exclude(() => this.createSync(memoryMib));
  }

  /**
   * Tops the pool up, one isolate at a time, in the background. The engine calls this after a
   * run has delivered its outcome, so the refill never sits between a request and its answer.
   */
  refill(): void {
    this.scheduleRefill();
  }

  /** Fills the given classes (e.g. the default) ahead of the first request. */
  prewarm(classes: readonly number[]): void {
    for (const c of classes) this.touch(c);
    this.scheduleRefill();
  }

  /** Ready isolates across all classes. */
  warmCount(): number {
    let n = 0;
    for (const list of this.ready.values()) n += list.length;
    return n;
  }

  /** Disposes every ready isolate; later takes create isolates on demand only. */
  dispose(): void {
    this.disposed = true;
    for (const list of this.ready.values()) {
      for (const e of list) if (!e.isolate.isDisposed) e.isolate.dispose();
    }
    this.ready.clear();
  }

  private touch(memoryMib: number): PooledIsolate[] {
    let list = this.ready.get(memoryMib);
    if (list === undefined) {
      list = [];
    } else {
      this.ready.delete(memoryMib);
    }
    this.ready.set(memoryMib, list);
    while (this.ready.size > this.options.maxClasses) {
      const [oldest, stale] = this.ready.entries().next().value as [number, PooledIsolate[]];
      for (const e of stale) e.isolate.dispose();
      this.ready.delete(oldest);
    }
    return list;
  }

  private scheduleRefill(): void {
    if (this.refilling || this.disposed) return;
    this.refilling = true;
    setImmediate(() => void this.refillOne());
  }

  private async refillOne(): Promise<void> {
    const target = [...this.ready].find(([, list]) => list.length < this.options.warmPerClass);
    if (target === undefined || this.disposed) {
      this.refilling = false;
      return;
    }
    const [memoryMib, list] = target;
    let entry: PooledIsolate;
    try {
      entry = await this.create(memoryMib);
    } catch {
      this.refilling = false; // out of memory or similar: try again after the next run
      return;
    }
    if (this.disposed || this.ready.get(memoryMib) !== list) {
      entry.isolate.dispose(); // class dropped (LRU) or pool disposed meanwhile
    } else {
      list.push(entry);
    }
    this.refilling = false;
    this.scheduleRefill();
  }
}
