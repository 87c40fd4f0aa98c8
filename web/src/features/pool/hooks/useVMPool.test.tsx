/**
 * useVMPool against the real firebase SDK, the local RTDB server and the project's security
 * rules; firebase-admin plays the control plane.
 */
import { DEFAULT_POOL_CONFIG } from '@vmpool/core';
import { act, renderHook, waitFor } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { ADMIN, PRODUCER, useRtdbFixture } from '../../../testing/rtdbFixture';
import { useRequest } from '../../requests';
import { useVMPool } from './useVMPool';

const T0 = 1_800_000_000_000;

function vmRow(vmId: string, status: string, extra: Record<string, unknown> = {}) {
  return {
    vmId,
    instanceId: `local-${vmId}`,
    region: 'us-east-1',
    status,
    statusChangedAt: T0,
    statusReason: 'seeded',
    ec2State: status === 'stopped' ? 'stopped' : 'running',
    createdAt: T0,
    totalAssignments: 0,
    ...extra,
  };
}

const fixture = useRtdbFixture(() => ({
  vmPool: {
    config: { ...DEFAULT_POOL_CONFIG, minWarmVMs: 1, updatedAt: T0, updatedBy: 'seed' },
    vms: {
      'vm-001': vmRow('vm-001', 'available', { publicIp: '127.0.0.1' }),
      'vm-002': vmRow('vm-002', 'assigned', { assignedTo: 'comp-a', assignedAt: T0 }),
      'vm-003': vmRow('vm-003', 'stopped'),
      'vm-bad': { vmId: 'vm-bad', status: 'flying' },
    },
  },
  competitions: {
    'comp-a': {
      config: { eventName: 'Spring Invitational', vmId: 'vm-002', vmAddress: '127.0.0.1:3003' },
    },
    'comp-b': { config: { eventName: 'Autumn Classic' } },
  },
  producerAccess: { [PRODUCER.uid]: { 'comp-b': true } },
}));

