/**
 * Validation of what a worker process sends. A worker runs hostile code: if an escape ever got
 * as far as its IPC channel, a forged message must not be able to crash or confuse the daemon.
 * Every message type the daemon acts on is checked field by field (sizes bounded); a message
 * that fails is dropped and the worker is treated as compromised (the supervisor kills it).
 * Types this schema does not know pass through unchanged to the supervisor's own dispatch,
 * which logs and ignores what it does not handle.
 */
import { FailureKind, isErrorCode, type WorkerMessage } from '@vmd/core';
import { z } from 'zod';

/** Longest string field accepted from a worker (results and output are bounded far below). */
const MAX_TEXT = 512 * 1024 * 1024;
const text = z.string().max(MAX_TEXT);
const id = z.string().min(1).max(200);
const count = z.number().finite().nonnegative();

const failureKinds = Object.values(FailureKind) as [string, ...string[]];

const metrics = z.object({
  cpuTimeMs: count,
  wallTimeMs: count,
  queueWaitMs: count,
  heapUsedBytes: count,
  heapPeakBytes: count,
  outputBytes: count,
});

const phases = z
  .array(z.object({ name: z.string().max(64), startMs: z.number().finite(), endMs: z.number().finite() }))
  .max(16)
  .optional();

const outcome = z.discriminatedUnion('status', [
  z.object({
    status: z.literal('ok'),
    json: text.optional(),
    preview: text,
    metrics,
    warm: z.boolean().optional(),
    phases,
  }),
  z.object({
    status: z.literal('error'),
    failure: z.object({
      kind: z.enum(failureKinds),
      name: z.string().max(10_000),
      message: text,
      stack: text,
      line: z.number().int().nonnegative(),
      column: z.number().int().nonnegative(),
    }),
    metrics,
    warm: z.boolean().optional(),
    phases,
  }),
]);

const failure = z.object({
  kind: z.enum(failureKinds),
  name: z.string().max(10_000),
  message: text,
  stack: text,
  line: z.number().int().nonnegative(),
  column: z.number().int().nonnegative(),
});

const wireError = z.object({
  code: z.string().refine(isErrorCode, 'unknown error code'),
  message: z.string().max(64 * 1024),
  details: z.object({
    field: z.string().max(200).optional(),
    resource: z.string().max(200).optional(),
    retryAfterMs: count.optional(),
  }),
});

const replOutcome = z.discriminatedUnion('status', [
  z.object({ status: z.literal('ok'), json: text.optional(), preview: text, metrics }),
  z.object({ status: z.literal('error'), failure, metrics, stateLost: z.boolean() }),
  z.object({ status: z.literal('incomplete') }),
]);

const replReply = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('opened') }),
  z.object({ kind: z.literal('eval'), outcome: replOutcome }),
  z.object({
    kind: z.literal('completions'),
    prefix: z.string().max(10_000),
    candidates: z.array(z.string().max(10_000)).max(10_000),
  }),
  z.object({ kind: z.literal('reset') }),
]);

const outputEvent = z.object({
  stream: z.enum(['stdout', 'stderr']),
  level: z.enum(['log', 'info', 'warn', 'error', 'debug']),
  text,
  timeMs: z.number().finite(),
});

const KNOWN = {
  ready: z.object({ type: z.literal('ready'), pid: z.number().int().positive() }),
  output: z.object({ type: z.literal('output'), requestId: id, event: outputEvent }),
  'run-result': z.object({ type: z.literal('run-result'), requestId: id, outcome }),
  'run-error': z.object({
    type: z.literal('run-error'),
    requestId: id,
    error: z.object({
      code: z.string().refine(isErrorCode, 'unknown error code'),
      message: z.string().max(64 * 1024),
      details: z.object({
        field: z.string().max(200).optional(),
        resource: z.string().max(200).optional(),
        retryAfterMs: count.optional(),
      }),
    }),
  }),
  pong: z.object({
    type: z.literal('pong'),
    requestId: id,
    stats: z.looseObject({
      pid: z.number().int().positive(),
      running: count,
      isolatesWarm: count,
      rssBytes: count,
      runsCompleted: count,
    }),
  }),
  'need-bundle': z.object({ type: z.literal('need-bundle'), requestId: id }),
  'cap-call': z.object({
    type: z.literal('cap-call'),
    requestId: id,
    callId: z.number().int().positive(),
    capability: z.string().regex(/^[a-z]{1,16}$/),
    op: z.string().regex(/^[a-z]{1,16}$/),
    argsJson: z.string().max(1_200_000),
  }),
  'repl-reply': z.object({ type: z.literal('repl-reply'), requestId: id, reply: replReply }),
  'repl-error': z.object({ type: z.literal('repl-error'), requestId: id, error: wireError }),
  'repl-output': z.object({
    type: z.literal('repl-output'),
    sessionId: id,
    requestId: z.string().max(200),
    event: outputEvent,
  }),
  log: z.object({
    type: z.literal('log'),
    level: z.enum(['debug', 'info', 'warn', 'error']),
    msg: z.string().max(64 * 1024),
    fields: z.record(z.string(), z.unknown()).optional(),
  }),
} as const;

/** The result of {@link checkWorkerMessage}. */
export type CheckedWorkerMessage = { ok: true; message: WorkerMessage } | { ok: false; problem: string };

/** Checks one message from a worker. */
export function checkWorkerMessage(raw: unknown): CheckedWorkerMessage {
  if (typeof raw !== 'object' || raw === null || typeof (raw as { type?: unknown }).type !== 'string') {
    return { ok: false, problem: 'not an object with a string type' };
  }
  const type = (raw as { type: string }).type;
  const schema = (KNOWN as Record<string, z.ZodType | undefined>)[type];
  if (schema === undefined) return { ok: true, message: raw as WorkerMessage };
  const parsed = schema.safeParse(raw);
  if (parsed.success) return { ok: true, message: raw as WorkerMessage };
  const issue = parsed.error.issues[0];
  return {
    ok: false,
    problem: `${type}: ${issue ? `${issue.path.join('.') || '(root)'}: ${issue.message}` : 'invalid'}`,
  };
}
