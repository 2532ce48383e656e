import { DrrScheduler } from '@vmd/core';

/**
 * How the scheduler picks the next queued request across tenants. The scheduler only talks to
 * this interface; it keeps deadlines, cancellation and queue-depth limits itself.
 */
export interface QueuePolicy<T> {
  /** Appends `item` to the tenant's FIFO queue; `weight` is the tenant's share (integer ≥ 1). */
  enqueue(tenantId: string, item: T, weight?: number): void;
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
 * Per-tenant FIFO queues served by weighted deficit round robin (core's {@link DrrScheduler}):
 * every run costs 1, and a tenant of weight w is served w runs per round while it has work
 * queued. A tenant that floods the daemon therefore delays another tenant's request by at most
 * one round — about one slot per other active tenant, scaled by their weights — however deep its
 * own queue is. With every weight 1 this is plain round robin.
 *
 * The weight is read at each enqueue, so a quota change applies to the tenant's next request.
 */
export class WeightedDrrPolicy<T> implements QueuePolicy<T> {
  /** The weight of the enqueue in progress (DrrScheduler reads it through `tenantConfig`). */
  private pendingWeight = 1;
  private readonly drr = new DrrScheduler<T>({
    // Queue depth is the Scheduler's business (it answers QUEUE_FULL with its own hint).
    tenantConfig: () => ({ weight: this.pendingWeight, maxQueueDepth: Number.MAX_SAFE_INTEGER }),
  });

  get size(): number {
    return this.drr.size();
  }

  enqueue(tenantId: string, item: T, weight = 1): void {
    this.pendingWeight = Number.isFinite(weight) ? Math.max(1, Math.min(1000, Math.floor(weight))) : 1;
    this.drr.enqueue(tenantId, item);
  }

  remove(_tenantId: string, item: T): boolean {
    return this.drr.remove(item);
  }

  next(): { tenantId: string; item: T } | undefined {
    const picked = this.drr.dequeue();
    return picked === undefined ? undefined : { tenantId: picked.tenant, item: picked.item };
  }

  depth(tenantId: string): number {
    return this.drr.sizeOf(tenantId);
  }

  drain(): T[] {
    return this.drr.drain().map((x) => x.item);
  }
}
