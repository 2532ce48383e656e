import { ErrorCode } from '../errors/codes.js';
import { InternalError, ResourceExhaustedError, VmdError } from '../errors/vmd-error.js';

/** How the scheduler treats one tenant: its fair share and how much it may queue. */
export interface DrrTenantConfig {
  /** Share relative to other tenants (integer ≥ 1); weight 3 gets 3× the cost of weight 1. */
  weight: number;
  /** Items that may wait in this tenant's queue at once (integer ≥ 1). */
  maxQueueDepth: number;
}

/** Options for {@link DrrScheduler}. */
export interface DrrSchedulerOptions<T> {
  /**
   * Cost a tenant of weight 1 may spend per round. A tenant of weight w gets `quantum × w` per
   * round. Keep it ≥ the usual item cost so one visit serves at least one item.
   * @default 1
   */
  quantum?: number;
  /**
   * Weight and queue depth of a tenant, read on every {@link DrrScheduler.enqueue} (so quota
   * changes apply to the next enqueue). Keep it cheap: an in-memory lookup.
   * @default () => ({ weight: 1, maxQueueDepth: 100 })
   */
  tenantConfig?: (tenant: string) => DrrTenantConfig;
  /**
   * Clock in ms. Deadlines given to {@link DrrScheduler.enqueue} are absolute times on this
   * clock (epoch ms with the default, matching gRPC deadlines).
   * @default Date.now
   */
  now?: () => number;
  /**
   * Called for each item dropped because its deadline passed while it was queued, synchronously
   * before the call that dropped it returns, once the queues are consistent (so it may call the
   * scheduler again). The item is already out of the queue; the callee answers DEADLINE_EXCEEDED.
   * @default no-op
   */
  onExpired?: (item: T, tenant: string) => void;
  /**
   * Retry-after hint of a QUEUE_FULL rejection, ms.
   * @default 1000
   */
  queueFullRetryAfterMs?: number | ((tenant: string, depth: number) => number);
}

/** Per-item options of {@link DrrScheduler.enqueue}. */
export interface DrrEnqueueOptions {
  /** What the item spends of its tenant's share (positive, finite). @default 1 */
  cost?: number;
  /**
   * Absolute deadline on the scheduler's clock, ms. An item still queued at this time is
   * dropped (reported through `onExpired`), never returned by {@link DrrScheduler.dequeue}.
   * @default Infinity (none)
   */
  deadlineMs?: number;
}

/** What {@link DrrScheduler.enqueue} reports about an accepted item. */
export interface EnqueueResult {
  /** Items queued for this tenant, including the new one. */
  tenantDepth: number;
  /** Items queued for all tenants, including the new one. */
  totalDepth: number;
}

/** An item taken off the queues by {@link DrrScheduler.dequeue}. */
export interface DequeuedItem<T> {
  tenant: string;
  item: T;
  /** How long the item waited, ms on the scheduler's clock (for `queueWaitMs` metrics). */
  queuedMs: number;
}

/** @internal one queued item, a node of its tenant's doubly linked FIFO. */
interface Entry<T> {
  readonly item: T;
  readonly cost: number;
  readonly deadlineMs: number;
  readonly enqueuedAt: number;
  readonly owner: TenantQueue<T>;
  prev: Entry<T> | undefined;
  next: Entry<T> | undefined;
}

/** @internal a tenant with queued items, a node of the active ring. */
interface TenantQueue<T> {
  readonly tenant: string;
  weight: number;
  head: Entry<T> | undefined;
  tail: Entry<T> | undefined;
  length: number;
  /** Unspent share carried between rounds (DRR's deficit counter). */
  deficit: number;
  /** True once this visit's quantum has been granted; cleared when the turn ends. */
  inTurn: boolean;
  prev: TenantQueue<T> | undefined;
  next: TenantQueue<T> | undefined;
}

const DEFAULT_TENANT_CONFIG: DrrTenantConfig = Object.freeze({ weight: 1, maxQueueDepth: 100 });

