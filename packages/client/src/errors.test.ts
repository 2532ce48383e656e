import { Metadata, status } from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import {
  VMD_ERROR_CODES,
  VmdClientError,
  connectFailureReason,
  connectionProblem,
  isVmdErrorCode,
  toVmdClientError,
} from './errors.js';

function serviceError(code: status, details: string, trailers: Record<string, string | Buffer> = {}) {
  const metadata = new Metadata();
  for (const [key, value] of Object.entries(trailers)) metadata.set(key, value);
  return Object.assign(new Error(`${code} ${status[code]}: ${details}`), { code, details, metadata });
}

describe('VmdClientError.fromServiceError', () => {
  it('reads every vmd trailer', () => {
    const error = VmdClientError.fromServiceError(
      serviceError(status.RESOURCE_EXHAUSTED, "tenant 'acme' has a full queue", {
        'vmd-error-code': 'QUEUE_FULL',
        'vmd-retry-after-ms': '200',
        'vmd-trace-id': '4bf92f3577b34da6a3ce929d0e0e4736',
      }),
      { address: '127.0.0.1:50051' },
    );
    expect(error).toBeInstanceOf(VmdClientError);
    expect(error).toBeInstanceOf(Error);
    expect(error.code).toBe('QUEUE_FULL');
    expect(error.grpcCode).toBe(status.RESOURCE_EXHAUSTED);
    expect(error.retryAfterMs).toBe(200);
    expect(error.traceId).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
    expect(error.field).toBeUndefined();
    expect(error.address).toBe('127.0.0.1:50051');
    expect(error.detail).toBe("tenant 'acme' has a full queue");
    expect(error.message).toBe("QUEUE_FULL: tenant 'acme' has a full queue");
    expect(error.isRetryable()).toBe(true);
  });

  it('reads the field of an invalid argument', () => {
    const error = VmdClientError.fromServiceError(
      serviceError(status.INVALID_ARGUMENT, 'memory_mib must be at most 512', {
        'vmd-error-code': 'INVALID_ARGUMENT',
        'vmd-error-field': 'limits.memory_mib',
      }),
    );
    expect(error.code).toBe('INVALID_ARGUMENT');
    expect(error.field).toBe('limits.memory_mib');
    expect(error.isRetryable()).toBe(false);
  });

  it('prefers the vmd code over the gRPC status', () => {
    const error = VmdClientError.fromServiceError(
      serviceError(status.INVALID_ARGUMENT, 'code is 2 MiB, the quota is 1 MiB', {
        'vmd-error-code': 'CODE_TOO_LARGE',
      }),
    );
    expect(error.code).toBe('CODE_TOO_LARGE');
    expect(error.grpcCode).toBe(status.INVALID_ARGUMENT);
  });

  it('accepts binary trailer values and ignores malformed retry hints', () => {
    const metadata = new Metadata();
    metadata.set('vmd-error-code', 'RATE_LIMITED');
    metadata.set('vmd-retry-after-ms', 'soon');
    const error = VmdClientError.fromServiceError({
      code: status.RESOURCE_EXHAUSTED,
      details: 'slow down',
      metadata,
    });
    expect(error.code).toBe('RATE_LIMITED');
    expect(error.retryAfterMs).toBeUndefined();
    expect(error.isRetryable()).toBe(true);
  });

  it('keeps a code it does not know (a newer daemon)', () => {
    const error = VmdClientError.fromServiceError(
      serviceError(status.FAILED_PRECONDITION, 'new thing', { 'vmd-error-code': 'BRAND_NEW_CODE' }),
    );
    expect(error.code).toBe('BRAND_NEW_CODE');
    expect(isVmdErrorCode(error.code)).toBe(false);
  });

  it.each([
    [status.CANCELLED, 'CANCELLED'],
    [status.UNKNOWN, 'UNKNOWN'],
    [status.INVALID_ARGUMENT, 'INVALID_ARGUMENT'],
    [status.DEADLINE_EXCEEDED, 'DEADLINE_EXCEEDED'],
    [status.NOT_FOUND, 'NOT_FOUND'],
    [status.ALREADY_EXISTS, 'ALREADY_EXISTS'],
    [status.PERMISSION_DENIED, 'PERMISSION_DENIED'],
    [status.RESOURCE_EXHAUSTED, 'RESOURCE_EXHAUSTED'],
    [status.FAILED_PRECONDITION, 'FAILED_PRECONDITION'],
    [status.ABORTED, 'ABORTED'],
    [status.OUT_OF_RANGE, 'OUT_OF_RANGE'],
    [status.UNIMPLEMENTED, 'UNIMPLEMENTED'],
    [status.INTERNAL, 'INTERNAL'],
    [status.UNAVAILABLE, 'UNAVAILABLE'],
    [status.DATA_LOSS, 'DATA_LOSS'],
    [status.UNAUTHENTICATED, 'UNAUTHENTICATED'],
  ])('derives the code from gRPC status %i without a trailer', (grpcCode, code) => {
    const error = VmdClientError.fromServiceError(serviceError(grpcCode, 'x'));
    expect(error.code).toBe(code);
    expect(isVmdErrorCode(error.code)).toBe(true);
  });

  it('recognizes grpc-js refusing an oversized message (no trailer)', () => {
    const error = VmdClientError.fromServiceError(
      serviceError(status.RESOURCE_EXHAUSTED, 'Received message larger than max (9000000 vs 8388608)'),
    );
    expect(error.code).toBe('MESSAGE_TOO_LARGE');
  });

  it('explains an unreachable daemon and what to do', () => {
    const error = VmdClientError.fromServiceError(
      serviceError(
        status.UNAVAILABLE,
        'No connection established. Last error: Error: connect ECONNREFUSED 127.0.0.1:50051. Resolution note: ',
      ),
      { address: '127.0.0.1:50051' },
    );
    expect(error.code).toBe('UNAVAILABLE');
    expect(error.message).toBe(
      'UNAVAILABLE: cannot reach vmd at 127.0.0.1:50051 (connect ECONNREFUSED 127.0.0.1:50051): is `vmd serve` running?',
    );
    expect(error.isRetryable()).toBe(true);
  });

  it.each([
    [
      'No connection established. Last error: Error: 00B0C8E0317F0000:error:0A00010B:SSL routines:ssl3_get_record:wrong version number:../deps/openssl/openssl/ssl/record/ssl3_record.c:354:. Resolution note: ',
      /^UNAVAILABLE: vmd at 127\.0\.0\.1:50051 does not speak TLS there \(.*wrong version number.*\): connect without TLS, or start vmd with --tls-cert and --tls-key$/,
    ],
    [
      'No connection established. Last error: Error: self-signed certificate. Resolution note: ',
      /^UNAVAILABLE: vmd at 127\.0\.0\.1:50051 presented a TLS certificate this client does not trust \(self-signed certificate\): give the client its CA/,
    ],
    [
      "No connection established. Last error: Error: Hostname/IP does not match certificate's altnames: IP: 127.0.0.1 is not in the cert's list: . Resolution note: ",
      /does not trust .*altnames.*connect by a name the certificate holds \(tls.serverName; VMD_TLS_SERVER_NAME\)$/,
    ],
  ])('tells a TLS mismatch from an unreachable daemon (%#)', (details, expected) => {
    const error = VmdClientError.fromServiceError(serviceError(status.UNAVAILABLE, details), {
      address: '127.0.0.1:50051',
    });
    expect(error.code).toBe('UNAVAILABLE');
    expect(error.message).toMatch(expected);
  });

  it('keeps a daemon UNAVAILABLE with a vmd code as the daemon said it', () => {
    const error = VmdClientError.fromServiceError(
      serviceError(status.UNAVAILABLE, 'vmd is shutting down', { 'vmd-error-code': 'SHUTTING_DOWN' }),
      { address: 'x:1' },
    );
    expect(error.code).toBe('SHUTTING_DOWN');
    expect(error.message).toBe('SHUTTING_DOWN: vmd is shutting down');
  });

  it('names the method for UNIMPLEMENTED', () => {
    const error = VmdClientError.fromServiceError(serviceError(status.UNIMPLEMENTED, ''), {
      address: 'h:1',
      method: '/vmd.v1.ExecutionService/Execute',
    });
    expect(error.message).toContain('does not implement /vmd.v1.ExecutionService/Execute');
  });
});

