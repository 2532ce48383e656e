import { defineConfig, mergeConfig } from 'vitest/config';
import { baseConfig, packageProjects } from '../../vitest.config.base.ts';

/**
 * unit: src/**\/*.test.ts, in-process with fake I/O (no sockets, no processes).
 * e2e: test/e2e/*.e2e.test.ts, the built `vmctl` binary against a real daemon (tools/testkit);
 * needs `nx run-many -t build -p daemon cli testkit` first (the nx `e2e` target does it).
 */
export default mergeConfig(
  baseConfig,
  defineConfig({
    test: {
      projects: [
        ...packageProjects(),
        {
          extends: true,
          test: {
            name: 'e2e',
            include: ['test/e2e/**/*.e2e.test.ts'],
            maxWorkers: 1,
            fileParallelism: false,
          },
        },
      ],
    },
  }),
);
