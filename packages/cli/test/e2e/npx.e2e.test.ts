import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { repoRoot } from '@vmd/testkit';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);

/**
 * The README's `npx vmctl …` and `npx vmd …`, from the repository root: the workspace links
 * the built binaries into node_modules/.bin, so they must be executable and start on the
 * repo's own Node (npx puts node_modules/.bin, where the pinned `node` is, first on PATH).
 */
describe('npx from the repository root', () => {
  it.each(['vmctl', 'vmd'])('runs %s --version', async (bin) => {
    const { stdout } = await run('npx', ['--no-install', bin, '--version'], { cwd: repoRoot });
    expect(stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });
});
