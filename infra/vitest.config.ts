import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    name: 'infra',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // Synthesising the stack takes a few seconds on a busy 2-core machine.
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
