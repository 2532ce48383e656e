import { spawn } from 'node:child_process';
import path from 'node:path';
import { repoRoot } from './paths.js';

/** Path of the built `vmctl` entry point. */
export const VMCTL_BIN = path.join(repoRoot, 'packages/cli/dist/main.js');

/** Options for {@link runCli}. */
export interface RunCliOptions {
  /** Extra environment (merged over process.env; `VMD_*` and `FORCE_COLOR` of the test runner are removed first). */
  env?: Record<string, string>;
  /** Text written to the CLI's stdin (stdin is closed either way). */
  input?: string;
  /** Working directory. @default the repository root */
  cwd?: string;
  /** Kill the CLI after this long, ms. @default 30000 */
  timeoutMs?: number;
  /** Called once the process has started, e.g. to send it a signal. */
  onSpawn?: (pid: number) => void;
}

/** What a CLI run produced. */
export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs the real, built `vmctl` binary and collects its output. */
export async function runCli(args: string[], options: RunCliOptions = {}): Promise<CliResult> {
  const env: Record<string, string | undefined> = { ...process.env };
  for (const key of Object.keys(env)) if (key.startsWith('VMD_') || key === 'FORCE_COLOR') delete env[key];
  Object.assign(env, { NO_COLOR: '1' }, options.env);
  const child = spawn(process.execPath, [VMCTL_BIN, ...args], {
    cwd: options.cwd ?? repoRoot,
    env,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  if (child.pid !== undefined) options.onSpawn?.(child.pid);
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
  child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  child.stdin.end(options.input ?? '');
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 30_000);
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
    child.once('close', (c, s) => resolve([c, s])),
  );
  clearTimeout(timer);
  return { code, signal, stdout, stderr };
}

/** Strips ANSI colours, durations, ids and ports so CLI output can be snapshotted. */
export function normalizeCliOutput(text: string): string {
  return (
    text
      // eslint-disable-next-line no-control-regex -- ANSI colour sequences start with ESC
      .replace(/\u001b\[[0-9;]*m/g, '')
      .replace(/127\.0\.0\.1:\d+/g, '127.0.0.1:<port>')
      .replace(/\b\d+(\.\d+)?\s?(ms|µs|s)\b/g, '<n> $2')
      .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, '<uuid>')
  );
}
