import { defineConfig } from 'vitest/config';

// Each workspace owns its test settings; this file only lists them.
export default defineConfig({
  test: {
    projects: ['core', 'functions', 'agent', 'local', 'web', 'test'],
  },
});
