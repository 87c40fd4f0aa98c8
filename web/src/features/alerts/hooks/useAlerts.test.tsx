/** useAlerts against the real SDK, the local RTDB server and the project's rules. */
import { act, renderHook, waitFor } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { ADMIN, PRODUCER, useRtdbFixture } from '../../../testing/rtdbFixture';
import { useAlerts } from './useAlerts';

const T0 = 1_800_000_000_000;

function alertRow(
  level: string,
  title: string,
  timestamp: number,
  extra: Record<string, unknown> = {},
) {
  return {
    level,
    category: 'vm',
    title,
    message: `${title} details`,
    timestamp,
    createdAt: timestamp,
    sourceId: `src-${title.replace(/\W/g, '-')}`,
    acknowledged: false,
    resolved: false,
    autoResolve: true,
    ...extra,
  };
}

const fixture = useRtdbFixture(() => ({
  alerts: {
    'comp-a': {
      a1: alertRow('warning', 'NoMachine down', T0 + 1),
      a2: alertRow('critical', 'VM Unreachable', T0),
      a3: alertRow('info', 'VM assigned', T0 + 5),
      a4: alertRow('critical', 'Old outage', T0 - 10, { resolved: true, resolvedAt: T0 }),
      a5: alertRow('critical', 'OBS crashed', T0 + 2, {
        acknowledged: true,
        acknowledgedBy: 'x',
        acknowledgedAt: T0,
      }),
    },
    pool: {
      p1: alertRow('warning', 'Pool low', T0 + 3),
      broken: { level: 'loud' },
    },
  },
  producerAccess: { [PRODUCER.uid]: { 'comp-a': true } },
}));

describe('useAlerts', () => {
  it('sorts unresolved alerts: unacknowledged first, then by level, newest first; counts what needs attention', async () => {
    const { result } = renderHook(() => useAlerts(['comp-a', 'pool']), {
      wrapper: fixture.wrapperFor(ADMIN),
    });
    await waitFor(() => expect(result.current.isLoading).toBe(false));
    expect(result.current.alerts.map((alert) => alert.title)).toEqual([
      'VM Unreachable',
      'Pool low',
      'NoMachine down',
      'VM assigned',
      'OBS crashed',
    ]);
    expect(result.current.criticalCount).toBe(1);
    expect(result.current.warningCount).toBe(2);
    expect(result.current.infoCount).toBe(1);
    expect(result.current.hasUnacknowledgedCritical).toBe(true);
    expect(result.current.alerts.find((alert) => alert.id === 'p1')?.scope).toBe('pool');
  });

  it('acknowledges one alert with who and when, and updates live', async () => {
    const { result } = renderHook(() => useAlerts('comp-a'), {
      wrapper: fixture.wrapperFor(ADMIN),
    });
    await waitFor(() => expect(result.current.isLoading).toBe(false));
    await act(() => result.current.acknowledgeAlert('a2'));
    const stored = (await fixture.controlPlane.ref('alerts/comp-a/a2').get()).val();
    expect(stored).toMatchObject({ acknowledged: true, acknowledgedBy: ADMIN.uid });
    expect(typeof stored.acknowledgedAt).toBe('number');
    await waitFor(() => expect(result.current.hasUnacknowledgedCritical).toBe(false));
  });

  it('acknowledges all in view', async () => {
    const { result } = renderHook(() => useAlerts(['comp-a', 'pool']), {
      wrapper: fixture.wrapperFor(ADMIN),
    });
    await waitFor(() => expect(result.current.isLoading).toBe(false));
    await act(() => result.current.acknowledgeAll());
    await waitFor(() =>
      expect(
        result.current.criticalCount + result.current.warningCount + result.current.infoCount,
      ).toBe(0),
    );
    expect((await fixture.controlPlane.ref('alerts/pool/p1/acknowledgedBy').get()).val()).toBe(
      ADMIN.uid,
    );
    // Resolved alerts are left alone.
    expect((await fixture.controlPlane.ref('alerts/comp-a/a4/acknowledged').get()).val()).toBe(
      false,
    );
  });

  it('lets a producer acknowledge their competition but not pool alerts', async () => {
    const { result } = renderHook(() => useAlerts(['comp-a', 'pool']), {
      wrapper: fixture.wrapperFor(PRODUCER),
    });
    await waitFor(() => expect(result.current.isLoading).toBe(false));
    const pool = result.current.alerts.find((alert) => alert.id === 'p1');
    if (pool === undefined) throw new Error('pool alert missing');
    expect(result.current.canAcknowledge(pool)).toBe(false);
    await act(() => result.current.acknowledgeAll());
    await waitFor(() => expect(result.current.criticalCount).toBe(0));
    expect((await fixture.controlPlane.ref('alerts/pool/p1/acknowledged').get()).val()).toBe(false);
    await expect(result.current.acknowledgeAlert('p1')).rejects.toThrow(/permission/i);
  });

  it('reports a scope the user may not read', async () => {
    const { result } = renderHook(() => useAlerts(['comp-z']), {
      wrapper: fixture.wrapperFor(PRODUCER),
    });
    await waitFor(() => expect(result.current.error).toMatch(/Permission denied/));
    expect(result.current.isLoading).toBe(false);
  });
});
