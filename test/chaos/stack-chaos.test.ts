// A short fixed-seed run of the stack chaos suite (`npm run chaos` runs longer ones): the real
// `npm start -- --headless` through every kind of fault, and no invariant may break.
import { describe, expect, it } from 'vitest';
import { FAULT_KINDS, formatStackChaosReport, runStackChaos } from './stack-chaos';

/** Its plan (2 rounds × 4 steps) has every kind of fault and one SIGKILL of the stack (the Auth emulator restarts slowly). */
const SEED = 39;

describe('the chaos suite against the local stack', () => {
  it(
    `keeps every invariant through seeded faults (seed ${SEED})`,
    { timeout: 420_000 },
    async () => {
      const lines: string[] = [];
      const report = await runStackChaos({
        seed: SEED,
        rounds: 2,
        steps: 4,
        log: (line) => lines.push(line),
      });
      const summary = [...lines, ...formatStackChaosReport(report)].join('\n');
      expect(report.violations, summary).toEqual([]);
      // faults were injected and every round's invariants were checked
      const injected = Object.values(report.faults).reduce((sum, count) => sum + count, 0);
      expect(injected, summary).toBeGreaterThan(0);
      expect(Object.keys(report.faults).every((kind) => FAULT_KINDS.includes(kind as never))).toBe(
        true,
      );
      expect(report.invariantsChecked).toBe(2 * 5 + 1);
      expect(report.timeToFullCapacityMs.every((ms) => ms !== null)).toBe(true);
    },
  );
});
