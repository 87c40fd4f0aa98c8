import { describe, expect, it } from 'vitest';
import { config, vm } from '../../../tests/fixtures';
import { heldAssignments, pickVmForAssignment, vmHeldBy } from './allocation';

const input = { competitionId: 'c1' };

describe('pickVmForAssignment', () => {
  it('prefers a warm VM, healthiest first, then by id', () => {
    const vms = [
      vm({ vmId: 'vm-001', status: 'stopped', ec2State: 'stopped' }),
      vm({ vmId: 'vm-003', healthStatus: 'healthy' }),
      vm({ vmId: 'vm-002', healthStatus: 'degraded' }),
      vm({ vmId: 'vm-004', healthStatus: 'healthy' }),
    ];
    expect(pickVmForAssignment(vms, input, config())).toEqual({ kind: 'warm', vm: vms[1] });
  });

  it('falls back to a cold VM, then to a launch', () => {
    const cold = vm({ vmId: 'vm-001', status: 'stopped' });
    expect(
      pickVmForAssignment([cold, vm({ vmId: 'vm-002', status: 'error' })], input, config()),
    ).toEqual({
      kind: 'cold',
      vm: cold,
    });
    expect(
      pickVmForAssignment([vm({ vmId: 'vm-002', status: 'maintenance' })], input, config()),
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
    expect(pickVmForAssignment(vms, { ...input, preferredVmId: 'vm-002' }, config())).toEqual({
      kind: 'cold',
      vm: vms[1],
    });
    expect(pickVmForAssignment(vms, { ...input, preferredVmId: 'vm-001' }, config())).toEqual({
      kind: 'warm',
      vm: vms[0],
    });
    expect(pickVmForAssignment(vms, { ...input, preferredVmId: 'vm-003' }, config())).toEqual({
      kind: 'warm',
      vm: vms[0],
    });
    expect(pickVmForAssignment(vms, { ...input, preferredVmId: 'vm-404' }, config())).toEqual({
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
    expect(pickVmForAssignment(vms, { ...input, region: 'us-west-2' }, config())).toMatchObject({
      vm: { vmId: 'vm-002' },
    });
    expect(pickVmForAssignment(vms, { ...input, region: 'europe' }, config())).toMatchObject({
      vm: { vmId: 'vm-003' },
    });
    expect(pickVmForAssignment(vms, { ...input, capability: '4k' }, config())).toMatchObject({
      vm: { vmId: 'vm-003' },
    });
    expect(pickVmForAssignment(vms, { ...input, capability: '8k' }, config())).toEqual({
      kind: 'none',
      code: 'NO_VM_AVAILABLE',
      reason: 'no free VM with 8k',
    });
    expect(
      pickVmForAssignment(vms, { ...input, region: 'ap-south-1', capability: '4k' }, config()),
    ).toEqual({
      kind: 'none',
      code: 'NO_VM_AVAILABLE',
      reason: 'no free VM in ap-south-1 with 4k',
    });
    expect(pickVmForAssignment([], { ...input, region: 'ap-south-1' }, config())).toEqual({
      kind: 'none',
      code: 'NO_VM_AVAILABLE',
      reason: 'no free VM in ap-south-1, and new VMs launch in us-east-1',
    });
    expect(pickVmForAssignment([], { ...input, region: 'us-east-1' }, config())).toEqual({
      kind: 'launch',
    });
  });

  it('refuses a second VM for the same competition', () => {
    const vms = [
      vm({ vmId: 'vm-001', status: 'starting', assignedTo: 'c1' }),
      vm({ vmId: 'vm-002' }),
    ];
    expect(pickVmForAssignment(vms, input, config())).toEqual({
      kind: 'none',
      code: 'ALREADY_ASSIGNED',
      reason: 'c1 already holds vm-001 (starting)',
    });
    expect(vmHeldBy(vms, 'c1')?.vmId).toBe('vm-001');
  });

  it('respects maxConcurrent, counting cold assigns that are still starting', () => {
    const vms = [
      vm({ vmId: 'vm-001', status: 'assigned', assignedTo: 'a' }),
      vm({ vmId: 'vm-002', status: 'starting', assignedTo: 'b' }),
      vm({ vmId: 'vm-003' }),
    ];
    expect(heldAssignments(vms)).toBe(2);
    expect(pickVmForAssignment(vms, input, config({ maxConcurrent: 2 }))).toEqual({
      kind: 'none',
      code: 'CAPACITY_LIMIT',
      reason: '2 of 2 concurrent assignments are in use (maxConcurrent)',
    });
    expect(pickVmForAssignment(vms, input, config({ maxConcurrent: 3 }))).toMatchObject({
      kind: 'warm',
    });
  });

  it('never hands out a VM that still names an assignee', () => {
    const stale = vm({ vmId: 'vm-001', assignedTo: 'old' });
    expect(
      pickVmForAssignment(
        [stale],
        input,
        config({ maxTotalVMs: 1, maxConcurrent: 1, minWarmVMs: 0 }),
      ),
    ).toMatchObject({
      kind: 'none',
      code: 'NO_VM_AVAILABLE',
    });
  });

  it('launches only below maxTotalVMs and with an AMI', () => {
    const busy = [vm({ vmId: 'vm-001', status: 'assigned', assignedTo: 'x' })];
    expect(
      pickVmForAssignment(busy, input, config({ maxTotalVMs: 1, maxConcurrent: 1, minWarmVMs: 0 })),
    ).toMatchObject({
      kind: 'none',
      code: 'CAPACITY_LIMIT',
    });
    expect(
      pickVmForAssignment(busy, input, config({ maxTotalVMs: 1, maxConcurrent: 1, minWarmVMs: 0 })),
    ).toMatchObject({
      kind: 'none',
    });
    expect(
      pickVmForAssignment(busy, input, config({ maxTotalVMs: 2, maxConcurrent: 2, minWarmVMs: 0 })),
    ).toEqual({ kind: 'launch' });
    const full = [
      vm({ vmId: 'vm-001', status: 'assigned', assignedTo: 'x' }),
      vm({ vmId: 'vm-002', status: 'error' }),
    ];
    expect(
      pickVmForAssignment(full, input, config({ maxTotalVMs: 2, maxConcurrent: 2, minWarmVMs: 0 })),
    ).toEqual({
      kind: 'none',
      code: 'NO_VM_AVAILABLE',
      reason: 'no free VM, and the pool is at maxTotalVMs (2)',
    });
    expect(pickVmForAssignment([], input, config({ amiId: '' }))).toEqual({
      kind: 'none',
      code: 'CONFIG_INCOMPLETE',
      reason: 'no free VM, and no AMI is configured to launch one',
    });
  });
});
