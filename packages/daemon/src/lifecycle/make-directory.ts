import { mkdirSync } from 'node:fs';
import path from 'node:path';

/**
 * `mkdir -p`, one path component at a time; an existing component (or the whole path) is fine.
 * Node's `mkdirSync(dir, { recursive: true })` loops for ever, at 100% CPU and deaf to signals,
 * on a path it cannot create although its parent exists (`/proc/x` answers ENOENT). Here that is
 * the error it is.
 * @throws the first mkdir error other than EEXIST (ENOENT, ENOTDIR, EACCES, …)
 */
export function makeDirectory(dir: string, mode: number): void {
  const absolute = path.resolve(dir);
  const { root } = path.parse(absolute);
  let current = root;
  for (const part of absolute.slice(root.length).split(path.sep)) {
    if (part === '') continue;
    current = path.join(current, part);
    try {
      mkdirSync(current, { mode });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
}