describe('useVMPool', () => {
  it('lists the pool with derived groups and reports invalid records', async () => {
    const { result } = renderHook(() => useVMPool(), { wrapper: fixture.wrapperFor(ADMIN) });
    expect(result.current.isLoading).toBe(true);
    await waitFor(() => expect(result.current.isLoading).toBe(false));

    expect(result.current.error).toBeNull();
    expect(result.current.vms.map((vm) => vm.vmId)).toEqual(['vm-001', 'vm-002', 'vm-003']);
    expect(result.current.availableVMs.map((vm) => vm.vmId)).toEqual(['vm-001']);
    expect(result.current.assignedVMs.map((vm) => vm.vmId)).toEqual(['vm-002']);
    expect(result.current.stoppedVMs.map((vm) => vm.vmId)).toEqual(['vm-003']);
    expect(result.current.getVMForCompetition('comp-a')?.vmId).toBe('vm-002');
    expect(result.current.getVMForCompetition('comp-b')).toBeUndefined();
    expect(result.current.invalidVMs).toHaveLength(1);
    expect(result.current.invalidVMs[0]?.vmId).toBe('vm-bad');
    expect(result.current.poolConfig?.minWarmVMs).toBe(1);
  });

  it('follows changes made by the control plane', async () => {
    const { result } = renderHook(() => useVMPool(), { wrapper: fixture.wrapperFor(ADMIN) });
    await waitFor(() => expect(result.current.isLoading).toBe(false));
    await fixture.controlPlane
      .ref('vmPool/vms/vm-001')
      .update({ status: 'assigned', assignedTo: 'comp-b', assignedAt: T0 + 1 });
    await waitFor(() => expect(result.current.getVMForCompetition('comp-b')?.vmId).toBe('vm-001'));
    expect(result.current.availableVMs).toHaveLength(0);
  });

  it("shows each agent's heartbeat and metrics live from vmPool/pulse (merged into its report)", async () => {
    // A producer reads the VM of its competition and that VM's pulse only (issue 9).
    await fixture.controlPlane
      .ref('vmPool/vms/vm-001')
      .update({ status: 'assigned', assignedTo: 'comp-b', assignedAt: T0 + 1 });
    const { result } = renderHook(() => useVMPool(['comp-b']), {
      wrapper: fixture.wrapperFor(PRODUCER),
    });
    await waitFor(() => expect(result.current.isLoading).toBe(false));
    await waitFor(() => expect(result.current.vms.map((vm) => vm.vmId)).toEqual(['vm-001']));
    await fixture.controlPlane.ref('vmPool/vms/vm-001/agent').set({
      online: true,
      lastSeen: T0,
      bootId: 'boot-1',
      services: { showServer: { state: 'up', checkedAt: T0, port: 3003 } },
    });
    await waitFor(() => expect(result.current.vms[0]?.agent?.lastSeen).toBe(T0));
    expect(result.current.vms[0]?.agent?.metrics).toBeNull();
    const metrics = {
      cpuPercent: 42,
      load1: 0.5,
      memUsedPercent: 30,
      memUsedMb: 2400,
      memTotalMb: 7900,
      diskUsedPercent: 20,
      netRxBps: 1,
      netTxBps: 2,
      uptimeSeconds: 60,
      sampledAt: T0 + 20_000,
    };
    // The agent's heartbeat and metrics arrive in its pulse, not in its report.
    await fixture.controlPlane
      .ref('vmPool/pulse/vm-001')
      .set({ bootId: 'boot-1', lastSeen: T0 + 20_000, metrics });
    await waitFor(() => expect(result.current.vms[0]?.agent?.lastSeen).toBe(T0 + 20_000));
    expect(result.current.vms[0]?.agent?.metrics).toEqual(metrics);
    expect(result.current.vms[0]?.agent?.services.showServer?.state).toBe('up');
    // A pulse of another agent run (an earlier boot) is not this agent's heartbeat.
    await fixture.controlPlane.ref('vmPool/pulse/vm-001/bootId').set('boot-0');
    await waitFor(() => expect(result.current.vms[0]?.agent?.lastSeen).toBe(T0));
  });

  it('writes an assign request and follows its result to the end', async () => {
    const { result } = renderHook(
      () => {
        const pool = useVMPool();
        return pool;
      },
      { wrapper: fixture.wrapperFor(ADMIN) },
    );
    await waitFor(() => expect(result.current.isLoading).toBe(false));

    let requestId = '';
    await act(async () => {
      requestId = (await result.current.assignVM('comp-b', 'vm-001')).requestId;
    });
    const row = (await fixture.controlPlane.ref(`vmPool/requests/${requestId}`).get()).val();
    expect(row).toMatchObject({
      action: 'assign',
      competitionId: 'comp-b',
      options: { preferredVmId: 'vm-001' },
      requestedBy: ADMIN.uid,
    });
    expect(typeof row.requestedAt).toBe('number');

    const followed = renderHook(() => useRequest(requestId), {
      wrapper: fixture.wrapperFor(ADMIN),
    });
    await waitFor(() => expect(followed.result.current.isLoading).toBe(false));
    expect(followed.result.current.result).toBeNull();

    await fixture.controlPlane.ref(`vmPool/requests/${requestId}/result`).set({
      state: 'running',
      step: 'start',
      progress: 0.3,
      message: 'Starting vm-003',
      steps: [
        { name: 'start', state: 'running' },
        { name: 'boot', state: 'pending' },
      ],
      estimatedReadyAt: T0 + 180_000,
      updatedAt: T0,
    });
    await waitFor(() => expect(followed.result.current.result?.state).toBe('running'));
    expect(followed.result.current.result?.steps?.map((step) => step.name)).toEqual([
      'start',
      'boot',
    ]);
    expect(followed.result.current.result?.estimatedReadyAt).toBe(T0 + 180_000);

    await fixture.controlPlane
      .ref(`vmPool/requests/${requestId}/result`)
      .update({ state: 'succeeded', progress: 1, vmId: 'vm-001', vmAddress: '127.0.0.1:3003' });
    await waitFor(() => expect(followed.result.current.result?.state).toBe('succeeded'));
  });

  it('sends release options, start, stop and maintenance in the contract shape', async () => {
    const { result } = renderHook(() => useVMPool(), { wrapper: fixture.wrapperFor(ADMIN) });
    await waitFor(() => expect(result.current.isLoading).toBe(false));
    const ids: string[] = [];
    await act(async () => {
      ids.push(
        (await result.current.releaseVM('comp-a', { archiveRecordings: true, stopVM: false }))
          .requestId,
      );
      ids.push((await result.current.startVM('vm-003')).requestId);
      ids.push((await result.current.stopVM('vm-001')).requestId);
      ids.push((await result.current.setMaintenance('vm-001', true)).requestId);
    });
    const rows = await Promise.all(
      ids.map(async (id) => (await fixture.controlPlane.ref(`vmPool/requests/${id}`).get()).val()),
    );
    expect(rows[0]).toMatchObject({
      action: 'release',
      competitionId: 'comp-a',
      options: { archiveRecordings: true, stopVM: false },
    });
    expect(rows[1]).toMatchObject({ action: 'start', vmId: 'vm-003' });
    expect(rows[2]).toMatchObject({ action: 'stop', vmId: 'vm-001' });
    expect(rows[3]).toMatchObject({
      action: 'maintenance',
      vmId: 'vm-001',
      options: { enabled: true },
    });
  });

  it('refuses a malformed request before writing anything', async () => {
    const { result } = renderHook(() => useVMPool(), { wrapper: fixture.wrapperFor(ADMIN) });
    await waitFor(() => expect(result.current.isLoading).toBe(false));
    await expect(result.current.assignVM('not a valid id!')).rejects.toThrow(
      /Invalid assign request: competitionId/,
    );
    expect((await fixture.controlPlane.ref('vmPool/requests').get()).exists()).toBe(false);
  });

  it('gives a producer its competitions’ VMs and the pool summary, nothing more (issue 9)', async () => {
    const { result } = renderHook(() => useVMPool(['comp-b']), {
      wrapper: fixture.wrapperFor(PRODUCER),
    });
    await waitFor(() => expect(result.current.isLoading).toBe(false));
    expect(result.current.error).toBeNull();
    // No VM holds comp-b yet: the free and the other competition's VMs stay unread.
    expect(result.current.vms).toEqual([]);
    expect(result.current.readyCount).toBe(0);
    await fixture.controlPlane.ref('vmPool/summary').set({
      counts: { available: 1, assigned: 1, stopped: 1 },
      total: 3,
      ready: 1,
      cold: 1,
      agentStaleSeconds: 90,
      seq: 1,
      updatedAt: T0,
    });
    await waitFor(() => expect(result.current.readyCount).toBe(1));
    expect(result.current.coldCount).toBe(1);
    expect(result.current.poolConfig?.agentStaleSeconds).toBe(90);
    await fixture.controlPlane
      .ref('vmPool/vms/vm-001')
      .update({ status: 'assigned', assignedTo: 'comp-b', assignedAt: T0 + 1 });
    await waitFor(() => expect(result.current.getVMForCompetition('comp-b')?.vmId).toBe('vm-001'));
    expect(result.current.vms.map((vm) => vm.vmId)).toEqual(['vm-001']);
  });

  it('tells a producer that asks for another competition’s VMs that it may not', async () => {
    const { result } = renderHook(() => useVMPool(['comp-a']), {
      wrapper: fixture.wrapperFor(PRODUCER),
    });
    await waitFor(() => expect(result.current.error).toMatch(/permission denied/i));
    expect(result.current.vms).toEqual([]);
  });

  it('lets a producer assign only for their own competitions', async () => {
    const { result } = renderHook(() => useVMPool(['comp-b']), {
      wrapper: fixture.wrapperFor(PRODUCER),
    });
    await waitFor(() => expect(result.current.isLoading).toBe(false));

    const own = await result.current.assignVM('comp-b');
    expect(
      (await fixture.controlPlane.ref(`vmPool/requests/${own.requestId}/requestedBy`).get()).val(),
    ).toBe(PRODUCER.uid);
    await expect(result.current.assignVM('comp-a')).rejects.toThrow(/permission/i);
    await expect(result.current.startVM('vm-003')).rejects.toThrow(/permission/i);
  });

  it('saves the pool config with who and when', async () => {
    const { result } = renderHook(() => useVMPool(), { wrapper: fixture.wrapperFor(ADMIN) });
    await waitFor(() => expect(result.current.isLoading).toBe(false));
    const current = result.current.poolConfig;
    if (current === null) throw new Error('no config');
    await act(() =>
      result.current.savePoolConfig({ ...current, minWarmVMs: 3, amiId: 'ami-0123456789abcdef0' }),
    );
    const stored = (await fixture.controlPlane.ref('vmPool/config').get()).val();
    expect(stored).toMatchObject({
      minWarmVMs: 3,
      amiId: 'ami-0123456789abcdef0',
      updatedBy: ADMIN.uid,
    });
    expect(stored.updatedAt).toBeGreaterThan(T0 - 1e12);
    await waitFor(() => expect(result.current.poolConfig?.minWarmVMs).toBe(3));
  });
});