describe('VmdClientError', () => {
  it('survives duplicated package copies (brand, not prototype)', () => {
    const error = VmdClientError.cancelled();
    const copy = Object.assign(Object.create(Error.prototype) as object, error);
    Object.defineProperty(copy, Symbol.for('vmd.VmdClientError'), { value: true });
    expect(copy instanceof VmdClientError).toBe(true);
    expect(new Error('x') instanceof VmdClientError).toBe(false);
  });

  it('retryable codes: quota, queue, restart and transport pressure only', () => {
    const retryable = VMD_ERROR_CODES.filter((code) =>
      new VmdClientError({ code, grpcCode: status.UNKNOWN, message: '' }).isRetryable(),
    );
    expect(retryable).toEqual([
      'RATE_LIMITED',
      'QUEUE_FULL',
      'CONCURRENCY_LIMITED',
      'SHUTTING_DOWN',
      'NO_HEALTHY_WORKER',
      'WORKER_CRASHED',
      'UNAVAILABLE',
    ]);
  });

  it('toVmdClientError passes client errors through and wraps the rest', () => {
    const original = VmdClientError.invalidArgument('input', 'bad');
    expect(toVmdClientError(original)).toBe(original);
    const wrapped = toVmdClientError(new TypeError('boom'));
    expect(wrapped.code).toBe('UNKNOWN');
    expect(wrapped.cause).toBeInstanceOf(TypeError);
    expect(toVmdClientError(serviceError(status.NOT_FOUND, 'nope')).code).toBe('NOT_FOUND');
  });

  it('connectFailureReason extracts the useful part of grpc-js details', () => {
    expect(
      connectFailureReason(
        'No connection established. Last error: Error: connect ENOENT /tmp/vmd.sock. Resolution note: ',
      ),
    ).toBe('connect ENOENT /tmp/vmd.sock');
    expect(connectFailureReason('Connection dropped')).toBe('Connection dropped');
    expect(connectFailureReason('')).toBeUndefined();
    expect(connectFailureReason(MTLS_NO_CERT)).toBe('tlsv13 alert certificate required');
  });

  // grpc-js's details as seen against a real daemon (vmctl health, 2026-11-29).
  const MTLS_NO_CERT =
    'No connection established. Last error: Error: 40ED448CDC7F0000:error:0A00045C:SSL routines:ssl3_read_bytes:tlsv13 alert certificate required:../deps/openssl/openssl/ssl/record/rec_layer_s3.c:918:SSL alert number 116\n (2026-11-29T15:56:20.929Z). Resolution note: ';
  it.each([
    [
      'No connection established. Last error: Error: connect ECONNREFUSED 127.0.0.1:5. Resolution note: ',
      'unreachable',
    ],
    [
      'No connection established. Last error: Failed to connect (2026-11-29T15:56:20.269Z). Resolution note: ',
      'tls-expected',
    ],
    [MTLS_NO_CERT, 'client-certificate-required'],
    [
      'No connection established. Last error: Error: self-signed certificate in certificate chain. Resolution note: ',
      'untrusted-certificate',
    ],
    [
      'No connection established. Last error: Error: 40FD6D02877F0000:error:0A00010B:SSL routines:tls_validate_record_header:wrong version number:../deps/openssl/x.c:77:. Resolution note: ',
      'not-tls',
    ],
    ['Connection dropped', 'dropped'],
  ])('connectionProblem(%j) is %s', (details, problem) => {
    expect(connectionProblem(details)).toBe(problem);
    expect(
      toVmdClientError(serviceError(status.UNAVAILABLE, details), { address: 'h:1' }).message,
    ).not.toContain(problem === 'unreachable' ? 'TLS' : 'is `vmd serve` running?');
  });
});
