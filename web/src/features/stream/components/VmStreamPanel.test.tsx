/**
 * The stream panel against the real firebase SDK, the local RTDB server and the project's
 * rules: watcher registration (write, refresh, onDisconnect, removal on unmount), the preview
 * and the health line as the agent and the control plane write them.
 */
import { DEFAULT_POOL_CONFIG, paths, WATCHER_TTL_MS } from '@vmpool/core';
import { act, renderHook, screen, waitFor } from '@testing-library/react';
import { goOffline, goOnline } from 'firebase/database';
import { describe, expect, it } from 'vitest';
import { makeAgent, makeVm } from '../../../testing/fixtures';
import { ADMIN, PRODUCER, useRtdbFixture } from '../../../testing/rtdbFixture';
import { useWatcher } from '../hooks/useStreamView';
import { VmStreamPanel } from './VmStreamPanel';

const T0 = 1_800_000_000_000;
// A 1x1 JPEG is enough for the browser; the rules check the prefix and the size.
const IMAGE = 'data:image/jpeg;base64,/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAP//////////2Q==';

function vmRow(vmId: string, assignedTo: string | null) {
  return {
    vmId,
    instanceId: `local-${vmId}`,
    region: 'us-east-1',
    status: assignedTo === null ? 'available' : 'assigned',
    statusChangedAt: T0,
    statusReason: 'seeded',
    ec2State: 'running',
    createdAt: T0,
    totalAssignments: 1,
    ...(assignedTo === null ? {} : { assignedTo, assignedAt: T0 }),
  };
}

const fixture = useRtdbFixture(() => ({
  vmPool: {
    config: { ...DEFAULT_POOL_CONFIG, updatedAt: T0, updatedBy: 'seed' },
    vms: { 'vm-001': vmRow('vm-001', 'comp-a'), 'vm-002': vmRow('vm-002', 'comp-b') },
  },
  competitions: {
    'comp-a': { config: { eventName: 'Spring Invitational', vmId: 'vm-001' } },
    'comp-b': { config: { eventName: 'Autumn Classic', vmId: 'vm-002' } },
  },
  producerAccess: { [PRODUCER.uid]: { 'comp-a': true } },
}));

async function watcherAt(vmId: string, uid: string): Promise<unknown> {
  return (await fixture.controlPlane.ref(paths.vmWatcher(vmId, uid)).get()).val();
}

const liveVm = (vmId: string, assignedTo: string, now: number) =>
  makeVm({
    vmId,
    status: 'in_use',
    assignedTo,
    assignedAt: T0,
    agent: makeAgent({
      lastSeen: now,
      obs: {
        connected: true,
        version: '29.0.2',
        activeFps: 30,
        renderSkippedFramesPercent: 0,
        cpuUsage: 8,
        memoryMb: 300,
        currentScene: 'Floor',
        recording: false,
        checkedAt: now,
      },
      stream: {
        active: true,
        reconnecting: false,
        bitrateKbps: 2500,
        droppedFramesPercent: 0,
        congestion: 0,
        durationSeconds: 95,
        checkedAt: now,
      },
    }),
  });

describe('VmStreamPanel', () => {
  it("registers the producer as a watcher, shows the agent's preview with its age, and leaves on unmount", async () => {
    const now = Date.now();
    const view = fixture.renderAs(
      PRODUCER,
      <VmStreamPanel vm={liveVm('vm-001', 'comp-a', now)} now={now} />,
    );
    await waitFor(async () =>
      expect(typeof (await watcherAt('vm-001', PRODUCER.uid))).toBe('number'),
    );
    const stamped = (await watcherAt('vm-001', PRODUCER.uid)) as number;
    expect(Math.abs(stamped - Date.now())).toBeLessThan(60_000);
    expect(
      screen.getByText('No preview yet: it appears within seconds while OBS runs.').tagName,
    ).toBe('P');

    await fixture.controlPlane.ref(paths.preview('vm-001')).set({
      image: IMAGE,
      width: 320,
      height: 180,
      bytes: 40,
      capturedAt: now - 12_000,
      scene: 'Floor',
    });
    const image = (await screen.findByAltText('Program output (scene Floor)')) as HTMLImageElement;
    expect(image.src).toBe(IMAGE);
    expect(image.closest('figure')?.querySelector('figcaption')?.textContent).toBe(
      'Floor · captured 12s ago',
    );
    expect(screen.getByRole('status', { name: 'Stream health' }).textContent).toContain(
      'Live · 2,500 kbit/s · 0.0% dropped · 1:35',
    );

    view.unmount();
    await waitFor(async () => expect(await watcherAt('vm-001', PRODUCER.uid)).toBeNull());
  });

  it("shows why a producer cannot see another competition's VM, and writes no watcher", async () => {
    const now = Date.now();
    fixture.renderAs(PRODUCER, <VmStreamPanel vm={liveVm('vm-002', 'comp-b', now)} now={now} />);
    const note = await screen.findByRole('note');
    expect(note.textContent).toMatch(/^Preview unavailable: Permission denied/);
    expect(await watcherAt('vm-002', PRODUCER.uid)).toBeNull();
  });

  it('marks a preview that stopped updating', async () => {
    const now = Date.now();
    await fixture.controlPlane.ref(paths.preview('vm-001')).set({
      image: IMAGE,
      width: 320,
      height: 180,
      bytes: 40,
      capturedAt: now - 5 * 60_000,
      scene: null,
    });
    fixture.renderAs(ADMIN, <VmStreamPanel vm={liveVm('vm-001', 'comp-a', now)} now={now} />);
    const image = await screen.findByAltText('Program output');
    expect(image.closest('figure')?.getAttribute('data-stale')).toBe('true');
    expect(image.closest('figure')?.textContent).toBe(
      'Program · captured 5 min ago (not updating)',
    );
  });
});

describe('useWatcher', () => {
  it('re-writes its entry while mounted, so it never ages past the TTL', async () => {
    renderHook(() => useWatcher('vm-001', 400), { wrapper: fixture.wrapperFor(ADMIN) });
    await waitFor(async () => expect(typeof (await watcherAt('vm-001', ADMIN.uid))).toBe('number'));
    // Someone (a lost refresh) left an entry about to expire: the next refresh renews it.
    const old = Date.now() - WATCHER_TTL_MS + 1000;
    await fixture.controlPlane.ref(paths.vmWatcher('vm-001', ADMIN.uid)).set(old);
    await waitFor(async () =>
      expect((await watcherAt('vm-001', ADMIN.uid)) as number).toBeGreaterThan(old + 60_000),
    );
  });

  it('is removed by the server when the browser goes away (onDisconnect)', async () => {
    renderHook(() => useWatcher('vm-001'), { wrapper: fixture.wrapperFor(ADMIN) });
    await waitFor(async () => expect(typeof (await watcherAt('vm-001', ADMIN.uid))).toBe('number'));
    const db = fixture.userDb(ADMIN);
    act(() => goOffline(db));
    try {
      await waitFor(async () => expect(await watcherAt('vm-001', ADMIN.uid)).toBeNull());
    } finally {
      goOnline(db);
    }
  });
});
