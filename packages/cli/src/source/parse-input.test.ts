import { describe, expect, it } from 'vitest';
import { CliUsageError } from '../errors.js';
import { resolveInput } from './parse-input.js';

const read = {
  file: async (path: string) => {
    if (path === 'in.json') return '{"n": 3}\n';
    if (path === 'bad.json') return '{n: 3}';
    throw Object.assign(new Error('ENOENT'), { code: 'ENOENT' });
  },
  stdin: async () => '[1, 2]',
};

describe('resolveInput', () => {
  it('JSON text, @file and @- (stdin)', async () => {
    await expect(resolveInput('{"a":1}', read)).resolves.toBe('{"a":1}');
    await expect(resolveInput('"text"', read)).resolves.toBe('"text"');
    await expect(resolveInput('@in.json', read)).resolves.toBe('{"n": 3}');
    await expect(resolveInput('@-', read)).resolves.toBe('[1, 2]');
  });

  it.each([
    ['{a:1}', /the input from --input is not valid JSON.*--input @file.json/],
    ['@bad.json', /the input from bad.json is not valid JSON/],
    ['@missing.json', /cannot read --input file 'missing.json': no such file/],
    ['@', /needs a file name/],
  ])('%s is a usage error', async (option, message) => {
    const error = await resolveInput(option, read).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CliUsageError);
    expect((error as Error).message).toMatch(message);
  });
});
