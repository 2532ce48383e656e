import { VMD_ERROR_CODES, VmdClientError, FailureKind } from '@vmd/client';
import { describe, expect, it } from 'vitest';
import { CliUsageError } from '../errors.js';
import {
  EXIT_CODE_BY_ERROR_CODE,
  EXIT_CODE_BY_FAILURE_KIND,
  ExitCode,
  exitCodeForError,
} from './exit-codes.js';

describe('exit codes', () => {
  it('the documented values', () => {
    expect(ExitCode).toEqual({ OK: 0, CODE_FAILED: 1, ERROR: 2, INTERRUPTED: 130 });
  });

  it('every vmd error code has an exit code, and no stale rows exist', () => {
    expect(Object.keys(EXIT_CODE_BY_ERROR_CODE).sort()).toEqual([...VMD_ERROR_CODES].sort());
    for (const code of VMD_ERROR_CODES) {
      expect(exitCodeForError(new VmdClientError({ code, grpcCode: 2, message: 'x' }))).toBe(ExitCode.ERROR);
    }
  });

  it('every failure kind of tenant code exits 1', () => {
    expect(Object.keys(EXIT_CODE_BY_FAILURE_KIND).sort()).toEqual(Object.values(FailureKind).sort());
    expect(new Set(Object.values(EXIT_CODE_BY_FAILURE_KIND))).toEqual(new Set([ExitCode.CODE_FAILED]));
  });

  it('unknown codes, usage errors and bugs exit 2', () => {
    expect(exitCodeForError(new VmdClientError({ code: 'FROM_THE_FUTURE', grpcCode: 2, message: 'x' }))).toBe(
      2,
    );
    expect(exitCodeForError(new CliUsageError('bad flag'))).toBe(2);
    expect(exitCodeForError(new TypeError('bug'))).toBe(2);
  });
});
