import { describe, expect, it } from 'vitest';
import { formatChaosReport, runChaos } from './chaos/chaos';

describe('chaos (issue 11)', () => {
  it('a fixed seed: two rounds of faults and traffic leave every invariant intact', async () => {
    const report = await runChaos({ seed: 11, rounds: 2 });
    const lines = formatChaosReport(report);
    expect(report.violations, lines.join('\n')).toEqual([]);
    expect(report.invariantsChecked).toBe(8);
    expect(Object.values(report.faults).reduce((sum, n) => sum + n, 0)).toBeGreaterThan(0);
    expect(report.timeToFullCapacityMs.every((ms) => ms !== null)).toBe(true);
  });
});
