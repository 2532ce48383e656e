import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CliUsageError } from '../errors.js';
import { LIMIT_BOUNDS, boundedInteger, tenantOperand } from './command-kit.js';

/** The value of a numeric literal or a product of them, as written in the source (`15 * 60_000`). */
const evaluate = (text: string): number =>
  text
    .split('*')
    .map((factor) => Number(factor.trim().replace(/_/g, '')))
    .reduce((product, factor) => product * factor, 1);

describe('LIMIT_BOUNDS', () => {
  it('is the same as the core engine’s (the CLI may not import @vmd/core)', () => {
    const core = readFileSync(new URL('../../../core/src/limits/limits.ts', import.meta.url), 'utf8');
    const table = /export const LIMIT_BOUNDS[\s\S]*?\{([\s\S]*?)\n\}\);/.exec(core)?.[1] ?? '';
    for (const [key, bounds] of Object.entries(LIMIT_BOUNDS)) {
      const row = new RegExp(`${key}: \\{ min: ([^,]+), max: ([^}]+) \\}`).exec(table);
      expect(row, `${key} in packages/core/src/limits/limits.ts`).not.toBeNull();
      expect({ min: evaluate(row![1]!), max: evaluate(row![2]!) }).toEqual(bounds);
    }
  });
});

describe('boundedInteger', () => {
  const memory = boundedInteger('--memory', 'MiB', { min: 8, max: 4096 }, 64, '; or leave it out');
  it('accepts the bounds and what lies between', () => {
    expect([memory('8'), memory(' 64 '), memory('4096')]).toEqual([8, 64, 4096]);
  });
  it.each(['7', '4097', '0', '-8', '1.5', 'lots', ''])(
    'refuses %j, naming the flag and the range',
    (value) => {
      expect(() => memory(value)).toThrow(
        '--memory expects an integer from 8 to 4096 (MiB), e.g. --memory 64; or leave it out',
      );
    },
  );
});

describe('tenantOperand', () => {
  it('takes the argument, or --tenant in its place, or both when they agree', () => {
    expect(tenantOperand('tenant get', 'acme', undefined, true)).toBe('acme');
    expect(tenantOperand('tenant get', undefined, 'acme', true)).toBe('acme');
    expect(tenantOperand('tenant get', 'acme', 'acme', true)).toBe('acme');
    expect(tenantOperand('usage', undefined, undefined, false)).toBeUndefined();
  });

  it('refuses two different tenants, and none where one is required', () => {
    expect(() => tenantOperand('key list', 'acme', 'beta', true)).toThrow(
      new CliUsageError('key list: two tenants given, acme and --tenant beta; give one: vmctl key list acme'),
    );
    expect(() => tenantOperand('stats', 'acme', 'beta', false)).toThrow(CliUsageError);
    expect(() => tenantOperand('tenant delete', undefined, undefined, true)).toThrow(
      new CliUsageError('tenant delete: name the tenant: vmctl tenant delete NAME (or --tenant NAME)'),
    );
  });
});
