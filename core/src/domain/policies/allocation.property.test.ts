import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { config, vm } from '../../../tests/fixtures';
import { HEALTH_STATUSES, VM_STATUSES, type VmRecord } from '../../contract/vm-record';
import { holdsAssignment, isAssignable } from '../vm-status';
import { pickVmForAssignment } from './allocation';
import { missingLaunchSettings } from './launch-settings';

const competitions = ['c1', 'c2', 'c3', 'c4', 'c5', 'c6'];

const vmArb = (index: number) =>
  fc
    .record({
      status: fc.constantFrom(...VM_STATUSES),
      assigned: fc.option(fc.constantFrom(...competitions), { nil: null }),
      health: fc.constantFrom(...HEALTH_STATUSES),
      fourK: fc.boolean(),
    })
    .map(({ status, assigned, health, fourK }) => {
      // Records as the control plane keeps them: assigned statuses always name a competition.
      const needsAssignee = status === 'assigned' || status === 'in_use' || status === 'releasing';
      return vm({
        vmId: `vm-${String(index).padStart(3, '0')}`,
        status,
        assignedTo: needsAssignee
          ? (assigned ?? 'c6')
          : status === 'available' || status === 'stopped'
            ? null
            : assigned,
        healthStatus: health,
        tags: fourK ? { capability: ['4k'] } : {},
      });
    });

const poolArb = fc
  .integer({ min: 0, max: 8 })
  .chain((size) => fc.tuple(...Array.from({ length: size }, (_, i) => vmArb(i + 1))));
const configArb = fc
  .record({
    maxTotalVMs: fc.integer({ min: 1, max: 10 }),
    maxConcurrent: fc.integer({ min: 1, max: 10 }),
    launchReady: fc.boolean(),
  })
  .map(({ maxTotalVMs, maxConcurrent, launchReady }) =>
    config({
      maxTotalVMs,
      maxConcurrent: Math.min(maxConcurrent, maxTotalVMs),
      minWarmVMs: 0,
      subnetId: launchReady ? 'subnet-0123456789abcdef0' : '',
      securityGroupId: launchReady ? 'sg-0123456789abcdef0' : '',
    }),
  );

/** Applies a pick the way the control plane does: the VM now holds the assignment. */
function apply(
  vms: VmRecord[],
  competitionId: string,
  picked: VmRecord,
  kind: 'warm' | 'cold',
): VmRecord[] {
  return vms.map((candidate) =>
    candidate.vmId === picked.vmId
      ? {
          ...candidate,
          status: kind === 'warm' ? 'assigned' : 'starting',
          assignedTo: competitionId,
        }
      : candidate,
  );
}

describe('allocator properties', () => {
  it('never picks a non-assignable or already-held VM, and prefers warm over cold', () => {
    fc.assert(
      fc.property(
        poolArb,
        configArb,
        fc.constantFrom(...competitions),
        fc.boolean(),
        (pool, cfg, competitionId, want4k) => {
          const pick = pickVmForAssignment(
            pool,
            { competitionId, ...(want4k ? { capability: '4k' } : {}) },
            cfg,
          );
          if (pick.kind === 'warm' || pick.kind === 'cold') {
            expect(isAssignable(pick.vm.status)).toBe(true);
            expect(pick.vm.assignedTo).toBeNull();
            expect(pick.vm.status).toBe(pick.kind === 'warm' ? 'available' : 'stopped');
            if (pick.kind === 'cold') {
              const warmMatch = pool.some(
                (v) =>
                  v.status === 'available' &&
                  v.assignedTo === null &&
                  (!want4k || (v.tags.capability ?? []).includes('4k')),
              );
              expect(warmMatch).toBe(false);
            }
          }
          if (pick.kind === 'launch') expect(pool.length).toBeLessThan(cfg.maxTotalVMs);
        },
      ),
      { numRuns: 400 },
    );
  });

  it('NO_VM_AVAILABLE exactly when nothing fits and the pool cannot grow; CAPACITY_LIMIT only when something could be had', () => {
    fc.assert(
      fc.property(
        poolArb,
        configArb,
        fc.constantFrom(...competitions),
        fc.boolean(),
        (pool, cfg, competitionId, want4k) => {
          const pick = pickVmForAssignment(
            pool,
            { competitionId, ...(want4k ? { capability: '4k' } : {}) },
            cfg,
          );
          if (pool.some((v) => v.assignedTo === competitionId && holdsAssignment(v))) {
            expect(pick).toMatchObject({ kind: 'none', code: 'ALREADY_ASSIGNED' });
            return;
          }
          const freeFit = pool.some(
            (v) =>
              isAssignable(v.status) &&
              v.assignedTo === null &&
              (!want4k || (v.tags.capability ?? []).includes('4k')),
          );
          const canGrow =
            !want4k && pool.length < cfg.maxTotalVMs && missingLaunchSettings(cfg).length === 0;
          const atConcurrency = pool.filter(holdsAssignment).length >= cfg.maxConcurrent;
          if (!freeFit && !canGrow) {
            expect(pick).toMatchObject({ kind: 'none', code: 'NO_VM_AVAILABLE' });
            expect(pick.kind === 'none' && pick.reason).toMatch(/^No VM available/);
          } else if (atConcurrency) {
            expect(pick).toMatchObject({ kind: 'none', code: 'CAPACITY_LIMIT' });
          } else {
            expect(['warm', 'cold', 'launch']).toContain(pick.kind);
          }
        },
      ),
      { numRuns: 400 },
    );
  });

  it('across a sequence of picks, never exceeds maxConcurrent and never shares a VM', () => {
    fc.assert(
      fc.property(
        poolArb,
        configArb,
        fc.array(fc.constantFrom(...competitions), { maxLength: 12 }),
        (start, cfg, sequence) => {
          let pool: VmRecord[] = [...start];
          const initiallyHeld = pool.filter(holdsAssignment).length;
          for (const competitionId of sequence) {
            const pick = pickVmForAssignment(pool, { competitionId }, cfg);
            if (pick.kind === 'warm' || pick.kind === 'cold')
              pool = apply(pool, competitionId, pick.vm, pick.kind);
            const held = pool.filter(holdsAssignment);
            expect(held.length).toBeLessThanOrEqual(Math.max(cfg.maxConcurrent, initiallyHeld));
            // Each VM has one assignee at most by construction; each competition gains at most one VM.
            const gained = pool.filter((v, i) => v.assignedTo !== start[i]?.assignedTo);
            const owners = gained.map((v) => v.assignedTo);
            expect(new Set(owners).size).toBe(owners.length);
            for (const v of gained) {
              expect(start.some((s) => s.assignedTo === v.assignedTo && holdsAssignment(s))).toBe(
                false,
              );
            }
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
