import { status as Status } from '@grpc/grpc-js';
import {
  ErrorCode,
  InternalError,
  InvalidArgumentError,
  ResourceExhaustedError,
  UnavailableError,
  VmdError,
} from '@vmd/core';
import { describe, expect, it, vi } from 'vitest';
import { STATUS_BY_ERROR_CODE, TRAILER, logLevelForStatus, toGrpcStatus } from './status-mapping.js';

describe('STATUS_BY_ERROR_CODE', () => {
  it.each(Object.values(ErrorCode))('maps %s to a gRPC status', (code) => {
    const status = STATUS_BY_ERROR_CODE[code];
    expect(typeof status).toBe('number');
    expect(status).not.toBe(Status.OK);
  });

  it('has no entries for unknown codes', () => {
    expect(Object.keys(STATUS_BY_ERROR_CODE).sort()).toEqual(Object.values(ErrorCode).sort());
  });

  it('maps representative codes as DESIGN.md says', () => {
    expect(STATUS_BY_ERROR_CODE.CODE_TOO_LARGE).toBe(Status.INVALID_ARGUMENT);
    expect(STATUS_BY_ERROR_CODE.QUEUE_FULL).toBe(Status.RESOURCE_EXHAUSTED);
    expect(STATUS_BY_ERROR_CODE.WORKER_CRASHED).toBe(Status.UNAVAILABLE);
    expect(STATUS_BY_ERROR_CODE.SHUTTING_DOWN).toBe(Status.UNAVAILABLE);
    expect(STATUS_BY_ERROR_CODE.DEADLINE_EXCEEDED).toBe(Status.DEADLINE_EXCEEDED);
    expect(STATUS_BY_ERROR_CODE.TENANT_NOT_FOUND).toBe(Status.NOT_FOUND);
  });
});

describe('toGrpcStatus', () => {
  it('maps a VmdError with field to INVALID_ARGUMENT and trailers', () => {
    const s = toGrpcStatus(new InvalidArgumentError('limits.memory_mib', 'bad'));
    expect(s.code).toBe(Status.INVALID_ARGUMENT);
    expect(s.details).toBe('bad');
    expect(s.metadata?.get(TRAILER.errorCode)).toEqual(['INVALID_ARGUMENT']);
    expect(s.metadata?.get(TRAILER.errorField)).toEqual(['limits.memory_mib']);
  });

  it('carries retry-after', () => {
    const s = toGrpcStatus(new ResourceExhaustedError(ErrorCode.QUEUE_FULL, 'full', 250.2));
    expect(s.code).toBe(Status.RESOURCE_EXHAUSTED);
    expect(s.metadata?.get(TRAILER.retryAfterMs)).toEqual(['251']);
    expect(s.vmdCode).toBe('QUEUE_FULL');
  });

  it('maps UnavailableError', () => {
    expect(toGrpcStatus(new UnavailableError(ErrorCode.WORKER_CRASHED, 'died')).code).toBe(
      Status.UNAVAILABLE,
    );
  });

  it('maps an AbortError to CANCELLED', () => {
    const err = new Error('aborted');
    err.name = 'AbortError';
    expect(toGrpcStatus(err).code).toBe(Status.CANCELLED);
  });

  it('hides unknown errors behind INTERNAL with a trace id, and logs them', () => {
    const logger = { error: vi.fn() };
    const s = toGrpcStatus(new TypeError('secret internals at /home/x'), logger as never);
    expect(s.code).toBe(Status.INTERNAL);
    expect(s.details).not.toContain('secret');
    const traceId = s.metadata?.get(TRAILER.traceId)[0];
    expect(traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(s.details).toContain(String(traceId));
    expect(logger.error).toHaveBeenCalledOnce();
  });

  it('never treats a thrown object with a numeric code as a status', () => {
    const s = toGrpcStatus({ code: 0, details: 'fake OK' });
    expect(s.code).toBe(Status.INTERNAL);
  });

  it('logs InternalError causes and keeps the message generic', () => {
    const logger = { error: vi.fn() };
    const s = toGrpcStatus(new InternalError('internal error', { cause: new Error('x') }), logger as never);
    expect(s.code).toBe(Status.INTERNAL);
    expect(s.metadata?.get(TRAILER.traceId)).toHaveLength(1);
    expect(logger.error).toHaveBeenCalledOnce();
  });

  it('keeps a plain VmdError message', () => {
    expect(toGrpcStatus(new VmdError(ErrorCode.UNIMPLEMENTED, 'x is not implemented yet')).details).toBe(
      'x is not implemented yet',
    );
  });
});

describe('logLevelForStatus', () => {
  it('is info for OK, warn for caller codes, error for INTERNAL', () => {
    expect(logLevelForStatus(Status.OK)).toBe('info');
    expect(logLevelForStatus(Status.INVALID_ARGUMENT)).toBe('warn');
    expect(logLevelForStatus(Status.INTERNAL)).toBe('error');
  });
});
