import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/**', 'data/**', 'coverage/**', '.scratch/**', 'dist/**', 'bench/.cache/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-throw-literal': 'error',
    },
  },
  {
    // The domain is pure: nothing from outside src/domain, no node built-ins, no clock, no randomness.
    files: ['src/domain/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { group: ['node:*', 'fs', 'crypto', 'path', 'os', 'http', 'https', 'net', 'child_process'], message: 'src/domain does no I/O.' },
          { group: ['../../*', '!../../domain/*'], message: 'src/domain imports nothing outside itself.' },
          { regex: '^[^.]', message: 'src/domain imports no packages.' },
        ],
      }],
      'no-restricted-globals': ['error',
        { name: 'Date', message: 'Time is passed in.' },
        { name: 'crypto', message: 'Ids and keys are passed in.' },
        { name: 'fetch', message: 'src/domain does no I/O.' },
        { name: 'process', message: 'src/domain does no I/O.' },
      ],
      'no-restricted-properties': ['error', { object: 'Math', property: 'random', message: 'Randomness is passed in.' }],
    },
  },
  {
    // Migrations are frozen against Kysely<any>, as kysely recommends: they must not follow schema.ts.
    files: ['src/infra/db/migrate.ts', 'src/infra/db/migrations/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    // Ports are imported as types only by commands and projections.
    files: ['src/commands/**/*.ts', 'src/projections/**/*.ts'],
    rules: {
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
);
