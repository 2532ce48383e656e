import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  DataDirError,
  LOCK_FILE,
  lockDataDir,
  ownerAlive,
  parseOwner,
  processStartTicks,
} from './data-dir-lock.js';

let root: string;
beforeEach(() => {
  root = mkdtempSync(path.join(os.tmpdir(), 'vmd-lock-'));
});
afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

const self = { pid: 4242, startTicks: 7 };

describe('lockDataDir', () => {
  it('creates the directory (0700) and a lock naming this process; release removes it', () => {
    const dir = path.join(root, 'a', 'b');
    const lock = lockDataDir(dir, { self });
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(lock.path).toBe(path.join(dir, LOCK_FILE));
    expect(readFileSync(lock.path, 'utf8')).toBe('4242\nstart 7\n');
    expect(lock.takenOverFrom).toBeUndefined();
    lock.release();
    expect(existsSync(lock.path)).toBe(false);
    lock.release();
  });

  it('refuses a directory that cannot be created although its parent exists, at once', () => {
    // /proc answers ENOENT for a new entry; Node's recursive mkdir looped there for ever, at
    // 100% CPU and deaf to SIGINT and SIGTERM.
    expect(() => lockDataDir('/proc/vmd-data-dir-test/x', { self })).toThrow(
      new DataDirError('it cannot be created there (ENOENT); choose another --data-dir'),
    );
  });

  it('refuses while a live daemon holds it, naming its pid, and leaves its lock alone', () => {
    writeFileSync(path.join(root, LOCK_FILE), '1234\n');
    expect(() => lockDataDir(root, { self, isAlive: () => true })).toThrow(
      new DataDirError(
        `another vmd (pid 1234) is using it (lock ${path.join(root, LOCK_FILE)}); stop that daemon, or choose another --data-dir`,
      ),
    );
    expect(readFileSync(path.join(root, LOCK_FILE), 'utf8')).toBe('1234\n');
  });

  it('refuses a second lock of the same directory in one process', () => {
    const lock = lockDataDir(root, { self });
    try {
      expect(() => lockDataDir(root, { self })).toThrow(/another vmd \(pid 4242\) is using it/);
    } finally {
      lock.release();
    }
  });

  it('takes over a lock whose owner is gone, or that names no owner', () => {
    const file = path.join(root, LOCK_FILE);
    writeFileSync(file, '1234\nstart 99\n');
    const lock = lockDataDir(root, { self, isAlive: () => false });
    expect(lock.takenOverFrom).toEqual({ pid: 1234, startTicks: 99 });
    expect(readFileSync(file, 'utf8')).toBe('4242\nstart 7\n');
    lock.release();
    writeFileSync(file, '');
    const again = lockDataDir(root, { self, isAlive: () => true });
    expect(again.takenOverFrom).toBeUndefined();
    expect(readFileSync(file, 'utf8')).toBe('4242\nstart 7\n');
    again.release();
  });

  it('takes over a lock naming its own pid that this process does not hold (a previous life of the pid)', () => {
    const file = path.join(root, LOCK_FILE);
    writeFileSync(file, '4242\nstart 1\n');
    const lock = lockDataDir(root, { self, isAlive: () => true });
    expect(lock.takenOverFrom).toEqual({ pid: 4242, startTicks: 1 });
    lock.release();
  });

  it('release leaves a lock that is no longer this process’s', () => {
    const lock = lockDataDir(root, { self });
    writeFileSync(lock.path, '999\n');
    lock.release();
    expect(readFileSync(lock.path, 'utf8')).toBe('999\n');
  });

  it('a path that is a file, or under one, is one clear error', () => {
    const file = path.join(root, 'file');
    writeFileSync(file, 'x');
    expect(() => lockDataDir(file, { self })).toThrow(
      new DataDirError('it exists and is not a directory; remove it or choose another --data-dir'),
    );
    expect(() => lockDataDir(path.join(file, 'sub'), { self })).toThrow(
      new DataDirError('a part of its path is a file, not a directory; choose another --data-dir'),
    );
  });
});

describe('lock owners', () => {
  it('parses what a lock file holds', () => {
    expect(parseOwner('12\nstart 34\n')).toEqual({ pid: 12, startTicks: 34 });
    expect(parseOwner('12\n')).toEqual({ pid: 12 });
    expect(parseOwner('')).toBeUndefined();
    expect(parseOwner('x\n')).toBeUndefined();
  });

  it.runIf(process.platform === 'linux')('tells this process from a reuse of its pid', () => {
    const startTicks = processStartTicks('self');
    expect(startTicks).toBeTypeOf('number');
    expect(ownerAlive({ pid: process.pid, startTicks })).toBe(true);
    expect(ownerAlive({ pid: process.pid })).toBe(true);
    expect(ownerAlive({ pid: process.pid, startTicks: startTicks! + 1 })).toBe(false);
  });
});
