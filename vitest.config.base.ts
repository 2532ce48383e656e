import { defineConfig } from 'vitest/config';

/**
 * Shared vitest settings. Each package merges this and defines two projects:
 * `unit` (src/**\/*.test.ts: no sockets, no child processes) and `integration`
 * (test/**\/*.int.test.ts: real worker processes, a real daemon, real gRPC on loopback).
 */
export const baseConfig = defineConfig({
  test: {
    environment: 'node',
    pool: 'forks',
    // global.gc(), for the tests that check something is released (run-limits.test.ts).
    execArgv: ['--expose-gc'],
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    reporters: ['default'],
  },
});

/** Builds the standard unit + integration projects for a package. */
export function packageProjects(extra: { integrationInclude?: string[] } = {}) {
  return [
    { extends: true, test: { name: 'unit', include: ['src/**/*.test.ts'] } },
    {
      extends: true,
      test: {
        name: 'integration',
        include: extra.integrationInclude ?? ['test/**/*.int.test.ts'],
        maxWorkers: 1,
        fileParallelism: false,
      },
    },
  ];
}
