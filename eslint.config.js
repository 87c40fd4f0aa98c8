// One style for every workspace, plus the import boundaries the architecture relies on:
// core stays pure (no SDK, no I/O, no other workspace) and web never reaches into
// functions or agent.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';

const sdkAndIo = [
  'firebase',
  'firebase/*',
  'firebase-admin',
  'firebase-admin/*',
  'firebase-functions',
  'firebase-functions/*',
  '@aws-sdk/*',
  '@firebase/*',
  'socket.io',
  'socket.io-client',
  'systeminformation',
  'ws',
  'react',
  'react-dom',
  'fs',
  'fs/*',
  'node:*',
  'child_process',
  'net',
  'http',
  'https',
  'os',
  'path',
];
const otherWorkspaces = [
  '@vmpool/functions',
  '@vmpool/functions/*',
  '@vmpool/agent',
  '@vmpool/agent/*',
  '@vmpool/web',
  '@vmpool/web/*',
  '@vmpool/local',
  '@vmpool/local/*',
  '@vmpool/test',
  '@vmpool/test/*',
  '../../functions/*',
  '../../agent/*',
  '../../web/*',
  '../../local/*',
];

export default tseslint.config(
  {
    ignores: [
      '**/node_modules/**',
      '**/dist/**',
      'functions/lib/**',
      '.local-data/**',
      'test-artifacts/**',
      'coverage/**',
      'infra/cdk.out/**',
      'build/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      ecmaVersion: 2023,
      sourceType: 'module',
      globals: { ...globals.node },
    },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_' },
      ],
      '@typescript-eslint/consistent-type-imports': 'error',
      eqeqeq: ['error', 'always', { null: 'ignore' }],
      'no-console': 'off',
    },
  },
  {
    files: ['core/src/**/*.ts'],
    ignores: ['core/src/**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: [...sdkAndIo, ...otherWorkspaces],
              message: 'core is pure: no SDK, no I/O, no other workspace. Use a port instead.',
            },
          ],
        },
      ],
      'no-restricted-globals': [
        'error',
        { name: 'process', message: 'core takes config as arguments; never read process.' },
        { name: 'fetch', message: 'core does no I/O.' },
        { name: 'setTimeout', message: 'core has no timers; time is passed in.' },
        { name: 'setInterval', message: 'core has no timers; time is passed in.' },
      ],
      'no-restricted-properties': [
        'error',
        { object: 'Date', property: 'now', message: 'Pass the time in.' },
        { object: 'Math', property: 'random', message: 'Pass randomness in.' },
      ],
    },
  },
  {
    files: ['web/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    plugins: { 'react-hooks': reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: [
                '@vmpool/functions',
                '@vmpool/functions/*',
                '@vmpool/agent',
                '@vmpool/agent/*',
                'firebase-admin',
                'firebase-admin/*',
                '../../functions/*',
                '../../agent/*',
              ],
              message:
                'web talks to the pool through RTDB only; import @vmpool/core for shared types.',
            },
          ],
        },
      ],
    },
  },
);
