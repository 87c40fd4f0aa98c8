import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    name: 'functions',
    include: ['src/**/*.test.ts', 'tests/**/*.test.ts'],
    passWithNoTests: true,
    // Property tests and integration tests with real processes (moto, the Auth emulator, the
    // RTDB server) share a 2-core machine: the default 5 s is a timing assertion they never meant.
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