/**
 * Per-tenant FIFO queues served across tenants by weighted deficit round robin
 * (Shreedhar & Varghese). Each round visits the tenants that have queued items in turn; a visit
 * adds `quantum × weight` to the tenant's deficit and serves items from its head while their cost
 * fits. A tenant that floods the queue therefore delays another tenant's item by at most its own
 * per-round share: with quantum 1 and weight 1, tenant A holding 500 items and tenant B enqueuing
 * one, B's item is at most the second one out.
 *
 * Costs: {@link enqueue}, {@link remove} and {@link dequeue} are O(1) (amortized over the
 * expired items a dequeue drops). Two cases cost O(active tenants) per dequeue: skipping tenants
 * that `isEligible` rejects, and items costlier than a whole round (see `fastForward`).
 * {@link purgeExpired} and {@link drain} are O(queued). Queues are doubly linked lists (no
 * `Array.shift`), so cancellation anywhere in a queue is O(1). A tenant whose queue empties
 * leaves the ring and the tenant map, so many short-lived tenants leave nothing behind.
 *
 * Items are tracked by identity: an item may be queued once at a time.
 *
 * Synchronous and timer-free: the owner calls {@link dequeue} when a run slot frees up.
 */
export class DrrScheduler<T> {
  private readonly quantum: number;
  private readonly tenantConfig: (tenant: string) => DrrTenantConfig;
  private readonly now: () => number;
  private readonly onExpired: (item: T, tenant: string) => void;
  private readonly queueFullRetryAfterMs: number | ((tenant: string, depth: number) => number);

  private readonly queues = new Map<string, TenantQueue<T>>();
  private readonly entries = new Map<T, Entry<T>>();
  /** The ring of tenants with queued items; `ringHead` is the tenant whose turn it is. */
  private ringHead: TenantQueue<T> | undefined;
  private ringTail: TenantQueue<T> | undefined;
  private total = 0;

  constructor(options: DrrSchedulerOptions<T> = {}) {
    const quantum = options.quantum ?? 1;
    if (!(Number.isFinite(quantum) && quantum > 0)) {
      throw new RangeError(`DrrScheduler quantum must be a positive finite number, got ${quantum}`);
    }
    this.quantum = quantum;
    this.tenantConfig = options.tenantConfig ?? (() => DEFAULT_TENANT_CONFIG);
    this.now = options.now ?? Date.now;
    this.onExpired = options.onExpired ?? (() => undefined);
    this.queueFullRetryAfterMs = options.queueFullRetryAfterMs ?? 1000;
  }

  /**
   * Appends `item` to `tenant`'s queue.
   * @throws ResourceExhaustedError QUEUE_FULL (with `retryAfterMs`) when the tenant's queue holds
   *   `maxQueueDepth` items already.
   * @throws VmdError DEADLINE_EXCEEDED when `deadlineMs` has already passed (nothing is queued).
   * @throws RangeError for a bad cost, weight or queue depth; InternalError if `item` is already
   *   queued (both are bugs of the caller).
   */
  enqueue(tenant: string, item: T, options: DrrEnqueueOptions = {}): EnqueueResult {
    const cost = options.cost ?? 1;
    if (!(Number.isFinite(cost) && cost > 0)) {
      throw new RangeError(`item cost must be a positive finite number, got ${cost}`);
    }
    const deadlineMs = options.deadlineMs ?? Infinity;
    if (Number.isNaN(deadlineMs)) throw new RangeError('deadlineMs must be a number, got NaN');
    if (this.entries.has(item)) {
      throw new InternalError('an item was enqueued twice in the scheduler');
    }
    const config = this.tenantConfig(tenant);
    checkTenantConfig(tenant, config);

    const now = this.now();
    if (deadlineMs <= now) {
      throw new VmdError(
        ErrorCode.DEADLINE_EXCEEDED,
        "the request's deadline passed before it could be queued; it was not run. Retry with a longer deadline",
      );
    }

    let queue = this.queues.get(tenant);
    const depth = queue?.length ?? 0;
    if (depth >= config.maxQueueDepth) {
      const retryAfterMs =
        typeof this.queueFullRetryAfterMs === 'function'
          ? this.queueFullRetryAfterMs(tenant, depth)
          : this.queueFullRetryAfterMs;
      throw new ResourceExhaustedError(
        ErrorCode.QUEUE_FULL,
        `tenant '${tenant}' already has ${depth} requests queued (its limit is ${config.maxQueueDepth}); retry after ${retryAfterMs} ms or send fewer requests at once`,
        retryAfterMs,
      );
    }

    if (queue === undefined) {
      queue = {
        tenant,
        weight: config.weight,
        head: undefined,
        tail: undefined,
        length: 0,
        deficit: 0,
        inTurn: false,
        prev: undefined,
        next: undefined,
      };
      this.queues.set(tenant, queue);
      // A newly active tenant joins at the end of the ring: it waits for the tenants already
      // waiting to have one turn each, never more.
      this.ringAppend(queue);
    } else {
      queue.weight = config.weight;
    }

    const entry: Entry<T> = {
      item,
      cost,
      deadlineMs,
      enqueuedAt: now,
      owner: queue,
      prev: queue.tail,
      next: undefined,
    };
    if (queue.tail) queue.tail.next = entry;
    else queue.head = entry;
    queue.tail = entry;
    queue.length++;
    this.entries.set(item, entry);
    this.total++;
    return { tenantDepth: queue.length, totalDepth: this.total };
  }

