import { describe, expect, it } from 'vitest';
import { config, NOW, vm } from '../../../tests/fixtures';
import { awaitsAgentReturn, warmPoolStatus } from './warm-pool';

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
      awaitingAgent: 0,
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

  // Issue 11: after a restart of the control plane every agent looks stale for a while.
  describe('VMs whose agent has not reported since a restart', () => {
    const pool = config({ minWarmVMs: 2, warmupTimeSeconds: 60, agentStaleSeconds: 20 });
    const waiting = (vmId: string, wentIntoErrorAt: number, fields = {}) =>
      vm({
        vmId,
        status: 'error',
        errorCause: 'agent_stale',
        ec2State: 'running',
        statusChangedAt: wentIntoErrorAt,
        ...fields,
      });
    const restarted = () => [
      waiting('vm-001', NOW),
      waiting('vm-002', NOW),
      vm({ vmId: 'vm-003', status: 'stopped' }),
      vm({ vmId: 'vm-004', status: 'stopped' }),
    ];

    it('starts nothing for a pool whose VMs run and whose agents merely have not reported', () => {
      expect(warmPoolStatus(restarted(), pool, NOW + 10_000)).toMatchObject({
        warm: 0,
        awaitingAgent: 2,
        toStart: [],
        toLaunch: 0,
        missing: 0,
      });
    });

    it('replaces them once a start plus the staleness window passed without a report', () => {
      const later = NOW + (60 + 20) * 1000;
      expect(toStart(restarted(), pool, later)).toEqual(['vm-003', 'vm-004']);
      expect(toStart(restarted(), pool, later - 1)).toEqual([]);
    });

    it('counts only free agent_stale VMs whose instance EC2 runs, and nothing without a time', () => {
      expect(awaitsAgentReturn(waiting('vm-001', NOW), pool, NOW)).toBe(true);
      expect(awaitsAgentReturn(waiting('vm-001', NOW, { ec2State: 'stopped' }), pool, NOW)).toBe(
        false,
      );
      expect(
        awaitsAgentReturn(waiting('vm-001', NOW, { errorCause: 'start_timeout' }), pool, NOW),
      ).toBe(false);
      expect(awaitsAgentReturn(waiting('vm-001', NOW, { assignedTo: 'meet-1' }), pool, NOW)).toBe(
        false,
      );
      expect(toStart(restarted(), pool)).toEqual(['vm-003', 'vm-004']);
    });
  });
});
