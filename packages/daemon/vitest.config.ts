import { defineConfig, mergeConfig } from 'vitest/config';
import { baseConfig, packageProjects } from '../../vitest.config.base.ts';

export default mergeConfig(baseConfig, defineConfig({ test: { projects: packageProjects() } }));
