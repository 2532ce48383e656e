import { describe, expect, it } from 'vitest';
import { logAccess } from '../grpc/interceptors/access-log.js';
import { accessLogger, componentLogger, createLogger } from './logger.js';

/** A root logger writing into an array of parsed lines. */
function capture() {
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger({
    destination: { write: (s: string) => lines.push(JSON.parse(s) as Record<string, unknown>) },
  });
  return { logger, lines };
}

describe('createLogger', () => {
  it('redacts secret names at the top level and one level down', () => {
    const { logger, lines } = capture();
    logger.info({ token: 't', headers: { authorization: 'Bearer x', accept: 'a' }, apiKey: 'k' }, 'm');
    expect(lines[0]).toMatchObject({
      token: '[redacted]',
      apiKey: '[redacted]',
      headers: { authorization: '[redacted]', accept: 'a' },
    });
  });
});

describe('accessLogger', () => {
  it('writes the access line whole, still redacting top-level secret names', () => {
    const { logger, lines } = capture();
    const grpc = componentLogger(logger, 'grpc');
    logAccess(accessLogger(grpc), {
      rpc_service: 'vmd.v1.ExecutionService',
      rpc_method: 'Execute',
      grpc_code: 0,
      vmd_error_code: undefined,
      duration_ms: 1.23456,
      peer: '127.0.0.1:1',
      fields: { tenant_id: 'a', outcome: 'ok', run_ms: 1 },
    });
    expect(lines[0]).toMatchObject({
      component: 'grpc',
      msg: 'rpc',
      rpc_method: 'Execute',
      grpc_status: 'OK',
      duration_ms: 1.235,
      tenant_id: 'a',
      outcome: 'ok',
    });
    accessLogger(grpc).info({ token: 'secret' }, 'rpc');
    expect(lines[1]?.['token']).toBe('[redacted]');
  });

  it('leaves the other lines of its parent with the nested redaction', () => {
    const { logger, lines } = capture();
    const grpc = componentLogger(logger, 'grpc');
    accessLogger(grpc);
    grpc.warn({ err: { token: 'secret' } }, 'x');
    expect(lines[0]).toMatchObject({ err: { token: '[redacted]' } });
  });
});
