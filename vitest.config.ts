import { defineConfig } from 'vitest/config';
import { LongestFirstSequencer } from './vitest.sequencer.ts';

// Each workspace owns its test settings; this file lists them and sets the worker count.
// Vitest defaults to one worker per core minus one, which is a single worker on the 2-core
// machines this runs on; most suites wait on real processes and sockets rather than compute,
// so three workers keep both cores busy.
export default defineConfig({
  test: {
    maxWorkers: 3,
    // The longest files first, across projects (see vitest.sequencer.ts).
    sequence: { sequencer: LongestFirstSequencer },
    projects: ['core', 'functions', 'agent', 'local', 'tools', 'web', 'test', 'infra'],
  },
});
