import { describe, expect, it } from 'vitest';
import { HealthService, decodeHealthCheckResponse, encodeHealthCheckRequest } from './health.js';

describe('grpc.health.v1 messages', () => {
  it('encodes the request like protobuf (field 1, string)', () => {
    expect([...encodeHealthCheckRequest({ service: 'vmd' })]).toEqual([10, 3, 118, 109, 100]);
    expect(encodeHealthCheckRequest({ service: '' })).toHaveLength(0);
    expect(
      HealthService.check.requestDeserialize(
        encodeHealthCheckRequest({ service: 'vmd.v1.ExecutionService' }),
      ),
    ).toEqual({
      service: 'vmd.v1.ExecutionService',
    });
  });

  it('decodes every status, and unknown numbers as UNKNOWN', () => {
    expect(decodeHealthCheckResponse(new Uint8Array([8, 1]))).toEqual({ status: 'SERVING' });
    expect(decodeHealthCheckResponse(new Uint8Array([8, 2]))).toEqual({ status: 'NOT_SERVING' });
    expect(decodeHealthCheckResponse(new Uint8Array([8, 3]))).toEqual({ status: 'SERVICE_UNKNOWN' });
    expect(decodeHealthCheckResponse(new Uint8Array([]))).toEqual({ status: 'UNKNOWN' });
    expect(decodeHealthCheckResponse(new Uint8Array([8, 9]))).toEqual({ status: 'UNKNOWN' });
    // unknown fields are skipped
    expect(decodeHealthCheckResponse(new Uint8Array([18, 1, 65, 8, 1]))).toEqual({ status: 'SERVING' });
  });

  it('round-trips a response', () => {
    const bytes = HealthService.check.responseSerialize({ status: 'NOT_SERVING' });
    expect(decodeHealthCheckResponse(bytes)).toEqual({ status: 'NOT_SERVING' });
  });
});
