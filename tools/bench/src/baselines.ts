import { spawn } from 'node:child_process';
// The unsafe floor, for comparison only: node:vm is not a security boundary and vmd never runs
// tenant code in it (DESIGN.md). Here it measures what an in-process, unisolated run costs.
import vm from 'node:vm';

/** One run of `code` in a fresh node:vm context in this process (the unsafe floor). */
export function runInNodeVm(code: string): unknown {
  return vm.runInNewContext(code, {}, { timeout: 1000 });
}

/** One run of `code` in a fresh `node -e` child process (the process-per-run approach). */
export function runInChildProcess(code: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['-e', `process.stdout.write(String(eval(${JSON.stringify(code)})))`],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
    child.once('error', reject);
    child.once('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`child exited ${code}`))));
  });
}
