import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as protoLoader from '@grpc/proto-loader';
import { ReflectionService } from '@grpc/reflection';
import type { Server } from '@grpc/grpc-js';
import { protoPath as healthProtoPath } from 'grpc-health-check';

/** The proto files of the vmd.v1 contract, as shipped by @vmd/client. */
export const VMD_PROTO_FILES = ['common', 'execution', 'repl', 'function', 'tenant', 'monitor'].map(
  (n) => `vmd/v1/${n}.proto`,
);

/** The directory that holds `vmd/v1/*.proto` (from @vmd/client's `proto/`). */
export function vmdProtoRoot(): string {
  const file = fileURLToPath(import.meta.resolve('@vmd/client/proto/vmd/v1/execution.proto'));
  return path.resolve(path.dirname(file), '..', '..');
}

/**
 * Server reflection (v1 and v1alpha) over the same proto files the client's generated code came
 * from, plus grpc.health.v1.
 */
export function addReflection(server: Server): void {
  const root = vmdProtoRoot();
  const healthDir = path.dirname(healthProtoPath);
  // google/protobuf/*.proto come from protobufjs's bundled well-known types.
  const pkg = protoLoader.loadSync([...VMD_PROTO_FILES, path.basename(healthProtoPath)], {
    includeDirs: [root, healthDir],
    keepCase: true,
    longs: String,
    enums: String,
    defaults: true,
    oneofs: true,
  });
  new ReflectionService(pkg).addToServer(server);
}
