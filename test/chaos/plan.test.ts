// The chaos plan is a pure function of the seed: a failing seed replays the same faults.
import { describe, expect, it } from 'vitest';
import { FAULT_KINDS, planChaos } from './stack-chaos';

describe('planChaos', () => {
  it('draws the same plan for the same seed and another for another seed', () => {
    expect(planChaos(7, 3, 4)).toEqual(planChaos(7, 3, 4));
    expect(planChaos(8, 3, 4)).not.toEqual(planChaos(7, 3, 4));
    // more rounds extend the plan without changing its start
    expect(planChaos(7, 5, 4).slice(0, 3)).toEqual(planChaos(7, 3, 4));
  });

  it('draws every kind of fault, with parameters in range', () => {
    const steps = planChaos(1, 50, 4).flat();
    expect(steps).toHaveLength(200);
    const faults = steps.flatMap((step) => (step.fault === null ? [] : [step.fault]));
    expect(new Set(faults.map((fault) => fault.kind))).toEqual(new Set(FAULT_KINDS));
    for (const fault of faults) {
      if (fault.kind === 'functions host killed')
        expect(fault.restartAfterMs).toBeGreaterThanOrEqual(500);
      if (
        fault.kind === 'EC2 RequestLimitExceeded' ||
        fault.kind === 'EC2 InsufficientInstanceCapacity'
      ) {
        expect(['start', 'launch']).toContain(fault.op);
        expect(fault.count).toBeGreaterThanOrEqual(1);
      }
    }
    for (const step of steps) expect(step.pauseMs).toBeGreaterThanOrEqual(200);
  });
});
