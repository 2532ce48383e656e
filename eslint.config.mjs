// ESLint for the whole monorepo: typescript-eslint (type-checked), the nx module boundaries
// (DESIGN.md's dependency direction) and the isolation rule (no node:vm anywhere).
import js from '@eslint/js';
import nx from '@nx/eslint-plugin';
import prettier from 'eslint-config-prettier';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      '**/dist/**',
      '**/node_modules/**',
      'packages/client/src/gen/**',
      '**/*.d.ts',
      '.nx/**',
      'bench-results/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      globals: { ...globals.node },
      parserOptions: {
        project: [
          './packages/*/tsconfig.spec.json',
          './tools/*/tsconfig.spec.json',
          './tsconfig.eslint.json',
        ],
        tsconfigRootDir: import.meta.dirname,
      },
    },
    plugins: { '@nx': nx },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': [
        'error',
        { considerDefaultExhaustiveForUnions: true },
      ],
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' },
      ],
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/only-throw-error': 'off',
      'no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: 'vm',
              message: 'The isolation rule: tenant code never runs in node:vm. Use @vmd/core (isolated-vm).',
            },
            {
              name: 'node:vm',
              message: 'The isolation rule: tenant code never runs in node:vm. Use @vmd/core (isolated-vm).',
            },
            { name: 'vm2', message: 'The isolation rule: vm2 is not a sandbox.' },
          ],
          patterns: [
            {
              group: ['@vmd/*/src/*', '@vmd/*/dist/*'],
              message: 'Import a package through its exports, not its files.',
            },
          ],
        },
      ],
      '@nx/enforce-module-boundaries': [
        'error',
        {
          allow: [],
          depConstraints: [
            {
              sourceTag: 'scope:core',
              onlyDependOnLibsWithTags: [],
              bannedExternalImports: ['@grpc/*', 'pino', '@opentelemetry/sdk-*'],
            },
            {
              sourceTag: 'scope:client',
              onlyDependOnLibsWithTags: [],
              bannedExternalImports: ['isolated-vm', 'pino', 'node:sqlite'],
            },
            {
              sourceTag: 'scope:daemon',
              onlyDependOnLibsWithTags: ['scope:core', 'scope:client', 'type:tooling'],
            },
            {
              sourceTag: 'scope:cli',
              onlyDependOnLibsWithTags: ['scope:client', 'type:tooling'],
              bannedExternalImports: ['isolated-vm', '@grpc/proto-loader'],
            },
            {
              sourceTag: 'type:tooling',
              onlyDependOnLibsWithTags: ['scope:client', 'scope:core', 'type:tooling'],
            },
            { sourceTag: 'type:example', onlyDependOnLibsWithTags: ['scope:client'] },
          ],
        },
      ],
    },
  },
  {
    // Tests may use the unsafe floor (node:vm) only in benchmarks, never in product code.
    files: ['tools/bench/**'],
    rules: { 'no-restricted-imports': 'off' },
  },
  {
    files: ['**/*.test.ts', '**/test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/unbound-method': 'off',
    },
  },
  {
    // Each package's vitest config merges the shared base from the repository root.
    files: ['**/vitest.config.ts'],
    rules: { '@nx/enforce-module-boundaries': 'off' },
  },
  {
    files: ['**/*.mjs', '**/*.js'],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    // Tenant code: it runs inside the sandbox (its globals, CommonJS handlers, a script's last
    // expression as its result), not in Node.
    files: ['examples/hello/**/*.js', 'examples/serverless/*.js', 'examples/plugin-host/plugins/**/*.js'],
    languageOptions: { globals: { kv: 'readonly', input: 'readonly' }, sourceType: 'commonjs' },
    rules: {
      '@typescript-eslint/no-unused-expressions': 'off',
      '@typescript-eslint/no-require-imports': 'off',
      'no-empty': ['error', { allowEmptyCatch: true }],
    },
  },
  prettier,
);
