import { describe, expect, it } from 'vitest';
import { config, vm } from '../../../tests/fixtures';
import type { PoolConfig } from '../../contract/pool-config';
import { heldAssignments, pickVmForAssignment, vmHeldBy } from './allocation';
import { launchSettingsComplete, missingLaunchSettings } from './launch-settings';

const input = { competitionId: 'c1' };

/** A config with every setting a launch needs. */
function launchable(overrides: Partial<PoolConfig> = {}): PoolConfig {
  return config({
    subnetId: 'subnet-0123456789abcdef0',
    securityGroupId: 'sg-0123456789abcdef0',
    ...overrides,
  });
}

describe('pickVmForAssignment', () => {
  it('prefers a warm VM, healthiest first, then by id', () => {
    const vms = [
      vm({ vmId: 'vm-001', status: 'stopped', ec2State: 'stopped' }),
      vm({ vmId: 'vm-003', healthStatus: 'healthy' }),
      vm({ vmId: 'vm-002', healthStatus: 'degraded' }),
      vm({ vmId: 'vm-004', healthStatus: 'healthy' }),
    ];
    expect(pickVmForAssignment(vms, input, launchable())).toEqual({ kind: 'warm', vm: vms[1] });
  });

  it('falls back to a cold VM, then to a launch', () => {
    const cold = vm({ vmId: 'vm-001', status: 'stopped' });
    expect(
      pickVmForAssignment([cold, vm({ vmId: 'vm-002', status: 'error' })], input, launchable()),
    ).toEqual({
      kind: 'cold',
      vm: cold,
    });
    expect(
      pickVmForAssignment([vm({ vmId: 'vm-002', status: 'maintenance' })], input, launchable()),
    ).toEqual({
      kind: 'launch',
    });
  });

  it('takes the preferred VM when it is free, warm or cold, and ignores it otherwise', () => {
    const vms = [
      vm({ vmId: 'vm-001' }),
      vm({ vmId: 'vm-002', status: 'stopped' }),
      vm({ vmId: 'vm-003', status: 'in_use', assignedTo: 'c9' }),
    ];
    expect(pickVmForAssignment(vms, { ...input, preferredVmId: 'vm-002' }, launchable())).toEqual({
      kind: 'cold',
      vm: vms[1],
    });
    expect(pickVmForAssignment(vms, { ...input, preferredVmId: 'vm-001' }, launchable())).toEqual({
      kind: 'warm',
      vm: vms[0],
    });
    expect(pickVmForAssignment(vms, { ...input, preferredVmId: 'vm-003' }, launchable())).toEqual({
      kind: 'warm',
      vm: vms[0],
    });
    expect(pickVmForAssignment(vms, { ...input, preferredVmId: 'vm-404' }, launchable())).toEqual({
      kind: 'warm',
      vm: vms[0],
    });
  });

  it('filters by region (AWS region or region tag) and capability', () => {
    const vms = [
      vm({ vmId: 'vm-001' }),
      vm({ vmId: 'vm-002', region: 'us-west-2' }),
      vm({ vmId: 'vm-003', tags: { region: 'europe', capability: ['4k'] } }),
    ];
    expect(pickVmForAssignment(vms, { ...input, region: 'us-west-2' }, launchable())).toMatchObject(
      {
        vm: { vmId: 'vm-002' },
      },
    );
    expect(pickVmForAssignment(vms, { ...input, region: 'europe' }, launchable())).toMatchObject({
      vm: { vmId: 'vm-003' },
    });
    expect(pickVmForAssignment(vms, { ...input, capability: '4k' }, launchable())).toMatchObject({
      vm: { vmId: 'vm-003' },
    });
    expect(pickVmForAssignment(vms, { ...input, capability: '8k' }, launchable())).toEqual({
      kind: 'none',
      code: 'NO_VM_AVAILABLE',
      reason:
        'No VM available with 8k: 3 VMs are free but not with 8k, and a new VM would not carry the 8k capability',
    });
    expect(
      pickVmForAssignment(vms, { ...input, region: 'ap-south-1', capability: '4k' }, launchable()),
    ).toEqual({
      kind: 'none',
      code: 'NO_VM_AVAILABLE',
      reason:
        'No VM available in ap-south-1 with 4k: 3 VMs are free but not in ap-south-1 with 4k, and a new VM would not carry the 4k capability',
    });
    expect(pickVmForAssignment([], { ...input, region: 'ap-south-1' }, launchable())).toEqual({
      kind: 'none',
      code: 'NO_VM_AVAILABLE',
      reason: 'No VM available in ap-south-1: the pool has no VMs, and new VMs launch in us-east-1',
    });
    expect(pickVmForAssignment([], { ...input, region: 'us-east-1' }, launchable())).toEqual({
      kind: 'launch',
    });
  });

  it('refuses a second VM for the same competition', () => {
    const vms = [
      vm({ vmId: 'vm-001', status: 'starting', assignedTo: 'c1' }),
      vm({ vmId: 'vm-002' }),
    ];
    expect(pickVmForAssignment(vms, input, launchable())).toEqual({
      kind: 'none',
      code: 'ALREADY_ASSIGNED',
      reason: 'c1 already holds vm-001 (starting)',
    });
    expect(vmHeldBy(vms, 'c1')?.vmId).toBe('vm-001');
  });

  it('says CAPACITY_LIMIT when a VM is free but maxConcurrent assignments are held', () => {
    const vms = [
      vm({ vmId: 'vm-001', status: 'assigned', assignedTo: 'a' }),
      vm({ vmId: 'vm-002', status: 'starting', assignedTo: 'b' }),
      vm({ vmId: 'vm-003' }),
    ];
    // The cold assign that is still starting counts too.
    expect(heldAssignments(vms)).toBe(2);
    expect(pickVmForAssignment(vms, input, launchable({ maxConcurrent: 2 }))).toEqual({
      kind: 'none',
      code: 'CAPACITY_LIMIT',
      reason:
        'vm-003 is free (available), but 2 of 2 concurrent assignments are in use (maxConcurrent)',
    });
    expect(pickVmForAssignment(vms, input, launchable({ maxConcurrent: 3 }))).toMatchObject({
      kind: 'warm',
    });
  });

  it('says CAPACITY_LIMIT when the pool could grow but maxConcurrent assignments are held', () => {
    const busy = [vm({ vmId: 'vm-001', status: 'in_use', assignedTo: 'x' })];
    expect(
      pickVmForAssignment(busy, input, launchable({ maxTotalVMs: 2, maxConcurrent: 1 })),
    ).toEqual({
      kind: 'none',
      code: 'CAPACITY_LIMIT',
      reason:
        'a new VM could be launched, but 1 of 1 concurrent assignments are in use (maxConcurrent)',
    });
  });

  it('says NO_VM_AVAILABLE when nothing is free and the pool is at maxTotalVMs, even at maxConcurrent', () => {
    const vms = Array.from({ length: 20 }, (_, i) =>
      vm({
        vmId: `vm-${String(i + 1).padStart(3, '0')}`,
        status: 'assigned',
        assignedTo: `c${i + 100}`,
      }),
    );
    expect(
      pickVmForAssignment(vms, input, launchable({ maxTotalVMs: 20, maxConcurrent: 20 })),
    ).toEqual({
      kind: 'none',
      code: 'NO_VM_AVAILABLE',
      reason:
        'No VM available: all 20 VMs are busy (20 assigned) and the pool is at its maximum of 20 (maxTotalVMs)',
    });
    const mixed = [
      vm({ vmId: 'vm-001', status: 'in_use', assignedTo: 'x' }),
      vm({ vmId: 'vm-002', status: 'error' }),
      vm({ vmId: 'vm-003', status: 'error' }),
    ];
    expect(
      pickVmForAssignment(mixed, input, launchable({ maxTotalVMs: 3, maxConcurrent: 1 })),
    ).toEqual({
      kind: 'none',
      code: 'NO_VM_AVAILABLE',
      reason:
        'No VM available: all 3 VMs are busy (1 in use, 2 error) and the pool is at its maximum of 3 (maxTotalVMs)',
    });
  });

  it('never hands out a VM that still names an assignee', () => {
    const stale = vm({ vmId: 'vm-001', assignedTo: 'old' });
    expect(
      pickVmForAssignment(
        [stale],
        input,
        launchable({ maxTotalVMs: 1, maxConcurrent: 1, minWarmVMs: 0 }),
      ),
    ).toEqual({
      kind: 'none',
      code: 'NO_VM_AVAILABLE',
      reason:
        'No VM available: the only VM is busy (1 available but still linked) and the pool is at its maximum of 1 (maxTotalVMs)',
    });
  });

  it('launches only below maxTotalVMs and with every launch setting', () => {
    const busy = [vm({ vmId: 'vm-001', status: 'assigned', assignedTo: 'x' })];
    expect(
      pickVmForAssignment(busy, input, launchable({ maxTotalVMs: 1, maxConcurrent: 1 })),
    ).toMatchObject({ kind: 'none', code: 'NO_VM_AVAILABLE' });
    expect(
      pickVmForAssignment(busy, input, launchable({ maxTotalVMs: 2, maxConcurrent: 2 })),
    ).toEqual({ kind: 'launch' });
    expect(pickVmForAssignment([], input, launchable({ amiId: '' }))).toEqual({
      kind: 'none',
      code: 'NO_VM_AVAILABLE',
      reason:
        'No VM available: the pool has no VMs and no new VM can be launched until amiId is set in the pool config',
    });
    expect(
      pickVmForAssignment(
        busy,
        input,
        config({ amiId: '', subnetId: '', securityGroupId: '', maxTotalVMs: 5, maxConcurrent: 1 }),
      ),
    ).toEqual({
      kind: 'none',
      code: 'NO_VM_AVAILABLE',
      reason:
        'No VM available: the only VM is busy (1 assigned) and no new VM can be launched until amiId, subnetId, securityGroupId are set in the pool config',
    });
  });
});

describe('missingLaunchSettings', () => {
  it('names every missing launch setting together', () => {
    expect(missingLaunchSettings(launchable())).toEqual([]);
    expect(missingLaunchSettings(config({ amiId: '', subnetId: '', securityGroupId: '' }))).toEqual(
      ['amiId', 'subnetId', 'securityGroupId'],
    );
    expect(launchSettingsComplete(launchable())).toBe(true);
    expect(launchSettingsComplete(config({ securityGroupId: '' }))).toBe(false);
  });
});
