import { spawn } from 'node:child_process';
import path from 'node:path';
import { repoRoot } from './paths.js';

/** What a program run by {@link runExample} produced. */
export interface ExampleResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs a program of the repository (e.g. `examples/serverless/deploy-and-invoke.mjs`) as a user
 * would — `node FILE` from the repository root, resolving `@vmd/client` from the workspace —
 * with `env` added to the environment. Killed after `timeoutMs`.
 */
export function runExample(
  file: string,
  env: Record<string, string>,
  timeoutMs = 60_000,
): Promise<ExampleResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(repoRoot, file)], {
      cwd: repoRoot,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}
