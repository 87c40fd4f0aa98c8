import { describe, expect, it } from 'vitest';
import { ALL_CASES } from './all.cases';
import { COMPAT_OPENED, compatCases, underCompat } from './compat.cases';
import { missingCoverage } from './coverage';
import { defineMatrix } from './matrix';

const CASES = [...ALL_CASES.map(underCompat), ...compatCases];

defineMatrix(
  'compat profile: every strict case, with the show-controller’s reads opened',
  CASES,
  'compat',
);

describe('the compat matrix', () => {
  it('tries every contract path with every role, for reads and for writes', () => {
    expect(missingCoverage(CASES)).toEqual([]);
  });

  it('opens exactly the listed reads of strict cases, and those only for reads', () => {
    const opened = ALL_CASES.filter((ruleCase) => underCompat(ruleCase) !== ruleCase);
    expect(opened.every((ruleCase) => ruleCase.op === 'read')).toBe(true);
    expect(new Set(opened.map((ruleCase) => ruleCase.path))).toEqual(
      new Set(
        COMPAT_OPENED.filter((path) => ALL_CASES.some((c) => c.op === 'read' && c.path === path)),
      ),
    );
    expect(opened.length).toBeGreaterThan(8);
  });
});
