import { BinaryReader, BinaryWriter } from '@bufbuild/protobuf/wire';
import {
  makeGenericClientConstructor,
  type CallOptions,
  type Client,
  type ClientUnaryCall,
  type Metadata,
  type ServiceError,
} from '@grpc/grpc-js';

/**
 * The standard gRPC health service (`grpc.health.v1.Health`), written by hand so that neither
 * the client nor the CLI needs proto-loader: two tiny messages, one unary method.
 */

/** Serving status of the daemon (or of one service) as the health check reports it. */
export type HealthStatus = 'UNKNOWN' | 'SERVING' | 'NOT_SERVING' | 'SERVICE_UNKNOWN';

const STATUS_BY_NUMBER: readonly HealthStatus[] = ['UNKNOWN', 'SERVING', 'NOT_SERVING', 'SERVICE_UNKNOWN'];

/** `grpc.health.v1.HealthCheckRequest { string service = 1; }` */
export interface HealthCheckRequest {
  service: string;
}

/** `grpc.health.v1.HealthCheckResponse { ServingStatus status = 1; }` */
export interface HealthCheckResponse {
  status: HealthStatus;
}

/** Encodes a request (field 1, wire type 2). */
export function encodeHealthCheckRequest(request: HealthCheckRequest): Buffer {
  const writer = new BinaryWriter();
  if (request.service !== '') writer.uint32(10).string(request.service);
  return Buffer.from(writer.finish());
}

/** Decodes a response; an unknown status number reads as `UNKNOWN`. */
export function decodeHealthCheckResponse(bytes: Uint8Array): HealthCheckResponse {
  const reader = new BinaryReader(bytes);
  let status: HealthStatus = 'UNKNOWN';
  while (reader.pos < reader.len) {
    const tag = reader.uint32();
    if (tag === 8) status = STATUS_BY_NUMBER[reader.int32()] ?? 'UNKNOWN';
    else reader.skip(tag & 7);
  }
  return { status };
}

/** The grpc-js service definition of `grpc.health.v1.Health/Check`. */
export const HealthService = {
  check: {
    path: '/grpc.health.v1.Health/Check' as const,
    requestStream: false as const,
    responseStream: false as const,
    requestSerialize: encodeHealthCheckRequest,
    requestDeserialize: (value: Buffer): HealthCheckRequest => {
      const reader = new BinaryReader(value);
      let service = '';
      while (reader.pos < reader.len) {
        const tag = reader.uint32();
        if (tag === 10) service = reader.string();
        else reader.skip(tag & 7);
      }
      return { service };
    },
    responseSerialize: (value: HealthCheckResponse): Buffer => {
      const writer = new BinaryWriter();
      const number = STATUS_BY_NUMBER.indexOf(value.status);
      if (number > 0) writer.uint32(8).int32(number);
      return Buffer.from(writer.finish());
    },
    responseDeserialize: decodeHealthCheckResponse,
  },
} as const;

/** A grpc-js client of the health service. */
export interface HealthClient extends Client {
  check(
    request: HealthCheckRequest,
    metadata: Metadata,
    options: Partial<CallOptions>,
    callback: (error: ServiceError | null, response?: HealthCheckResponse) => void,
  ): ClientUnaryCall;
}

/** Constructor of {@link HealthClient}. */
export const HealthClient = makeGenericClientConstructor(
  HealthService,
  'grpc.health.v1.Health',
) as unknown as new (...args: ConstructorParameters<typeof Client>) => HealthClient;
