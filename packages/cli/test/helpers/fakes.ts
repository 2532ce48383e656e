import { EventEmitter } from 'node:events';
import {
  Execution,
  VmdClientError,
  type ExecuteOptions,
  type HealthStatus,
  type VmdErrorCode,
} from '@vmd/client';
import type { ExecuteResponse } from '@vmd/client/wire';
import type { CliClient } from '../../src/context.js';
import type { CliIo } from '../../src/io.js';

/** Test doubles for in-process CLI tests: no sockets, no processes, no signals. */

/** Output as it was written, in order, per stream. */
export interface FakeIo {
  io: CliIo;
  /** Everything written, in order: ['stdout' | 'stderr', text]. */
  writes: ['stdout' | 'stderr', string][];
  stdout(): string;
  stderr(): string;
  /** Simulates Ctrl-C. */
  interrupt(): void;
}

export function createFakeIo(
  options: {
    files?: Record<string, string>;
    stdin?: string;
    env?: Record<string, string>;
    tty?: boolean;
  } = {},
): FakeIo {
  const writes: ['stdout' | 'stderr', string][] = [];
  const listeners = new Set<() => void>();
  const io: CliIo = {
    stdout: { write: (text) => void writes.push(['stdout', text]), isTTY: options.tty ?? false },
    stderr: { write: (text) => void writes.push(['stderr', text]), isTTY: options.tty ?? false },
    readStdin: async () => options.stdin ?? '',
    readFile: async (path) => {
      const text = options.files?.[path];
      if (text === undefined)
        throw Object.assign(new Error(`ENOENT: no such file or directory, open '${path}'`), {
          code: 'ENOENT',
        });
      return text;
    },
    env: options.env ?? {},
    onInterrupt: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
  const join = (stream: 'stdout' | 'stderr') =>
    writes
      .filter(([s]) => s === stream)
      .map(([, text]) => text)
      .join('');
  return {
    io,
    writes,
    stdout: () => join('stdout'),
    stderr: () => join('stderr'),
    interrupt: () => {
      for (const listener of [...listeners]) listener();
    },
  };
}

/** A stand-in for grpc-js's ClientReadableStream. */
export class FakeCall extends EventEmitter {
  cancelled = false;
  cancel(): void {
    if (this.cancelled) return;
    this.cancelled = true;
    queueMicrotask(() => this.fail('CANCELLED', 'Cancelled on client'));
  }
  pause(): this {
    return this;
  }
  resume(): this {
    return this;
  }
  send(event: ExecuteResponse['event']): void {
    this.emit('data', { event });
  }
  end(): void {
    this.emit('end');
  }
  /** Fails the call as the daemon would (a status with vmd trailers, already mapped). */
  fail(code: VmdErrorCode, details: string, extra: { retryAfterMs?: number; traceId?: string } = {}): void {
    this.emit(
      'error',
      new VmdClientError({ code, grpcCode: 2, message: details, address: '127.0.0.1:50051', ...extra }),
    );
  }
}

/** What the fake daemon does with one call. */
export type Script = (call: FakeCall) => void;

/** A fake client whose executions play `script`; records what it was asked. */
export function createFakeClient(
  script: Script,
  health: HealthStatus | VmdClientError = 'SERVING',
): {
  client: CliClient;
  calls: { code: string; options: ExecuteOptions }[];
  lastCall: () => FakeCall | undefined;
} {
  const calls: { code: string; options: ExecuteOptions }[] = [];
  let last: FakeCall | undefined;
  const client = {
    address: '127.0.0.1:50051',
    execute(code: string, options: ExecuteOptions = {}) {
      calls.push({ code, options });
      const call = new FakeCall();
      last = call;
      const execution = new Execution(call as unknown as ConstructorParameters<typeof Execution>[0], {
        address: '127.0.0.1:50051',
        ...(options.signal === undefined ? {} : { signal: options.signal }),
      });
      setImmediate(() => script(call));
      return execution;
    },
    async health() {
      if (health instanceof VmdClientError) throw health;
      return health;
    },
    close() {},
  } as unknown as CliClient;
  return { client, calls, lastCall: () => last };
}

export const METRICS = {
  cpuTimeMs: 1.5,
  wallTimeMs: 2.5,
  queueWaitMs: 0.25,
  heapUsedBytes: 1000,
  heapPeakBytes: 2000,
  outputBytes: 12,
  workerId: 1,
};
export const TIME = new Date('2026-01-02T03:04:05.678Z');
