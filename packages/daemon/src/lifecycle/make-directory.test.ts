import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeDirectory } from './make-directory.js';

let root: string;
beforeEach(() => {
  root = mkdtempSync(path.join(os.tmpdir(), 'vmd-mkdir-'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('makeDirectory', () => {
  it('creates every missing component with the mode, and accepts what exists', () => {
    const dir = path.join(root, 'a', 'b', 'c');
    makeDirectory(dir, 0o700);
    expect(statSync(dir).isDirectory()).toBe(true);
    expect(statSync(path.join(root, 'a')).mode & 0o777).toBe(0o700);
    makeDirectory(dir, 0o700);
    makeDirectory(`${dir}/`, 0o700);
  });

  it('fails with the error of the component it cannot create', () => {
    writeFileSync(path.join(root, 'file'), '');
    expect(() => makeDirectory(path.join(root, 'file', 'x'), 0o700)).toThrow(
      expect.objectContaining({ code: 'ENOTDIR' }) as Error,
    );
    expect(() => makeDirectory('/proc/vmd-mkdir-test/x', 0o700)).toThrow(
      expect.objectContaining({ code: 'ENOENT' }) as Error,
    );
  });
});
