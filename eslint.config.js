// One style for every workspace, plus the import boundaries the architecture relies on:
// core stays pure (no SDK, no I/O, no other workspace), web never reaches into functions or
// agent, and inside web/src imports flow one way: shared code -> features -> app.
import { dirname, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
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

const WEB_SRC = resolve(dirname(fileURLToPath(import.meta.url)), 'web/src');

/**
 * Where a file of web/src sits: `app` (and the entry main.tsx) composes features; `feature`
 * is one folder of features/; `testing` is test support; everything else is shared.
 */
function webLayer(file) {
  const parts = relative(WEB_SRC, file).split(sep);
  if (parts[0] === '..' || parts.length === 0) return null;
  if (parts[0] === 'app' || /^main\.tsx?$/.test(parts[0] ?? '')) return { kind: 'app' };
  if (parts[0] === 'features' && parts.length > 1) {
    // The feature folder itself, or its index, is the feature's public surface.
    const rest = parts.slice(2).join('/');
    return {
      kind: 'feature',
      name: parts[1],
      isIndex: rest === '' || /^index(\.tsx?)?$/.test(rest),
    };
  }
  if (parts[0] === 'testing') return { kind: 'testing' };
  return { kind: 'shared' };
}

/**
 * web/src's import direction (after bulletproof-react's project structure): shared code
 * (components, hooks, lib, config) imports no feature and no app code; a feature imports
 * shared code, its own files, and another feature only through that feature's index; only
 * app (and main.tsx) imports app; testing/ is for tests only.
 */
const importDirection = {
  meta: {
    type: 'problem',
    docs: { description: 'Enforce the web/src import direction: shared -> features -> app.' },
    schema: [],
    messages: {
      sharedToFeature:
        'Shared code ({{from}}) must not import a feature ({{to}}); move the shared part out of the feature instead.',
      toApp: 'Only app/ composes pages and routes; {{from}} must not import {{to}}.',
      featureInternals:
        'Import another feature only through its index: use "{{index}}" instead of {{to}}.',
      testingInApp: 'testing/ is for tests; {{from}} must not import {{to}}.',
    },
  },
  create(context) {
    const file = context.filename;
    const from = webLayer(file);
    if (from === null) return {};
    const isTest = /\.test\.tsx?$/.test(file);
    const check = (source) => {
      if (source == null || typeof source.value !== 'string' || !source.value.startsWith('.'))
        return;
      const target = resolve(dirname(file), source.value);
      const to = webLayer(target);
      if (to === null) return;
      const data = { from: relative(WEB_SRC, file), to: relative(WEB_SRC, target) };
      if (to.kind === 'app' && from.kind !== 'app') {
        context.report({ node: source, messageId: 'toApp', data });
      } else if (to.kind === 'testing' && from.kind !== 'testing' && !isTest) {
        context.report({ node: source, messageId: 'testingInApp', data });
      } else if (to.kind === 'feature' && from.kind === 'shared') {
        context.report({ node: source, messageId: 'sharedToFeature', data });
      } else if (
        to.kind === 'feature' &&
        !to.isIndex &&
        !(from.kind === 'feature' && from.name === to.name)
      ) {
        context.report({
          node: source,
          messageId: 'featureInternals',
          data: { ...data, index: `features/${to.name}` },
        });
      }
    };
    return {
      ImportDeclaration: (node) => check(node.source),
      ExportNamedDeclaration: (node) => check(node.source),
      ExportAllDeclaration: (node) => check(node.source),
      ImportExpression: (node) => check(node.source),
    };
  },
};

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
    plugins: { 'react-hooks': reactHooks, web: { rules: { 'import-direction': importDirection } } },
    rules: {
      ...reactHooks.configs.recommended.rules,
      'web/import-direction': 'error',
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
  {
    // Test files register their fixtures with vitest's use* convention (useRtdbFixture, as
    // functions' useTestDatabase), at the top level of the file; React's hook rule would take
    // those for hooks.
    files: ['web/src/**/*.test.{ts,tsx}'],
    rules: { 'react-hooks/rules-of-hooks': 'off' },
  },
  {
    // Components and hooks read and write RTDB through a feature's api/ module, which parses
    // with core's validators; only those modules and lib/ call the database SDK.
    files: ['web/src/**/*.{ts,tsx}'],
    ignores: [
      'web/src/lib/**',
      'web/src/features/*/api/**',
      'web/src/testing/**',
      'web/src/**/*.test.{ts,tsx}',
    ],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: 'firebase/database',
              allowTypeImports: true,
              message: "Read and write RTDB through the feature's api/ module (or lib/rtdb).",
            },
          ],
        },
      ],
    },
  },
);
