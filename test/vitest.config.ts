import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    name: 'test',
    include: ['**/*.test.ts'],
    exclude: ['**/node_modules/**'],
    passWithNoTests: true,
  },
});
