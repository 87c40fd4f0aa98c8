import { describe, expect, it } from 'vitest';
import { config, NOW, vm } from '../../../tests/fixtures';
import { idleSince, idleStopCandidates } from './idle-stop';

const HOUR = 3_600_000;

describe('idle auto-stop', () => {
  it('uses the latest of release and start, else the status change', () => {
    expect(idleSince(vm({ vmId: 'vm-001', lastReleasedAt: 5, lastStartedAt: 9 }))).toBe(9);
    expect(idleSince(vm({ vmId: 'vm-001', lastReleasedAt: 12, lastStartedAt: 9 }))).toBe(12);
    expect(idleSince(vm({ vmId: 'vm-001', statusChangedAt: 7 }))).toBe(7);
  });

  it('stops free available VMs idle too long, oldest first, keeping the warm minimum', () => {
    const vms = [
      vm({ vmId: 'vm-001', lastReleasedAt: NOW - 3 * HOUR }),
      vm({ vmId: 'vm-002', lastStartedAt: NOW - 5 * HOUR }),
      vm({ vmId: 'vm-003', lastReleasedAt: NOW - 1 * HOUR }),
      vm({ vmId: 'vm-004', status: 'assigned', assignedTo: 'c1', lastStartedAt: NOW - 9 * HOUR }),
      vm({ vmId: 'vm-005', status: 'stopped', lastStartedAt: NOW - 9 * HOUR }),
    ];
    const ids = (list: { vmId: string }[]) => list.map((v) => v.vmId);
    expect(ids(idleStopCandidates(vms, config({ minWarmVMs: 0 }), NOW))).toEqual([
      'vm-002',
      'vm-001',
    ]);
    expect(ids(idleStopCandidates(vms, config({ minWarmVMs: 2 }), NOW))).toEqual(['vm-002']);
    expect(ids(idleStopCandidates(vms, config({ minWarmVMs: 3 }), NOW))).toEqual([]);
    expect(
      ids(idleStopCandidates(vms, config({ minWarmVMs: 0, autoStopAfterHours: 4 }), NOW)),
    ).toEqual(['vm-002']);
  });

  it('is disabled by autoStopAfterHours = 0 and exact limits are not yet idle', () => {
    const old = [vm({ vmId: 'vm-001', lastStartedAt: NOW - 100 * HOUR })];
    expect(idleStopCandidates(old, config({ minWarmVMs: 0, autoStopAfterHours: 0 }), NOW)).toEqual(
      [],
    );
    const exact = [vm({ vmId: 'vm-001', lastStartedAt: NOW - 2 * HOUR })];
    expect(idleStopCandidates(exact, config({ minWarmVMs: 0 }), NOW)).toEqual([]);
  });

  it('breaks ties between equally idle VMs by id', () => {
    const vms = [
      vm({ vmId: 'vm-002', lastStartedAt: NOW - 5 * HOUR }),
      vm({ vmId: 'vm-001', lastStartedAt: NOW - 5 * HOUR }),
    ];
    expect(idleStopCandidates(vms, config({ minWarmVMs: 1 }), NOW).map((v) => v.vmId)).toEqual([
      'vm-001',
    ]);
  });
});
