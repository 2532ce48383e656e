import { describe, expect, it } from 'vitest';
import { checkWorkerMessage } from './worker-message-schema.js';

/** A worker runs hostile code: what it sends is checked before the daemon acts on it. */
const metrics = {
  cpuTimeMs: 1,
  wallTimeMs: 1,
  queueWaitMs: 0,
  heapUsedBytes: 1,
  heapPeakBytes: 1,
  outputBytes: 0,
};

describe('checkWorkerMessage: REPL messages', () => {
  it.each([
    { type: 'repl-reply', requestId: 's0-1', reply: { kind: 'opened' } },
    { type: 'repl-reply', requestId: 's0-2', reply: { kind: 'reset' } },
    {
      type: 'repl-reply',
      requestId: 's0-3',
      reply: { kind: 'eval', outcome: { status: 'ok', preview: '2', json: '2', metrics } },
    },
    {
      type: 'repl-reply',
      requestId: 's0-4',
      reply: {
        kind: 'eval',
        outcome: {
          status: 'error',
          failure: { kind: 'TIMEOUT', name: 'TimeoutError', message: 'm', stack: '', line: 0, column: 0 },
          metrics,
          stateLost: false,
        },
      },
    },
    { type: 'repl-reply', requestId: 's0-5', reply: { kind: 'eval', outcome: { status: 'incomplete' } } },
    {
      type: 'repl-reply',
      requestId: 's0-6',
      reply: { kind: 'completions', prefix: 'ma', candidates: ['max'] },
    },
    {
      type: 'repl-error',
      requestId: 's0-7',
      error: { code: 'SESSION_NOT_FOUND', message: 'gone', details: {} },
    },
    {
      type: 'repl-output',
      sessionId: 'abc',
      requestId: '',
      event: { stream: 'stdout', level: 'log', text: 'hi', timeMs: 1 },
    },
  ])('accepts what a worker sends: $type', (message) => {
    expect(checkWorkerMessage(message)).toEqual({ ok: true, message });
  });

  it.each([
    [{ type: 'repl-reply', requestId: 's0-1', reply: { kind: 'root-shell' } }, 'reply'],
    [{ type: 'repl-reply', requestId: '', reply: { kind: 'opened' } }, 'requestId'],
    [
      {
        type: 'repl-reply',
        requestId: 's0-1',
        reply: {
          kind: 'eval',
          outcome: { status: 'error', failure: { kind: 'PWNED' }, metrics, stateLost: 1 },
        },
      },
      'reply',
    ],
    [
      { type: 'repl-error', requestId: 's0-1', error: { code: 'NOT_A_CODE', message: '', details: {} } },
      'error',
    ],
    [{ type: 'repl-output', sessionId: 'x', requestId: '', event: { stream: 'fd3', level: 'log' } }, 'event'],
    [
      {
        type: 'repl-reply',
        requestId: 's0-1',
        reply: { kind: 'completions', prefix: '', candidates: Array.from({ length: 20_000 }, () => 'x') },
      },
      'reply',
    ],
  ])('refuses a forged message (%#), naming the bad field', (message, field) => {
    const checked = checkWorkerMessage(message);
    expect(checked.ok).toBe(false);
    if (!checked.ok) expect(checked.problem).toContain(field);
  });
});
