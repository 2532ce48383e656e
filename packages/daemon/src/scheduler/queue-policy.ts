/**
 * How the scheduler picks the next queued request across tenants. The scheduler only talks to
 * this interface, so round robin can be swapped for weighted deficit round robin (a later issue)
 * without touching it.
 */
export interface QueuePolicy<T> {
  /** Appends `item` to the tenant's FIFO queue. */
  enqueue(tenantId: string, item: T): void;
  /** Removes a queued item (deadline passed, cancelled). Returns false if it was not queued. */
  remove(tenantId: string, item: T): boolean;
  /** Takes the next item to run, or undefined when nothing is queued. */
  next(): { tenantId: string; item: T } | undefined;
  /** Items queued for one tenant. */
  depth(tenantId: string): number;
  /** Items queued in total. */
  readonly size: number;
  /** Removes and returns everything (shutdown). */
  drain(): T[];
}

/**
 * Per-tenant FIFO queues served round robin: each pick takes the head of the next tenant's queue
 * in the ring, so a tenant that floods the daemon delays another tenant's request by at most one
 * slot per other active tenant.
 */
export class RoundRobinPolicy<T> implements QueuePolicy<T> {
  private readonly queues = new Map<string, T[]>();
  /** Tenants with a non-empty queue, in ring order. */
  private readonly ring: string[] = [];
  private cursor = 0;
  private total = 0;

  get size(): number {
    return this.total;
  }

  enqueue(tenantId: string, item: T): void {
    let q = this.queues.get(tenantId);
    if (!q) {
      q = [];
      this.queues.set(tenantId, q);
      // A newly active tenant joins the ring just before the cursor, i.e. it is served last in
      // the current round (it cannot jump ahead of tenants already waiting).
      this.ring.splice(this.cursor, 0, tenantId);
      this.cursor++;
      if (this.cursor >= this.ring.length) this.cursor = 0;
    }
    q.push(item);
    this.total++;
  }

  remove(tenantId: string, item: T): boolean {
    const q = this.queues.get(tenantId);
    if (!q) return false;
    const idx = q.indexOf(item);
    if (idx < 0) return false;
    q.splice(idx, 1);
    this.total--;
    if (q.length === 0) this.dropTenant(tenantId);
    return true;
  }

  next(): { tenantId: string; item: T } | undefined {
    if (this.ring.length === 0) return undefined;
    if (this.cursor >= this.ring.length) this.cursor = 0;
    const tenantId = this.ring[this.cursor]!;
    const q = this.queues.get(tenantId)!;
    const item = q.shift()!;
    this.total--;
    if (q.length === 0) {
      this.dropTenant(tenantId);
    } else {
      this.cursor = (this.cursor + 1) % this.ring.length;
    }
    return { tenantId, item };
  }

  depth(tenantId: string): number {
    return this.queues.get(tenantId)?.length ?? 0;
  }

  drain(): T[] {
    const all = [...this.queues.values()].flat();
    this.queues.clear();
    this.ring.length = 0;
    this.cursor = 0;
    this.total = 0;
    return all;
  }

  private dropTenant(tenantId: string): void {
    this.queues.delete(tenantId);
    const idx = this.ring.indexOf(tenantId);
    if (idx < 0) return;
    this.ring.splice(idx, 1);
    if (idx < this.cursor) this.cursor--;
    if (this.cursor >= this.ring.length) this.cursor = 0;
  }
}
