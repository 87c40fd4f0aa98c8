// The order `npm test` starts its files in: the longest first, whatever their project.
// Vitest's own order runs the projects one after another by name (agent, core, functions,
// infra, local, test, …), so the long stack and end-to-end files of `local` and `test` started
// 4-9 minutes into the run and finished alone at its tail. Here every file is placed by its
// expected duration: the figure below or the last run's on this machine (Vitest's results cache,
// which a CI run starts without: it lives in node_modules), whichever is longer (a run that
// failed early must not move a long file to the tail), else a guess from its size. A free
// worker always takes the longest file left.
import { relative } from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/** Seconds each long file took in a full `npm test` on a 2-core machine (the longest first). */
export const EXPECTED_SECONDS: Readonly<Record<string, number>> = {
  'local/tests/stack/cli.test.ts': 230,
  'test/chaos/stack-chaos.test.ts': 150,
  'local/tests/stack/stack-recovery.test.ts': 85,
  'local/tests/stack/schedule.test.ts': 80,
  'test/e2e/pool.e2e.test.ts': 70,
  'local/tests/stack/stack.test.ts': 65,
  'agent/tests/state-real-obs.test.ts': 60,
  'local/tests/stack/operator-tools.test.ts': 50,
  'test/e2e/failover.e2e.test.ts': 40,
  'agent/tests/stream.test.ts': 35,
  'test/rules/rules-agree-with-core.test.ts': 30,
  'infra/test/deploy.test.ts': 30,
  'local/tests/compute/processes.test.ts': 30,
  'local/tests/compute/contract.test.ts': 30,
  'functions/tests/agent-sessions.test.ts': 20,
  'local/tests/rtdb/browser.test.ts': 20,
  'agent/tests/commands.test.ts': 20,
  'functions/tests/crash-repair.test.ts': 20,
};

/** A file not listed and never run: about a second per 4 kB of test code. */
const SECONDS_PER_BYTE = 1 / 4096;

export class LongestFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const root = this.ctx.config.root;
    const seconds = (spec: TestSpecification): number => {
      const file = relative(root, spec.moduleId);
      const key = `${spec.project.name}:${file}`;
      const cached = (this.ctx.cache.getFileTestResults(key)?.duration ?? 0) / 1000;
      const known = Math.max(cached, EXPECTED_SECONDS[file] ?? 0);
      if (known > 0) return known;
      return (this.ctx.cache.getFileStats(key)?.size ?? 0) * SECONDS_PER_BYTE;
    };
    const weighed = files.map((spec) => ({ spec, seconds: seconds(spec) }));
    weighed.sort((a, b) => b.seconds - a.seconds);
    return weighed.map(({ spec }) => spec);
  }
}
