import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { status as Status } from '@grpc/grpc-js';
import { ErrorCode } from '@vmd/core';
import { describe, expect, it } from 'vitest';
import { STATUS_BY_ERROR_CODE } from './status-mapping.js';

const doc = readFileSync(fileURLToPath(new URL('../../../../docs/errors.md', import.meta.url)), 'utf8');
const sections = new Map<string, string>();
{
  const parts = doc.split(/^## /m).slice(1);
  for (const part of parts) {
    const title = part.slice(0, part.indexOf('\n')).trim().replace(/`/g, '');
    sections.set(title, part);
  }
}

describe('docs/errors.md', () => {
  it('has a section for every error code, and none for unknown codes', () => {
    expect([...sections.keys()].sort()).toEqual(Object.values(ErrorCode).sort());
  });

  it.each(Object.values(ErrorCode))('%s section names its gRPC status', (code) => {
    const body = sections.get(code) ?? '';
    expect(body).toContain(`gRPC status: \`${Status[STATUS_BY_ERROR_CODE[code]]}\``);
    expect(body).toMatch(/What to do:/);
  });
});
