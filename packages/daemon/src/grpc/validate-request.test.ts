import { ErrorCode, InvalidArgumentError } from '@vmd/core';
import { SourceType, type ExecuteRequest } from '@vmd/client/wire';
import { describe, expect, it } from 'vitest';
import { DEFAULT_TENANT_ID, validateExecuteRequest } from './validate-request.js';

const base: ExecuteRequest = {
  tenant: 'acme',
  code: '1 + 1',
  sourceType: SourceType.SOURCE_TYPE_SCRIPT,
  inputJson: '',
  limits: undefined,
  filename: '',
};
const zeroLimits = {
  memoryMib: 0,
  cpuTimeMs: 0,
  wallTimeMs: 0,
  outputBytes: 0,
  resultBytes: 0,
  consoleLinesPerSecond: 0,
};

function fieldOf(
  req: Partial<ExecuteRequest>,
  maxCodeBytes = 1024,
): { field: string | undefined; code: string; message: string } {
  try {
    validateExecuteRequest({ ...base, ...req }, { maxCodeBytes });
  } catch (err) {
    expect(err).toBeInstanceOf(InvalidArgumentError);
    const e = err as InvalidArgumentError;
    return { field: e.details.field, code: e.code, message: e.message };
  }
  throw new Error('expected a validation error');
}

describe('validateExecuteRequest', () => {
  it('accepts a good request and fills defaults', () => {
    const v = validateExecuteRequest(
      { ...base, tenant: '', limits: { ...zeroLimits, memoryMib: 32 } },
      { maxCodeBytes: 1024 },
    );
    expect(v).toMatchObject({
      tenantId: DEFAULT_TENANT_ID,
      sourceType: 'script',
      filename: 'main.js',
      requestedLimits: { memoryMib: 32 },
    });
  });

  it.each([
    [{ tenant: 'Bad Tenant' }, 'tenant'],
    [{ tenant: '-x' }, 'tenant'],
    [{ tenant: 'a'.repeat(64) }, 'tenant'],
    [{ sourceType: 7 as SourceType }, 'source_type'],
    [{ sourceType: SourceType.UNRECOGNIZED }, 'source_type'],
    [{ inputJson: '{nope' }, 'input_json'],
    [{ inputJson: 'undefined' }, 'input_json'],
    [{ filename: '../etc/passwd' }, 'filename'],
    [{ filename: 'a b.js' }, 'filename'],
    [{ limits: { ...zeroLimits, memoryMib: 1 } }, 'limits.memory_mib'],
    [{ limits: { ...zeroLimits, resultBytes: 3 } }, 'limits.result_bytes'],
  ] as [Partial<ExecuteRequest>, string][])('names the field of %j → %s', (req, field) => {
    const r = fieldOf(req);
    expect(r.field).toBe(field);
    expect(r.code).toBe(ErrorCode.INVALID_ARGUMENT);
    expect(r.message).toContain(field);
  });

  it.each(['', '   ', '\n\t\n'])(
    'accepts empty or whitespace-only code %j (Node runs an empty file)',
    (code) => {
      for (const sourceType of [SourceType.SOURCE_TYPE_SCRIPT, SourceType.SOURCE_TYPE_MODULE]) {
        expect(validateExecuteRequest({ ...base, code, sourceType }, { maxCodeBytes: 1024 }).code).toBe(code);
      }
    },
  );

  it('reports oversized code as CODE_TOO_LARGE on field code', () => {
    const r = fieldOf({ code: 'x'.repeat(2000) }, 1024);
    expect(r).toMatchObject({ field: 'code', code: ErrorCode.CODE_TOO_LARGE });
    expect(r.message).toContain('2000 bytes');
  });

  it('counts code size in UTF-8 bytes', () => {
    expect(fieldOf({ code: 'é'.repeat(600) }, 1024).code).toBe(ErrorCode.CODE_TOO_LARGE);
  });

  it('accepts module source type and a valid JSON input', () => {
    const v = validateExecuteRequest(
      { ...base, sourceType: SourceType.SOURCE_TYPE_MODULE, inputJson: '[1,2]', filename: 'lib/x.mjs' },
      { maxCodeBytes: 1024 },
    );
    expect(v).toMatchObject({ sourceType: 'module', inputJson: '[1,2]', filename: 'lib/x.mjs' });
  });
});
