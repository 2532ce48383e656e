import { LIMIT_BOUNDS } from '@vmd/core';
import { describe, expect, it } from 'vitest';
import { TENANT_QUOTA_FIELDS, type TenantQuotas } from '../store/store.js';
import { checkQuota, fitQuotas } from './quota-range.js';

const VALID: TenantQuotas = {
  memoryMib: 64,
  cpuTimeMs: 5000,
  wallTimeMs: 10_000,
  maxConcurrent: 1024,
  ratePerSecond: 0.5,
  burst: 4000,
  queueDepth: 0,
  outputBytes: 0,
  resultBytes: 1 << 20,
  codeBytes: 1 << 20,
  replSessions: 16,
  functions: 0,
  kvBytes: 64 << 20,
  weight: 1,
  consoleLinesPerSecond: 1000,
};
const DEFAULTS = { ratePerSecond: 2000 };

describe("checkQuota with the daemon's limits", () => {
  it("refuses code_bytes above the daemon's maxCodeBytes, saying how to raise it", () => {
    expect(checkQuota('codeBytes', 4096, { maxCodeBytes: 4096 })).toBe(4096);
    expect(() => checkQuota('codeBytes', 4097, { maxCodeBytes: 4096 })).toThrow(
      /^tenant\.quotas\.code_bytes is 4097, more than this daemon accepts \(its maxCodeBytes is 4096 bytes\); use at most 4096, or raise the daemon's limit first \(vmd serve --max-code-bytes/,
    );
    // Without the daemon's limit, only the run limits' bounds apply.
    expect(checkQuota('codeBytes', 4097)).toBe(4097);
    expect(checkQuota('outputBytes', 1 << 24, { maxCodeBytes: 4096 })).toBe(1 << 24);
  });
});

describe('fitQuotas', () => {
  it('leaves quotas in range alone', () => {
    expect(fitQuotas(VALID, DEFAULTS)).toEqual({ quotas: VALID, corrections: [] });
  });

  it.each(Object.entries(LIMIT_BOUNDS))('moves %s to the nearest end of its bounds', (key, b) => {
    const field = key as keyof TenantQuotas;
    const above = fitQuotas({ ...VALID, [field]: b.max * 2 }, DEFAULTS);
    expect(above.quotas[field]).toBe(b.max);
    expect(above.corrections).toEqual([{ field, old: b.max * 2, new: b.max }]);
    if (b.min > 0) expect(fitQuotas({ ...VALID, [field]: b.min - 1 }, DEFAULTS).quotas[field]).toBe(b.min);
  });

  it('raises burst and weight to 1, makes fractions whole, and gives a rate of 0 the default', () => {
    const { quotas, corrections } = fitQuotas(
      { ...VALID, burst: 0, weight: 0, cpuTimeMs: 1500.7, ratePerSecond: 0 },
      DEFAULTS,
    );
    expect(quotas).toMatchObject({ burst: 1, weight: 1, cpuTimeMs: 1500, ratePerSecond: 2000 });
    expect(corrections.map((c) => c.field)).toEqual(['cpuTimeMs', 'ratePerSecond', 'burst', 'weight']);
  });

  it('always gives values checkQuota accepts', () => {
    const samples = [0, 0.5, 1, 2, 7, 8, 1e6, 1e9, 1e12, Number.MAX_SAFE_INTEGER * 4];
    for (const field of TENANT_QUOTA_FIELDS) {
      for (const value of samples) {
        const fitted = fitQuotas({ ...VALID, [field]: value }, DEFAULTS).quotas[field];
        expect(checkQuota(field, fitted), `${field} = ${value}`).toBe(fitted);
      }
    }
  });
});
