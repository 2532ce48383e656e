import pino from 'pino';
import { describe, expect, it, vi } from 'vitest';
import { forcedExitCode, installShutdownHandlers } from './shutdown.js';

/** A logger whose lines are kept as objects. */
function capture(): { logger: pino.Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const logger = pino(
    { level: 'info' },
    { write: (line: string) => lines.push(JSON.parse(line) as Record<string, unknown>) },
  );
  return { logger, lines };
}

describe('forcedExitCode', () => {
  it('is 128 + the signal number', () => {
    expect(forcedExitCode('SIGTERM')).toBe(143);
    expect(forcedExitCode('SIGINT')).toBe(130);
  });
});

describe('installShutdownHandlers', () => {
  it('stops gracefully on the first signal and exits 0; a second signal exits at once with 128 + its number', async () => {
    let finish!: () => void;
    const stop = vi.fn(() => new Promise<void>((r) => (finish = r)));
    const exit = vi.fn();
    const remove = installShutdownHandlers({
      stop,
      exit,
      logger: pino({ level: 'silent' }),
      signals: ['SIGUSR2'],
      ignoredSignals: [],
    });
    try {
      process.emit('SIGUSR2', 'SIGUSR2');
      expect(stop).toHaveBeenCalledOnce();
      expect(exit).not.toHaveBeenCalled();
      process.emit('SIGUSR2', 'SIGUSR2');
      expect(exit).toHaveBeenLastCalledWith(forcedExitCode('SIGUSR2'));
      expect(exit).toHaveBeenLastCalledWith(140);
      finish();
      await new Promise((r) => setImmediate(r));
      expect(exit).toHaveBeenLastCalledWith(0);
      expect(stop).toHaveBeenCalledOnce();
    } finally {
      remove();
    }
  });

  it('exits 1 when stopping fails', async () => {
    const exit = vi.fn();
    const remove = installShutdownHandlers({
      stop: () => Promise.reject(new Error('x')),
      exit,
      logger: pino({ level: 'silent' }),
      signals: ['SIGUSR2'],
      ignoredSignals: [],
    });
    try {
      process.emit('SIGUSR2', 'SIGUSR2');
      await new Promise((r) => setImmediate(r));
      expect(exit).toHaveBeenCalledWith(1);
    } finally {
      remove();
    }
  });

  it('an ignored signal logs one warning saying to restart, and neither stops nor exits', () => {
    const stop = vi.fn(() => Promise.resolve());
    const exit = vi.fn();
    const { logger, lines } = capture();
    const remove = installShutdownHandlers({
      stop,
      exit,
      logger,
      signals: ['SIGUSR2'],
      ignoredSignals: ['SIGWINCH'],
    });
    try {
      process.emit('SIGWINCH', 'SIGWINCH');
      expect(stop).not.toHaveBeenCalled();
      expect(exit).not.toHaveBeenCalled();
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatchObject({ level: 40, signal: 'SIGWINCH' });
      expect(lines[0]!['msg']).toMatch(/does not reload .*restart the daemon to apply changes/);
    } finally {
      remove();
    }
  });
});
