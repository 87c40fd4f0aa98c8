/**
 * useVmAssignment against the real SDK, the local RTDB server and the project's rules;
 * firebase-admin plays the control plane.
 */
import { act, renderHook, waitFor } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { ADMIN, PRODUCER, useRtdbFixture } from '../../../testing/rtdbFixture';
import { useVMPool } from '../../pool';
import { useVmAssignment } from './useVmAssignment';

function vmRow(vmId: string, status: string, extra: Record<string, unknown> = {}) {
  return { vmId, instanceId: `local-${vmId}`, status, statusChangedAt: 1, createdAt: 1, ...extra };
}

const fixture = useRtdbFixture(() => ({
  vmPool: {
    vms: {
      'vm-001': vmRow('vm-001', 'available'),
      'vm-002': vmRow('vm-002', 'assigned', { assignedTo: 'comp-a' }),
    },
  },
  competitions: { 'comp-a': { config: { eventName: 'Spring Invitational', vmId: 'vm-002' } } },
  // The producer has no access to comp-a.
  producerAccess: { [PRODUCER.uid]: { 'comp-b': true } },
}));

function useAssignment(competitionId: string) {
  const pool = useVMPool();
  return useVmAssignment(competitionId, pool.getVMForCompetition(competitionId), pool);
}

const options = { archiveRecordings: true, stopVM: false };

describe('useVmAssignment', () => {
  it('changes VM: stays in flight through the release, then assigns the preferred VM', async () => {
    const { result } = renderHook(() => useAssignment('comp-a'), {
      wrapper: fixture.wrapperFor(ADMIN),
    });
    let change: Promise<void> = Promise.resolve();
    act(() => {
      change = result.current.change('vm-001', options);
    });
    expect(result.current.changing).toBe(true);
    expect(result.current.inFlight).toBe(true);

    let releaseId = '';
    await waitFor(async () => {
      const rows = await fixture.rows('vmPool/requests');
      expect(rows.map(([, row]) => row.action)).toEqual(['release']);
      releaseId = rows[0]?.[0] ?? '';
    });
    await waitFor(() => expect(result.current.current?.requestId).toBe(releaseId));
    expect(result.current.current?.title).toBe('Change VM: releasing the current VM');

    await fixture.controlPlane.ref(`vmPool/requests/${releaseId}/result`).set({
      state: 'succeeded',
      step: 'done',
      progress: 1,
      message: 'Released',
      updatedAt: Date.now(),
    });
    await act(() => change);
    const assign = (await fixture.rows('vmPool/requests')).find(
      ([, row]) => row.action === 'assign',
    );
    expect(assign?.[1]).toMatchObject({
      competitionId: 'comp-a',
      options: { preferredVmId: 'vm-001' },
    });
    expect(result.current.changing).toBe(false);
    expect(result.current.changeError).toBeNull();
    expect(result.current.current?.title).toBe('Change VM: assigning a new VM');
    // The assign has no result yet, so the assignment is still in flight.
    expect(result.current.inFlight).toBe(true);
  });

  it('stops a change whose release the rules refuse, and assigns nothing', async () => {
    const { result } = renderHook(() => useAssignment('comp-a'), {
      wrapper: fixture.wrapperFor(PRODUCER),
    });
    await act(() => result.current.change(undefined, options));
    expect(result.current.current?.submitError).toMatch(/Permission denied/);
    expect(result.current.current?.requestId).toBeNull();
    expect(result.current.changing).toBe(false);
    expect(result.current.inFlight).toBe(false);
    expect(await fixture.rows('vmPool/requests')).toEqual([]);
  });
});
