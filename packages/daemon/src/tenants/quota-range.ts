/**
 * The range each tenant quota may take, in one place: TenantService refuses a value outside it
 * ({@link checkQuota}), and the daemon brings quotas stored before that check existed into it
 * ({@link fitQuotas}), so a stored quota is always what a run gets.
 */
import { InvalidArgumentError, LIMIT_BOUNDS, type Limits } from '@vmd/core';
import { TENANT_QUOTA_FIELDS, type TenantQuotas } from '../store/store.js';

/** The per-run limits among the quotas: their range is core's {@link LIMIT_BOUNDS}. */
const LIMIT_QUOTAS: ReadonlySet<string> = new Set<keyof Limits>(
  Object.keys(LIMIT_BOUNDS) as (keyof Limits)[],
);

/** Units of the quotas, for messages. */
const QUOTA_UNITS: Partial<Record<keyof TenantQuotas, string>> = {
  memoryMib: 'MiB',
  cpuTimeMs: 'ms',
  wallTimeMs: 'ms',
  outputBytes: 'bytes',
  resultBytes: 'bytes',
  codeBytes: 'bytes',
  kvBytes: 'bytes',
  consoleLinesPerSecond: 'lines per second',
  ratePerSecond: 'requests per second',
};

/** `memoryMib` → `memory_mib`, the proto field name. */
export function quotaFieldName(field: keyof TenantQuotas): string {
  return field.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

/** This daemon's settings that bound a quota further than {@link LIMIT_BOUNDS} do. */
export interface DaemonQuotaLimits {
  /**
   * The daemon's `maxCodeBytes`: no code larger than this is accepted (Execute, REPL inputs,
   * function bundles), so a larger `code_bytes` quota would never apply. Absent: no such bound.
   */
  maxCodeBytes?: number;
}

/**
 * Checks one quota value a request sets. The per-run limits (memory, cpu and wall time, output,
 * result and code bytes, console lines per second) must lie in core's {@link LIMIT_BOUNDS}:
 * a run is always clamped to those, so a quota outside them would be stored and shown but never
 * be what runs get. For the same reason `code_bytes` may not exceed the daemon's `maxCodeBytes`
 * (`daemon`). The admission quotas the scheduler divides by or draws tokens from need a
 * positive value (`rate_per_second` > 0, `burst` ≥ 1, `weight` ≥ 1); the others (concurrency,
 * queue depth, REPL sessions, functions, kv bytes) may be 0, which allows none.
 * @throws InvalidArgumentError naming `tenant.quotas.<field>` and the allowed range (for
 *   `code_bytes` above `maxCodeBytes`: the daemon's limit and how an operator raises it)
 */
export function checkQuota(field: keyof TenantQuotas, value: number, daemon: DaemonQuotaLimits = {}): number {
  const name = `tenant.quotas.${quotaFieldName(field)}`;
  const unit = QUOTA_UNITS[field] === undefined ? '' : ` ${QUOTA_UNITS[field]}`;
  const refuse = (range: string): never => {
    throw new InvalidArgumentError(name, `${name} is ${String(value)}; use ${range}`);
  };
  if (field === 'ratePerSecond') {
    if (!(Number.isFinite(value) && value > 0)) refuse('a number greater than 0 (requests per second)');
    return value;
  }
  if (!Number.isSafeInteger(value) || value < 0) refuse(`a whole number ≥ 0${unit}`);
  if (LIMIT_QUOTAS.has(field)) {
    const { min, max } = LIMIT_BOUNDS[field as keyof Limits];
    if (value < min || value > max) refuse(`a value from ${min} to ${max}${unit}`);
  } else if ((field === 'burst' || field === 'weight') && value < 1) {
    refuse('a whole number ≥ 1');
  }
  const maxCodeBytes = daemon.maxCodeBytes;
  if (field === 'codeBytes' && maxCodeBytes !== undefined && value > maxCodeBytes) {
    // Refused rather than stored and silently capped: the quota would say more than applies.
    throw new InvalidArgumentError(
      name,
      `${name} is ${String(value)}, more than this daemon accepts (its maxCodeBytes is ${maxCodeBytes} bytes); use at most ${maxCodeBytes}, or raise the daemon's limit first (vmd serve --max-code-bytes, VMD_MAX_CODE_BYTES or maxCodeBytes in its config file)`,
    );
  }
  return value;
}

/** One quota {@link fitQuotas} changed. */
export interface QuotaCorrection {
  field: keyof TenantQuotas;
  old: number;
  new: number;
}

/**
 * Brings stored quotas into the range {@link checkQuota} accepts, each to the value a run gets
 * today: a per-run limit to the nearest end of its {@link LIMIT_BOUNDS} (what `clampToQuota`
 * applies), `burst` and `weight` up to 1 (the least the scheduler takes), a fraction down to a
 * whole number, and a `rate_per_second` that is not above 0 — for which no nearest valid value
 * exists — to `defaults.ratePerSecond`, as 0 means "the default" in a create request.
 * @returns the quotas to store and what changed (empty when all were in range)
 */
export function fitQuotas(
  quotas: TenantQuotas,
  defaults: Pick<TenantQuotas, 'ratePerSecond'>,
): { quotas: TenantQuotas; corrections: QuotaCorrection[] } {
  const fitted = { ...quotas };
  const corrections: QuotaCorrection[] = [];
  for (const field of TENANT_QUOTA_FIELDS) {
    const old = quotas[field];
    const value = fitQuota(field, old, defaults);
    if (!Object.is(value, old)) {
      fitted[field] = value;
      corrections.push({ field, old, new: value });
    }
  }
  return { quotas: fitted, corrections };
}

function fitQuota(
  field: keyof TenantQuotas,
  value: number,
  defaults: Pick<TenantQuotas, 'ratePerSecond'>,
): number {
  if (field === 'ratePerSecond') return Number.isFinite(value) && value > 0 ? value : defaults.ratePerSecond;
  let fitted = Number.isNaN(value) ? 0 : Math.min(Math.max(Math.floor(value), 0), Number.MAX_SAFE_INTEGER);
  if (LIMIT_QUOTAS.has(field)) {
    const { min, max } = LIMIT_BOUNDS[field as keyof Limits];
    fitted = Math.min(Math.max(fitted, min), max);
  } else if (field === 'burst' || field === 'weight') {
    fitted = Math.max(fitted, 1);
  }
  return fitted;
}
