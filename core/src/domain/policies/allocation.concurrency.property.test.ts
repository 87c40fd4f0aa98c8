// Concurrent assigns, modelled step by step: each request takes its competition's slot, reads
// the pool once, then claims candidates in its own ranked order (a claim is a compare-and-set
// on the shared pool, as the control plane's transaction is), re-ranking its view with what a
// lost claim saw. A random schedule interleaves the requests at every shared read or write.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { config, vm } from '../../../tests/fixtures';
import { HEALTH_STATUSES, type VmRecord } from '../../contract/vm-record';
import { holdsAssignment, isAssignable } from '../vm-status';
import {
  afterLostClaim,
  isFreeForAssignment,
  rankVmsForAssignment,
  spreadWeight,
} from './allocation';

interface Shared {
  pool: Map<string, VmRecord>;
  slots: Map<string, string>;
  /** Every successful claim, in order: which request took which VM for which competition. */
  claims: { requestId: string; competitionId: string; vmId: string }[];
}

type Outcome = 'claimed' | 'slot_taken' | 'none' | 'launch';

/** One assign as a sequence of steps; every `yield` is a point where others may run. */
function* assignSteps(
  shared: Shared,
  requestId: string,
  competitionId: string,
  maxConcurrent: number,
  result: { outcome?: Outcome; lostClaims: number },
): Generator<void, void, void> {
  // The competition's slot (a transaction on vmPool/assignments/{compId}).
  if (shared.slots.has(competitionId)) {
    result.outcome = 'slot_taken';
    return;
  }
  shared.slots.set(competitionId, requestId);
  yield;
  // One read of the whole pool.
  let view = [...shared.pool.values()];
  yield;
  const cfg = config({ maxTotalVMs: 200, maxConcurrent, minWarmVMs: 0 });
  for (;;) {
    const ranking = rankVmsForAssignment(view, { competitionId, spreadKey: requestId }, cfg);
    if (ranking.kind !== 'claim') {
      result.outcome = ranking.kind === 'launch' ? 'launch' : 'none';
      return;
    }
    const [candidate] = ranking.candidates;
    if (candidate === undefined) throw new Error('empty claim ranking');
    // The claim: a guarded transaction on that one VM.
    const current = shared.pool.get(candidate.vm.vmId) ?? null;
    if (current !== null && isFreeForAssignment(current)) {
      shared.pool.set(current.vmId, {
        ...current,
        status: candidate.kind === 'warm' ? 'assigned' : 'starting',
        assignedTo: competitionId,
        requestId,
      });
      shared.claims.push({ requestId, competitionId, vmId: current.vmId });
      result.outcome = 'claimed';
      return;
    }
    result.lostClaims += 1;
    view = afterLostClaim(view, candidate.vm.vmId, current);
    yield;
  }
}

const poolArb = fc
  .array(
    fc.record({
      status: fc.constantFrom('available', 'available', 'stopped', 'assigned', 'error' as const),
      health: fc.constantFrom(...HEALTH_STATUSES),
    }),
    { minLength: 1, maxLength: 12 },
  )
  .map((specs) =>
    specs.map((spec, i) =>
      vm({
        vmId: `vm-${String(i + 1).padStart(3, '0')}`,
        status: spec.status,
        assignedTo: spec.status === 'assigned' ? `held-${i}` : null,
        healthStatus: spec.health,
      }),
    ),
  );

/** Requests (some for the same competition) and a schedule of who runs next. */
const scenarioArb = fc.record({
  pool: poolArb,
  requests: fc.array(fc.integer({ min: 1, max: 8 }), { minLength: 1, maxLength: 14 }),
  schedule: fc.array(fc.nat(), { minLength: 0, maxLength: 200 }),
  maxConcurrent: fc.integer({ min: 1, max: 30 }),
});

function run(scenario: {
  pool: VmRecord[];
  requests: number[];
  schedule: number[];
  maxConcurrent: number;
}) {
  const shared: Shared = {
    pool: new Map(scenario.pool.map((v) => [v.vmId, v])),
    slots: new Map(),
    claims: [],
  };
  const runs = scenario.requests.map((comp, i) => {
    const result: { outcome?: Outcome; lostClaims: number } = { lostClaims: 0 };
    const requestId = `req-${i}`;
    const competitionId = `meet-${comp}`;
    return {
      requestId,
      competitionId,
      result,
      steps: assignSteps(shared, requestId, competitionId, scenario.maxConcurrent, result),
      done: false,
    };
  });
  const step = (index: number) => {
    const live = runs.filter((r) => !r.done);
    const chosen = live[index % live.length];
    if (chosen === undefined) return;
    chosen.done = chosen.steps.next().done === true;
  };
  for (const pick of scenario.schedule) step(pick);
  while (runs.some((r) => !r.done)) step(0);
  return { shared, runs };
}

