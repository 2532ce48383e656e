import { readFile } from 'node:fs/promises';

/** An output stream as the CLI uses it. */
export interface CliOutput {
  write(text: string): void;
  /** True when a terminal is attached (colours, live rendering). */
  readonly isTTY?: boolean | undefined;
}

/**
 * Everything `vmctl` touches outside itself, so that commands run in-process in unit tests
 * with fake streams and no sockets or signals.
 */
export interface CliIo {
  stdout: CliOutput;
  stderr: CliOutput;
  /** Reads all of standard input as UTF-8. */
  readStdin(): Promise<string>;
  /** Reads a file as UTF-8. */
  readFile(path: string): Promise<string>;
  /** The environment (`VMD_*`, `NO_COLOR`, `FORCE_COLOR`). */
  env: Readonly<Record<string, string | undefined>>;
  /** Subscribes to Ctrl-C (SIGINT); returns the unsubscribe function. */
  onInterrupt(listener: () => void): () => void;
}

/** The real process: stdout, stderr, stdin, files, `process.env`, SIGINT. */
export function createProcessIo(): CliIo {
  return {
    stdout: {
      write: (text) => void process.stdout.write(text),
      get isTTY() {
        return process.stdout.isTTY;
      },
    },
    stderr: {
      write: (text) => void process.stderr.write(text),
      get isTTY() {
        return process.stderr.isTTY;
      },
    },
    readStdin: async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks).toString('utf8');
    },
    readFile: (path) => readFile(path, 'utf8'),
    env: process.env,
    onInterrupt: (listener) => {
      process.on('SIGINT', listener);
      return () => process.removeListener('SIGINT', listener);
    },
  };
}
