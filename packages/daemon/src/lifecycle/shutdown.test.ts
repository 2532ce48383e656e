import pino from 'pino';
import { describe, expect, it, vi } from 'vitest';
import { FORCED_EXIT_CODE, installShutdownHandlers } from './shutdown.js';

describe('installShutdownHandlers', () => {
  it('stops gracefully on the first signal and exits 0; a second signal exits at once', async () => {
    let finish!: () => void;
    const stop = vi.fn(() => new Promise<void>((r) => (finish = r)));
    const exit = vi.fn();
    const remove = installShutdownHandlers({
      stop,
      exit,
      logger: pino({ level: 'silent' }),
      signals: ['SIGUSR2'],
    });
    try {
      process.emit('SIGUSR2', 'SIGUSR2');
      expect(stop).toHaveBeenCalledOnce();
      expect(exit).not.toHaveBeenCalled();
      process.emit('SIGUSR2', 'SIGUSR2');
      expect(exit).toHaveBeenLastCalledWith(FORCED_EXIT_CODE);
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
    });
    try {
      process.emit('SIGUSR2', 'SIGUSR2');
      await new Promise((r) => setImmediate(r));
      expect(exit).toHaveBeenCalledWith(1);
    } finally {
      remove();
    }
  });
});
