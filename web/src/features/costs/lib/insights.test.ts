import type { VmStatusHistory } from '@vmpool/core';
import { describe, expect, it } from 'vitest';
import {
  daysBetween,
  readyVia,
  requestRowOf,
  requestsPerDay,
  timeToReady,
  utilisationPerDay,
} from './insights';

const DAY = Date.UTC(2027, 1, 5);
const HOUR = 3_600_000;

function assign(id: string, at: number, seconds: number, steps: string[], state = 'succeeded') {
  const row = requestRowOf(id, {
    action: 'assign',
    requestedAt: at,
    result: { state, updatedAt: at + seconds * 1000, steps: steps.map((name) => ({ name })) },
  });
  if (row === null) throw new Error('bad row');
  return row;
}

describe('pool insights', () => {
  it('tells warm, cold and launch assigns apart by their steps and takes p50/p90', () => {
    expect(readyVia(['Check request', 'Claim VM', 'Hand over'])).toBe('warm');
    expect(readyVia(['Claim VM', 'Start instance', 'Wait for agent'])).toBe('cold');
    expect(readyVia(['Claim VM', 'Launch instance', 'Wait for agent'])).toBe('launch');
    const rows = [
      assign('a', DAY, 4, ['Hand over']),
      assign('b', DAY, 6, ['Hand over']),
      ...[100, 120, 140, 160, 300].map((s, i) => assign(`c${i}`, DAY, s, ['Start instance'])),
      assign('f', DAY, 999, ['Start instance'], 'failed'),
    ];
    expect(timeToReady(rows)).toEqual([
      { via: 'warm', count: 2, p50: 4, p90: 6 },
      { via: 'cold', count: 5, p50: 140, p90: 300 },
      { via: 'launch', count: 0, p50: null, p90: null },
    ]);
  });

  it('counts assignments and the error rate per day', () => {
    const days = daysBetween(DAY, DAY + 86_400_000);
    expect(days).toEqual(['2027-02-05', '2027-02-06']);
    const rows = [
      assign('a', DAY + HOUR, 5, []),
      assign('b', DAY + 2 * HOUR, 5, [], 'failed'),
      assign('c', DAY + 2 * HOUR, 5, [], 'running'),
    ];
    expect(requestsPerDay(rows, days)).toEqual([
      { day: '2027-02-05', assignments: 3, finished: 2, failed: 1, errorRate: 0.5 },
      { day: '2027-02-06', assignments: 0, finished: 0, failed: 0, errorRate: null },
    ]);
    expect(requestRowOf('x', { action: 'assign' })).toBeNull();
  });

  it('measures utilisation as the share of billable time a show held the VM', () => {
    const entry = (at: number, status: string, assignedTo: string | null) => ({
      at,
      status,
      ec2State: status === 'stopped' ? 'stopped' : 'running',
      assignedTo,
      instanceType: 't3.large',
      region: 'us-east-1',
      cause: 'test',
    });
    const histories = [
      {
        vmId: 'vm-001',
        entries: [
          entry(DAY, 'available', null),
          entry(DAY + HOUR, 'assigned', 'meet-1'),
          entry(DAY + 4 * HOUR, 'stopped', null),
        ],
      },
    ] as VmStatusHistory[];
    const [day] = utilisationPerDay(histories, ['2027-02-05'], DAY + 10 * HOUR);
    expect(day?.billableHours).toBeCloseTo(4);
    expect(day?.heldHours).toBeCloseTo(3);
    expect(day?.utilisation).toBeCloseTo(0.75);
  });
});
