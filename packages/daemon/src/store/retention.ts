/**
 * Records the store keeps for a limited time (per-minute usage, the audit log): deleted when
 * older than their retention, once at start and then every hour.
 */
import type { Logger } from 'pino';

/** One kind of record and how long it is kept. */
export interface RetentionRule {
  /** What is pruned, for the log: `usage`, `audit`. */
  what: string;
  /** Days to keep; 0 keeps them forever. */
  days: number;
  /** Deletes the records older than `before`; resolves with how many it deleted. */
  prune(before: Date): Promise<number>;
}

export interface StoreRetentionOptions {
  logger?: Pick<Logger, 'info' | 'warn'>;
  /** @default Date.now */
  now?: () => number;
  /** @default one hour */
  intervalMs?: number;
}

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

export class StoreRetention {
  private readonly rules: readonly RetentionRule[];
  private timer: NodeJS.Timeout | undefined;
  private pruning: Promise<void> | undefined;
  private readonly now: () => number;

  constructor(
    rules: readonly RetentionRule[],
    private readonly options: StoreRetentionOptions = {},
  ) {
    this.rules = rules.filter((r) => r.days > 0);
    this.now = options.now ?? Date.now;
  }

  /** Prunes now, then every interval. Nothing to do when every rule keeps forever. */
  start(): void {
    if (this.rules.length === 0 || this.timer !== undefined) return;
    this.pruning = this.prune();
    this.timer = setInterval(() => {
      this.pruning = this.prune();
    }, this.options.intervalMs ?? HOUR_MS);
    this.timer.unref();
  }

  /** Stops the timer and waits for a pruning in progress. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.pruning;
  }

  private async prune(): Promise<void> {
    for (const rule of this.rules) {
      try {
        const deleted = await rule.prune(new Date(this.now() - rule.days * DAY_MS));
        if (deleted > 0) {
          this.options.logger?.info({ deleted, retention_days: rule.days }, `pruned old ${rule.what}`);
        }
      } catch (err) {
        this.options.logger?.warn({ err }, `${rule.what} pruning failed`);
      }
    }
  }
}