describe('concurrent assigns', () => {
  it('never give a show two VMs, never give a VM to two shows, and never refuse while a fitting VM is free', () => {
    fc.assert(
      fc.property(scenarioArb, (scenario) => {
        const { shared, runs } = run(scenario);
        const byVm = new Map<string, number>();
        const byCompetition = new Map<string, number>();
        for (const claim of shared.claims) {
          byVm.set(claim.vmId, (byVm.get(claim.vmId) ?? 0) + 1);
          byCompetition.set(claim.competitionId, (byCompetition.get(claim.competitionId) ?? 0) + 1);
          // The VM still belongs to the show that claimed it.
          expect(shared.pool.get(claim.vmId)?.assignedTo).toBe(claim.competitionId);
        }
        for (const count of byVm.values()) expect(count).toBe(1);
        for (const count of byCompetition.values()) expect(count).toBe(1);
        for (const held of scenario.pool.filter((v) => v.assignedTo !== null)) {
          expect(byVm.has(held.vmId)).toBe(false);
        }
        // Only unassigned, assignable VMs are ever claimed.
        for (const claim of shared.claims) {
          const before = scenario.pool.find((v) => v.vmId === claim.vmId);
          expect(
            before !== undefined && isAssignable(before.status) && before.assignedTo === null,
          ).toBe(true);
        }
        // A request that gave up did so with nothing free left, or at the concurrency limit.
        const freeLeft = [...shared.pool.values()].some(isFreeForAssignment);
        const heldNow = [...shared.pool.values()].filter(holdsAssignment).length;
        for (const r of runs) {
          if (r.result.outcome === 'none' || r.result.outcome === 'launch') {
            expect(!freeLeft || heldNow >= scenario.maxConcurrent).toBe(true);
          }
        }
      }),
      { numRuns: 500 },
    );
  });

  it('spread equally good VMs: concurrent requests first reach for different VMs', () => {
    // 20 requests over 20 equal warm VMs: with one shared order all 20 want the same VM first;
    // with per-request orders their first choices cover most of the pool.
    const pool = Array.from({ length: 20 }, (_, i) =>
      vm({ vmId: `vm-${String(i + 1).padStart(3, '0')}` }),
    );
    const cfg = config({ maxTotalVMs: 20, maxConcurrent: 20, minWarmVMs: 0 });
    const first = (spreadKey?: string) => {
      const ranking = rankVmsForAssignment(
        pool,
        { competitionId: 'meet-x', ...(spreadKey === undefined ? {} : { spreadKey }) },
        cfg,
      );
      return ranking.kind === 'claim' ? ranking.candidates[0]?.vm.vmId : undefined;
    };
    const spread = new Set(Array.from({ length: 20 }, (_, i) => first(`-Oabc${i}xyz`)));
    expect(new Set(Array.from({ length: 20 }, () => first())).size).toBe(1);
    expect(spread.size).toBeGreaterThanOrEqual(8);
  });

  it('a spread key only reorders equals: health and warm before cold still come first', () => {
    fc.assert(
      fc.property(poolArb, fc.string({ minLength: 1, maxLength: 20 }), (pool, spreadKey) => {
        const cfg = config({ maxTotalVMs: 200, maxConcurrent: 200, minWarmVMs: 0 });
        const plain = rankVmsForAssignment(pool, { competitionId: 'meet-x' }, cfg);
        const spread = rankVmsForAssignment(pool, { competitionId: 'meet-x', spreadKey }, cfg);
        expect(spread.kind).toBe(plain.kind);
        if (plain.kind !== 'claim' || spread.kind !== 'claim') return;
        const key = (c: { kind: string; vm: VmRecord }) => `${c.kind}/${c.vm.healthStatus}`;
        expect(spread.candidates.map(key)).toEqual(plain.candidates.map(key));
        expect(spread.candidates.map((c) => c.vm.vmId).sort()).toEqual(
          plain.candidates.map((c) => c.vm.vmId).sort(),
        );
        // The same key always gives the same order (a repeated run picks the same VM).
        const again = rankVmsForAssignment(pool, { competitionId: 'meet-x', spreadKey }, cfg);
        expect(again).toEqual(spread);
        expect(spreadWeight(spreadKey, 'vm-001')).toBe(spreadWeight(spreadKey, 'vm-001'));
      }),
      { numRuns: 300 },
    );
  });
});
