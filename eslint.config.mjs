import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { builtinModules } from 'node:module';
import { createNodeResolver, importX } from 'eslint-plugin-import-x';

const nodeBuiltins = [...builtinModules, ...builtinModules.map((m) => `node:${m}`)];

export default tseslint.config(
  { ignores: ['node_modules', 'dist', '.tools', 'data', 'coverage', 'jest.config.js'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  {
    // No import cycles (type-only ones too: scripts/import-graph.ts, tested in test/architecture), and the
    // API stays on top: nothing below it imports api/.
    files: ['**/*.ts'],
    plugins: { 'import-x': importX },
    settings: { 'import-x/resolver-next': [createNodeResolver({ extensions: ['.ts', '.js', '.json'] })] },
    rules: {
      'import-x/no-cycle': 'error',
      'import-x/no-restricted-paths': [
        'error',
        {
          zones: [
            {
              target: [
                './worker.ts',
                './services',
                './activities',
                './models',
                './workflows',
                './domain',
                './scripts',
                './bench',
              ],
              from: './api',
              message: 'Only the API and the tests import api/: move what is shared to services/ or domain/.',
            },
          ],
        },
      ],
    },
  },
  {
    // Workflow code is replayed: it may not touch the outside world (Temporal's determinism rules).
    files: ['workflows/**/*.ts', 'domain/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: nodeBuiltins.map((name) => ({
            name,
            message: 'No Node built-ins in workflows or domain: use an activity.',
          })),
          patterns: [
            {
              group: [
                'mongoose',
                'express',
                '@temporalio/client',
                '@temporalio/worker',
                '**/models/*',
                '**/api/*',
              ],
              message: 'Workflows and domain stay free of I/O.',
            },
            {
              group: ['**/activities', '**/activities/*'],
              allowTypeImports: true,
              message: 'Workflows import activities by type only.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['domain/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: nodeBuiltins.map((name) => ({ name, message: 'The domain is pure.' })),
          patterns: [
            {
              group: [
                '@temporalio/*',
                'mongoose',
                'express',
                '**/models/*',
                '**/api/*',
                '**/activities*',
                '**/workflows*',
              ],
              message: 'The domain is pure: no Temporal, Express, Mongoose or adapters.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['eslint.config.mjs'],
    languageOptions: { globals: { process: 'readonly' } },
  },
);
