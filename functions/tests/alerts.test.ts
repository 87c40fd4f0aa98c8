import { describe, expect, it } from 'vitest';
import { manualClock } from '@vmpool/core/ports';
import { paths, type AlertDraft } from '@vmpool/core';
import {
  acknowledgeAlert,
  listActiveAlerts,
  raiseAlert,
  resolveAlert,
} from '../src/usecases/shared/alerts';
import { testDeps, T0 } from './support/deps';
import { alertDraft } from './support/fixtures';
import { useTestDatabase } from './support/rtdb';

const env = useTestDatabase();

const draft = (sourceId: string): AlertDraft => alertDraft(sourceId, T0);

describe('alerts', () => {
  it('20 concurrent raises of one condition create exactly one alert', async () => {
    const deps = testDeps(env.admin.db, { clock: manualClock(T0) });
    const created = await Promise.all(
      Array.from({ length: 20 }, () => raiseAlert(deps, draft('vm-unreachable-vm-001'))),
    );
    expect(created.filter(Boolean)).toHaveLength(1);
    const stored = (await env.admin.db.ref(paths.alerts('meet-1')).get()).val() as object;
    expect(Object.keys(stored)).toHaveLength(1);
  });

  it('acknowledge, list active, resolve, and a new alert once the old one is resolved', async () => {
    const clock = manualClock(T0);
    const deps = testDeps(env.admin.db, { clock });
    await raiseAlert(deps, draft('vm-unreachable-vm-001'));
    await raiseAlert(deps, draft('obs-disconnected-vm-001'));
    const active = await listActiveAlerts(deps, 'meet-1');
    expect(active.map((alert) => alert.sourceId).sort()).toEqual([
      'obs-disconnected-vm-001',
      'vm-unreachable-vm-001',
    ]);
    const target = active.find((alert) => alert.sourceId === 'vm-unreachable-vm-001');
    expect(await acknowledgeAlert(deps, 'meet-1', target?.id ?? '', 'admin-uid')).toBe(true);
    const acknowledged = (
      await env.admin.db.ref(paths.alert('meet-1', target?.id ?? '')).get()
    ).val();
    expect(acknowledged).toMatchObject({ acknowledged: true, acknowledgedBy: 'admin-uid' });

    clock.advance(1000);
    expect(await resolveAlert(deps, 'meet-1', 'vm-unreachable-vm-001')).toBe(true);
    expect((await listActiveAlerts(deps, 'meet-1')).map((alert) => alert.sourceId)).toEqual([
      'obs-disconnected-vm-001',
    ]);
    expect(await raiseAlert(deps, draft('vm-unreachable-vm-001'))).toBe(true);
    expect(await listActiveAlerts(deps)).toHaveLength(2);
  });
});
