import { describe, expect, it } from 'vitest';
import { config, vm } from '../../../tests/fixtures';
import { warmPoolStatus } from './warm-pool';

const toStart = (...args: Parameters<typeof warmPoolStatus>) =>
  warmPoolStatus(...args).toStart.map((v) => v.vmId);

describe('warm pool', () => {
  it('starts just enough stopped VMs, most recently stopped first', () => {
    const vms = [
      vm({ vmId: 'vm-001', status: 'stopped', lastStoppedAt: 10 }),
      vm({ vmId: 'vm-002', status: 'stopped', lastStoppedAt: 30 }),
      vm({ vmId: 'vm-003', status: 'stopped', lastStoppedAt: 20 }),
      vm({ vmId: 'vm-004' }),
    ];
    expect(toStart(vms, config({ minWarmVMs: 3 }))).toEqual(['vm-002', 'vm-003']);
    expect(toStart(vms, config({ minWarmVMs: 1 }))).toEqual([]);
  });

  it('counts free starting VMs as warm and ignores assigned or reserved ones', () => {
    const vms = [
      vm({ vmId: 'vm-001', status: 'starting' }),
      vm({ vmId: 'vm-002', status: 'starting', assignedTo: 'c1' }),
      vm({ vmId: 'vm-003', status: 'assigned', assignedTo: 'c2' }),
      vm({ vmId: 'vm-004', status: 'stopped' }),
      vm({ vmId: 'vm-005', status: 'stopped', lastStoppedAt: 5, assignedTo: 'c3' }),
    ];
    expect(warmPoolStatus(vms, config({ minWarmVMs: 2 }))).toEqual({
      warm: 1,
      target: 2,
      toStart: [vms[3]],
      toLaunch: 0,
      launchBlockedBy: [],
      missing: 0,
    });
  });

  it('launches within maxTotalVMs when nothing is left to start, and says what is missing', () => {
    const vms = [vm({ vmId: 'vm-001', status: 'assigned', assignedTo: 'c1' })];
    expect(warmPoolStatus(vms, config({ minWarmVMs: 3, maxTotalVMs: 3 }))).toMatchObject({
      toLaunch: 2,
      missing: 1,
    });
    expect(warmPoolStatus(vms, config({ minWarmVMs: 2, maxTotalVMs: 5 }))).toMatchObject({
      toLaunch: 2,
      missing: 0,
    });
    expect(warmPoolStatus(vms, config({ minWarmVMs: 2, amiId: '' }))).toMatchObject({
      toLaunch: 0,
      launchBlockedBy: ['amiId'],
      missing: 2,
    });
    expect(warmPoolStatus(vms, config({ minWarmVMs: 0 }))).toMatchObject({
      toStart: [],
      toLaunch: 0,
      missing: 0,
    });
  });

  it('breaks ties between never-stopped VMs by id', () => {
    const vms = [
      vm({ vmId: 'vm-002', status: 'stopped' }),
      vm({ vmId: 'vm-001', status: 'stopped' }),
    ];
    expect(toStart(vms, config({ minWarmVMs: 1 }))).toEqual(['vm-001']);
  });

  it('does not count on a launch while subnet or security group is missing (an AMI alone is not enough)', () => {
    const vms = [vm({ vmId: 'vm-001', status: 'assigned', assignedTo: 'c1' })];
    const amiOnly = config({ minWarmVMs: 2, subnetId: '', securityGroupId: '' });
    expect(warmPoolStatus(vms, amiOnly)).toMatchObject({
      toLaunch: 0,
      launchBlockedBy: ['subnetId', 'securityGroupId'],
      missing: 2,
    });
  });
});
