import type { BundleFile } from './bundle.js';

/**
 * The function bundles a worker has received, by warm-instance key (tenant, function, version,
 * bundle hash: a key's files never change), so the daemon sends a bundle once per worker rather
 * than with every invocation. Bounded by total bytes; the least recently used go first. A
 * bundle not found here (evicted, or this is a new worker process) is asked for again.
 */
export class BundleCache {
  /** key → files and their size; Map order is LRU order (oldest first). */
  private readonly byKey = new Map<string, { files: BundleFile[]; bytes: number }>();
  private bytes = 0;

  constructor(private readonly maxBytes: number) {}

  /** The files of `key`, if kept (and marks them recently used). */
  get(key: string): BundleFile[] | undefined {
    const entry = this.byKey.get(key);
    if (entry === undefined) return undefined;
    this.byKey.delete(key);
    this.byKey.set(key, entry);
    return entry.files;
  }

  /** Keeps the files of `key`, evicting the least recently used past the byte bound. */
  put(key: string, files: BundleFile[]): void {
    const bytes = files.reduce((n, f) => n + f.path.length + f.content.length, 0) * 2; // UTF-16
    this.delete(key);
    if (bytes > this.maxBytes) return;
    this.byKey.set(key, { files, bytes });
    this.bytes += bytes;
    for (const [oldest] of this.byKey) {
      if (this.bytes <= this.maxBytes) break;
      this.delete(oldest);
    }
  }

  /** Drops every bundle whose key starts with `prefix` (a deleted tenant or function). */
  dropPrefix(prefix: string): void {
    for (const key of [...this.byKey.keys()]) if (key.startsWith(prefix)) this.delete(key);
  }

  /** Bundles kept. */
  get size(): number {
    return this.byKey.size;
  }

  private delete(key: string): void {
    const entry = this.byKey.get(key);
    if (entry === undefined) return;
    this.byKey.delete(key);
    this.bytes -= entry.bytes;
  }
}