  /**
   * Takes the next item by weighted DRR, or `undefined` when no (eligible) item is queued.
   * Items whose deadline has passed are dropped on the way (reported through `onExpired`).
   *
   * @param isEligible optional filter, e.g. "tenant is below its max concurrency". An ineligible
   *   tenant is skipped without being charged or credited (its turn ends, as if it had nothing
   *   to send); its items stay queued.
   */
  dequeue(isEligible?: (tenant: string) => boolean): DequeuedItem<T> | undefined {
    for (;;) {
      const now = this.now();
      const expired: Array<Entry<T>> = [];
      const entry = this.pick(now, expired, isEligible);
      // Callbacks run while the queues are consistent (the picked entry is still queued), so they
      // may call back in; if one throws, nothing is lost: the picked item stays at its head.
      this.reportExpired(expired);
      if (entry === undefined) return undefined;
      if (this.entries.get(entry.item) !== entry) continue; // a callback removed it: pick again
      const queue = entry.owner;
      queue.deficit -= entry.cost;
      this.unlink(entry);
      if (queue.length === 0) this.retire(queue);
      return { tenant: queue.tenant, item: entry.item, queuedMs: Math.max(0, now - entry.enqueuedAt) };
    }
  }

  /** Finds the entry DRR serves next (still linked, not yet charged), dropping expired heads. */
  private pick(
    now: number,
    expired: Array<Entry<T>>,
    isEligible: ((tenant: string) => boolean) | undefined,
  ): Entry<T> | undefined {
    // Visits since something was served or a tenant left the ring; a full pass (one visit per
    // active tenant) without serving means either nobody is eligible or no head item fits its
    // tenant's deficit yet (costs above the quantum): then fast-forward or give up.
    let visits = 0;
    let eligibleSeen = false;
    for (;;) {
      const queue = this.ringHead;
      if (queue === undefined) return undefined;

      this.dropExpiredHead(queue, now, expired);
      if (queue.length === 0) {
        this.retire(queue);
        visits = 0;
        eligibleSeen = false;
        continue;
      }

      if (isEligible !== undefined && !isEligible(queue.tenant)) {
        this.endTurn(queue);
      } else {
        eligibleSeen = true;
        if (!queue.inTurn) {
          queue.inTurn = true;
          queue.deficit += this.quantum * queue.weight;
        }
        const entry = queue.head!;
        if (entry.cost <= queue.deficit) return entry;
        this.endTurn(queue);
      }

      if (++visits >= this.queues.size) {
        if (!eligibleSeen) return undefined;
        this.fastForward(isEligible);
        visits = 0;
        eligibleSeen = false;
      }
    }
  }

  /**
   * Removes a queued item (cancelled while queued). O(1).
   * @returns false if the item is not queued (already dequeued, expired or never queued).
   */
  remove(item: T): boolean {
    const entry = this.entries.get(item);
    if (entry === undefined) return false;
    const queue = entry.owner;
    this.unlink(entry);
    if (queue.length === 0) this.retire(queue);
    return true;
  }

  /** True if `item` is queued. */
  has(item: T): boolean {
    return this.entries.has(item);
  }

  /**
   * Drops every queued item whose deadline has passed (reporting each through `onExpired`).
   * {@link dequeue} drops expired items lazily as they reach the head of their queue; call this
   * from a timer if expired items must be answered promptly. O(queued).
   * @returns how many items were dropped.
   */
  purgeExpired(): number {
    const now = this.now();
    const expired: Array<Entry<T>> = [];
    for (const queue of [...this.queues.values()]) {
      let entry = queue.head;
      while (entry !== undefined) {
        const next = entry.next;
        if (entry.deadlineMs <= now) {
          this.unlink(entry);
          expired.push(entry);
        }
        entry = next;
      }
      if (queue.length === 0) this.retire(queue);
    }
    this.reportExpired(expired);
    return expired.length;
  }

  /** Removes and returns every queued item, oldest first per tenant (shutdown). O(queued). */
  drain(): Array<{ tenant: string; item: T }> {
    const out: Array<{ tenant: string; item: T }> = [];
    for (const queue of this.queues.values()) {
      for (let entry = queue.head; entry !== undefined; entry = entry.next) {
        out.push({ tenant: queue.tenant, item: entry.item });
      }
    }
    this.queues.clear();
    this.entries.clear();
    this.ringHead = undefined;
    this.ringTail = undefined;
    this.total = 0;
    return out;
  }

