/**
 * Per-execution limits. Everything a request may ask for is clamped to the tenant's quota.
 * Units live in the names.
 */
export interface Limits {
  /** Isolate heap limit, MiB. @default 64 */
  memoryMib: number;
  /** CPU time of the tenant's code, ms. @default 5000 */
  cpuTimeMs: number;
  /** Wall-clock time of the whole run (including pending timers), ms. @default 10000 */
  wallTimeMs: number;
  /** Console output, bytes (UTF-8) over the whole run. @default 1 MiB */
  outputBytes: number;
  /** Serialized result (JSON + preview), bytes. @default 1 MiB */
  resultBytes: number;
  /** Source code size, bytes. @default 1 MiB */
  codeBytes: number;
  /** Console lines per second (a short burst of this many is allowed). @default 1000 */
  consoleLinesPerSecond: number;
}

/** The defaults used when neither request nor quota says otherwise. */
export const DEFAULT_LIMITS: Readonly<Limits> = Object.freeze({
  memoryMib: 64,
  cpuTimeMs: 5_000,
  wallTimeMs: 10_000,
  outputBytes: 1024 * 1024,
  resultBytes: 1024 * 1024,
  codeBytes: 1024 * 1024,
  consoleLinesPerSecond: 1_000,
});

/** The hard floor/ceiling of each limit, whatever a quota says. */
export const LIMIT_BOUNDS: Readonly<Record<keyof Limits, { min: number; max: number }>> = Object.freeze({
  memoryMib: { min: 8, max: 4096 },
  cpuTimeMs: { min: 1, max: 15 * 60_000 },
  wallTimeMs: { min: 1, max: 15 * 60_000 },
  outputBytes: { min: 0, max: 256 * 1024 * 1024 },
  resultBytes: { min: 16, max: 256 * 1024 * 1024 },
  codeBytes: { min: 1, max: 64 * 1024 * 1024 },
  consoleLinesPerSecond: { min: 1, max: 1_000_000 },
});

/**
 * Resolves requested limits against a quota: a requested value of 0 or undefined takes the
 * quota's value; anything larger than the quota is clamped down to it.
 */
export function clampToQuota(requested: Partial<Limits> | undefined, quota: Limits): Limits {
  const out = { ...quota };
  for (const key of Object.keys(quota) as (keyof Limits)[]) {
    const want = requested?.[key];
    if (typeof want === 'number' && Number.isFinite(want) && want > 0) {
      out[key] = Math.min(want, quota[key]);
    }
    const { min, max } = LIMIT_BOUNDS[key];
    out[key] = Math.min(Math.max(out[key], min), max);
  }
  return out;
}
