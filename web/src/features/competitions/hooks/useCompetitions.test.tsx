/** useCompetitions against the real SDK, the local RTDB server and the project's rules. */
import { renderHook, waitFor } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { ADMIN, PRODUCER, useRtdbFixture } from '../../../testing/rtdbFixture';
import { useCompetitions } from './useCompetitions';

const fixture = useRtdbFixture(() => ({
  competitions: {
    'comp-a': {
      config: { eventName: 'Spring Invitational', meetDate: '2026-03-01', venue: 'Ames' },
    },
    'comp-b': { config: { eventName: 'Autumn Classic', meetDate: '2026-10-01' } },
    'comp-c': { config: { eventName: 'Broken', vmAddress: 'http://1.2.3.4:3003' } },
  },
  producerAccess: { [PRODUCER.uid]: { 'comp-a': true } },
}));

describe('useCompetitions', () => {
  it('gives admins every competition, newest meet first, with problems reported', async () => {
    const { result } = renderHook(() => useCompetitions(), { wrapper: fixture.wrapperFor(ADMIN) });
    await waitFor(() => expect(result.current.isLoading).toBe(false));
    expect(result.current.competitions.map((c) => c.id)).toEqual(['comp-b', 'comp-a', 'comp-c']);
    expect(result.current.getCompetition('comp-a')).toMatchObject({
      name: 'Spring Invitational',
      venue: 'Ames',
      vmId: null,
      vmAddress: null,
      startsAt: null,
      endsAt: null,
      problem: null,
    });
    expect(result.current.getCompetition('comp-c')?.problem).toMatch(/vmAddress/);
    expect(result.current.getCompetition('comp-c')?.vmAddress).toBeNull();
  });

  it('gives producers only their competitions and follows access and assignment changes', async () => {
    const { result } = renderHook(() => useCompetitions(), {
      wrapper: fixture.wrapperFor(PRODUCER),
    });
    await waitFor(() => expect(result.current.isLoading).toBe(false));
    expect(result.current.error).toBeNull();
    expect(result.current.competitions.map((c) => c.id)).toEqual(['comp-a']);

    await fixture.controlPlane.ref(`producerAccess/${PRODUCER.uid}/comp-b`).set(true);
    await waitFor(() =>
      expect(result.current.competitions.map((c) => c.id)).toEqual(['comp-b', 'comp-a']),
    );

    await fixture.controlPlane
      .ref('competitions/comp-a/config')
      .update({ vmId: 'vm-001', vmAddress: '203.0.113.10:3003' });
    await waitFor(() =>
      expect(result.current.getCompetition('comp-a')?.vmAddress).toBe('203.0.113.10:3003'),
    );

    await fixture.controlPlane.ref(`producerAccess/${PRODUCER.uid}/comp-a`).remove();
    await waitFor(() => expect(result.current.competitions.map((c) => c.id)).toEqual(['comp-b']));
  });

  it('shows an empty list to a producer without competitions', async () => {
    await fixture.controlPlane.ref('producerAccess').remove();
    const { result } = renderHook(() => useCompetitions(), {
      wrapper: fixture.wrapperFor(PRODUCER),
    });
    await waitFor(() => expect(result.current.isLoading).toBe(false));
    expect(result.current.competitions).toEqual([]);
    expect(result.current.error).toBeNull();
  });
});