  /** Items queued across all tenants (including expired items not dropped yet). */
  size(): number {
    return this.total;
  }

  /** Items queued for one tenant. */
  sizeOf(tenant: string): number {
    return this.queues.get(tenant)?.length ?? 0;
  }

  /** Tenants with at least one queued item, in ring order (the next to be served first). */
  tenants(): string[] {
    const out: string[] = [];
    for (let q = this.ringHead; q !== undefined; q = q.next) out.push(q.tenant);
    return out;
  }

  private dropExpiredHead(queue: TenantQueue<T>, now: number, expired: Array<Entry<T>>): void {
    while (queue.head !== undefined && queue.head.deadlineMs <= now) {
      const entry = queue.head;
      this.unlink(entry);
      expired.push(entry);
    }
  }

  /** Calls `onExpired` for each dropped entry; one throwing callback does not stop the others. */
  private reportExpired(expired: Array<Entry<T>>): void {
    let firstError: unknown;
    let failed = false;
    for (const entry of expired) {
      try {
        this.onExpired(entry.item, entry.owner.tenant);
      } catch (err) {
        if (!failed) firstError = err;
        failed = true;
      }
    }
    if (failed) throw firstError;
  }

  /** Ends the current tenant's turn: it keeps its deficit and goes to the end of the ring. */
  private endTurn(queue: TenantQueue<T>): void {
    queue.inTurn = false;
    if (queue === this.ringTail) return;
    this.ringRemove(queue);
    this.ringAppend(queue);
  }

  /**
   * After a full pass that served nothing although some tenant was eligible: every eligible head
   * costs more than its tenant's deficit. Grant the rounds that would pass until the first of them
   * fits, at once, instead of looping round by round (O(active tenants), only when costs exceed
   * the quantum).
   */
  private fastForward(isEligible: ((tenant: string) => boolean) | undefined): void {
    let rounds = Infinity;
    for (let q = this.ringHead; q !== undefined; q = q.next) {
      if (q.head === undefined || (isEligible !== undefined && !isEligible(q.tenant))) continue;
      const share = this.quantum * q.weight;
      rounds = Math.min(rounds, Math.ceil((q.head.cost - q.deficit) / share));
    }
    if (!Number.isFinite(rounds) || rounds <= 1) return;
    for (let q = this.ringHead; q !== undefined; q = q.next) {
      if (q.head === undefined || (isEligible !== undefined && !isEligible(q.tenant))) continue;
      q.deficit += (rounds - 1) * this.quantum * q.weight;
    }
  }

  private unlink(entry: Entry<T>): void {
    const queue = entry.owner;
    if (entry.prev) entry.prev.next = entry.next;
    else queue.head = entry.next;
    if (entry.next) entry.next.prev = entry.prev;
    else queue.tail = entry.prev;
    entry.prev = undefined;
    entry.next = undefined;
    queue.length--;
    this.total--;
    this.entries.delete(entry.item);
  }

  /** An emptied tenant leaves the ring and the map; its deficit is forfeited (standard DRR). */
  private retire(queue: TenantQueue<T>): void {
    this.ringRemove(queue);
    this.queues.delete(queue.tenant);
    queue.deficit = 0;
    queue.inTurn = false;
  }

  private ringAppend(queue: TenantQueue<T>): void {
    queue.prev = this.ringTail;
    queue.next = undefined;
    if (this.ringTail) this.ringTail.next = queue;
    else this.ringHead = queue;
    this.ringTail = queue;
  }

  private ringRemove(queue: TenantQueue<T>): void {
    if (queue.prev) queue.prev.next = queue.next;
    else if (this.ringHead === queue) this.ringHead = queue.next;
    if (queue.next) queue.next.prev = queue.prev;
    else if (this.ringTail === queue) this.ringTail = queue.prev;
    queue.prev = undefined;
    queue.next = undefined;
  }
}

function checkTenantConfig(tenant: string, config: DrrTenantConfig): void {
  if (!(Number.isSafeInteger(config.weight) && config.weight >= 1)) {
    throw new RangeError(`tenant '${tenant}' weight must be an integer ≥ 1, got ${config.weight}`);
  }
  if (!(Number.isSafeInteger(config.maxQueueDepth) && config.maxQueueDepth >= 1)) {
    throw new RangeError(
      `tenant '${tenant}' maxQueueDepth must be an integer ≥ 1, got ${config.maxQueueDepth}`,
    );
  }
}
