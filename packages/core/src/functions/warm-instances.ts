/**
 * Warm instances of deployed functions: isolates whose bundle is already evaluated, kept by
 * function version (the key names tenant, function, version and bundle hash, so an instance is
 * never shared between tenants or versions). Bounded per key and in total (least recently used
 * evicted), and dropped after an idle time. The engine only returns an instance that ended
 * cleanly (no pending timer, no limit hit, heap below its ceiling).
 */
import type { PooledIsolate } from '../engine/isolate-pool.js';

export interface WarmInstancesOptions {
  /** Instances kept per function version. @default 4 */
  maxPerKey?: number;
  /** Instances kept in this process. @default 64 */
  maxTotal?: number;
  /** An instance unused this long is disposed, ms. @default 300000 */
  idleMs?: number;
}

interface Warm {
  entry: PooledIsolate;
  lastUsed: number;
}

export class WarmInstances {
  private readonly byKey = new Map<string, Warm[]>();
  private total = 0;
  private readonly maxPerKey: number;
  private readonly maxTotal: number;
  private readonly idleMs: number;
  private readonly sweeper: NodeJS.Timeout;

  constructor(options: WarmInstancesOptions = {}) {
    this.maxPerKey = options.maxPerKey ?? 4;
    this.maxTotal = options.maxTotal ?? 64;
    this.idleMs = options.idleMs ?? 300_000;
    this.sweeper = setInterval(() => this.sweep(), Math.min(this.idleMs, 30_000));
    this.sweeper.unref();
  }

  /** Instances kept now. */
  get size(): number {
    return this.total;
  }

  /** Takes a warm instance of `key` (most recently used first), if any. */
  take(key: string): PooledIsolate | undefined {
    const list = this.byKey.get(key);
    while (list !== undefined && list.length > 0) {
      const warm = list.pop()!;
      this.total--;
      if (list.length === 0) this.byKey.delete(key);
      if (!warm.entry.isolate.isDisposed) return warm.entry;
    }
    return undefined;
  }

  /** Keeps an instance for the next invocation of `key`, evicting the least recently used. */
  put(key: string, entry: PooledIsolate): void {
    let list = this.byKey.get(key);
    if (list === undefined) {
      list = [];
      this.byKey.set(key, list);
    }
    list.push({ entry, lastUsed: Date.now() });
    this.total++;
    // Map order is insertion order: refresh this key as most recently used.
    this.byKey.delete(key);
    this.byKey.set(key, list);
    while (list.length > this.maxPerKey) this.dispose(list.shift()!, key, list);
    while (this.total > this.maxTotal) {
      const [oldestKey, oldest] = this.byKey.entries().next().value as [string, Warm[]];
      this.dispose(oldest.shift()!, oldestKey, oldest);
    }
  }

  /** Disposes every instance whose key `match`es; returns how many. */
  dropWhere(match: (key: string) => boolean): number {
    let dropped = 0;
    for (const [key, list] of [...this.byKey]) {
      if (!match(key)) continue;
      while (list.length > 0) {
        this.dispose(list.shift()!, key, list);
        dropped++;
      }
    }
    return dropped;
  }

  /** Disposes every instance. */
  clear(): void {
    clearInterval(this.sweeper);
    for (const [key, list] of [...this.byKey]) while (list.length > 0) this.dispose(list.shift()!, key, list);
  }

  private sweep(): void {
    const cutoff = Date.now() - this.idleMs;
    for (const [key, list] of [...this.byKey]) {
      while (list.length > 0 && list[0]!.lastUsed < cutoff) this.dispose(list.shift()!, key, list);
    }
  }

  private dispose(warm: Warm, key: string, list: Warm[]): void {
    this.total--;
    if (list.length === 0) this.byKey.delete(key);
    try {
      if (!warm.entry.isolate.isDisposed) warm.entry.isolate.dispose();
    } catch {
      // already gone
    }
  }
}
