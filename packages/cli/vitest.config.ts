import { defineConfig, mergeConfig } from 'vitest/config';
import { baseConfig, packageProjects } from '../../vitest.config.base.ts';

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
