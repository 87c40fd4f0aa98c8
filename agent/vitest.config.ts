import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    name: 'agent',
    include: ['src/**/*.test.ts', 'tests/**/*.test.ts'],
    passWithNoTests: true,
    // Integration tests start real processes on a shared 2-core machine.
    testTimeout: 90_000,
    hookTimeout: 180_000,
  },
});
