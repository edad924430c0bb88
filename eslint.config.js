// @ts-check
import js from '@eslint/js';
import importX from 'eslint-plugin-import-x';
import tseslint from 'typescript-eslint';
import { IMPORT_ZONES } from './lint/import-zones.js';
import { NO_HAND_TYPED_ROUTES } from './lint/route-types.js';
import { OVER_STRICT_LIMITS, STRICT_RULES } from './lint/strict-limits.js';

/** Modules that mean I/O or a framework: core/ stays pure code that every part can share. */
const NOT_IN_CORE = [
  {
    group: ['fastify', '@fastify/*'],
    allowTypeImports: true,
    message:
      'core/ is pure code shared by the parts: Fastify types only; put the HTTP side in server/ or sidecar/.',
  },
  {
    group: ['@kubernetes/client-node'],
    allowTypeImports: true,
    message: 'core/ may use the Kubernetes types, not the client: API calls belong in server/ or operator/.',
  },
  {
    group: ['child_process', 'node:child_process'],
    message: 'core/ runs no processes: pass a runner in from the part that needs one.',
  },
];

export { IMPORT_ZONES, STRICT_RULES };

export default tseslint.config(
  {
    // Generated or vendored output; everything else, JavaScript included, is source.
    ignores: [
      'node_modules/**',
      'dist/**',
      'ui/dist/**',
      'ui/vendor/**',
      'core/proto/gen/**',
      'test-results/**',
      // Break the import rules on purpose (test/unit/lint/import-rules.test.ts lints them with those rules).
      'test/fixtures/**',
      'test/golden/**',
      '.furnace-data/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      complexity: ['error', 15],
      ...STRICT_RULES,
      'max-lines-per-function': ['error', { max: 60, skipBlankLines: true, skipComments: true }],
    },
  },
  {
    plugins: { 'import-x': importX },
    settings: {
      'import-x/resolver': { node: { extensions: ['.ts', '.tsx', '.js'] } },
      'import-x/extensions': ['.ts', '.tsx', '.js'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts', '.tsx'] },
    },
    rules: {
      'import-x/no-restricted-paths': [
        'error',
        {
          zones: IMPORT_ZONES,
          basePath: import.meta.dirname,
        },
      ],
    },
  },
  // ESLint refuses a config whose `files` is empty, and the list is empty now that every file is within.
  ...(OVER_STRICT_LIMITS.length === 0
    ? []
    : [
        {
          files: OVER_STRICT_LIMITS,
          rules: {
            'max-params': 'off',
            'max-lines': ['error', { max: 400, skipBlankLines: true, skipComments: true }],
          },
        },
      ]),
  {
    // A test is a list of cases; its length says nothing of a part's design (the 400 it had).
    files: ['test/**'],
    rules: {
      'max-lines': ['error', { max: 400, skipBlankLines: true, skipComments: true }],
      'max-params': 'off',
    },
  },
  {
    // A test is one long describe of cases; its length says nothing about a function's.
    files: ['test/**'],
    rules: { 'max-lines-per-function': 'off' },
  },
  {
    files: ['core/**'],
    rules: { 'no-restricted-imports': ['error', { patterns: NOT_IN_CORE }] },
  },
  {
    files: ['server/**/*.ts'],
    rules: { 'no-restricted-syntax': NO_HAND_TYPED_ROUTES },
  },
  {
    // JavaScript sources (cli/bin.js, this file) are outside the TypeScript program: no type information,
    // so the rules that need it are off for them.
    files: ['**/*.js'],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: {
      globals: { process: 'readonly', console: 'readonly', URL: 'readonly' },
    },
  },
  {
    files: ['test/**/*.ts'],
    rules: {
      // node:test's describe/it return promises that the runner awaits itself.
      '@typescript-eslint/no-floating-promises': [
        'error',
        {
          allowForKnownSafeCalls: [
            { from: 'package', package: 'node:test', name: ['describe', 'it', 'test', 'suite'] },
          ],
        },
      ],
    },
  },
);
