import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { StateExportRecord } from '../../contract/state-export';
import { restoreSummary, restoringText, stateExportChanged, stateExportDue } from './state-restore';

const MIN = 60_000;
const record: StateExportRecord = {
  competitionId: 'comp-a',
  vmId: 'vm-001',
  at: 1_000_000,
  bucket: 'local-archive',
  key: `state/comp-a/${'a'.repeat(64)}.json`,
  digest: 'a'.repeat(64),
  bytes: 1234,
  obs: { sceneCollection: 'Gymnastics', profile: 'Broadcast' },
  showServer: false,
  trigger: 'change',
};

describe('stateExportDue', () => {
  const base = { now: 10 * MIN, inUse: true, lastAttemptAt: 9 * MIN, intervalMs: 3 * MIN };
  it('exports at once after a change, at first and then every interval', () => {
    expect(stateExportDue({ ...base, changePending: true })).toBe('change');
    expect(stateExportDue({ ...base, changePending: false })).toBeNull();
    expect(stateExportDue({ ...base, lastAttemptAt: null, changePending: false })).toBe('period');
    expect(stateExportDue({ ...base, lastAttemptAt: 7 * MIN, changePending: false })).toBe(
      'period',
    );
  });

  it('never exports a VM that is not in_use', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1e9 }),
        fc.option(fc.integer({ min: 0, max: 1e9 })),
        fc.boolean(),
        (now, lastAttemptAt, changePending) =>
          stateExportDue({ now, inUse: false, lastAttemptAt, intervalMs: MIN, changePending }) ===
          null,
      ),
    );
  });

  it('an in_use VM is never left longer than the interval without an attempt', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1e9 }),
        fc.integer({ min: 0, max: 1e6 }),
        fc.integer({ min: 10_000, max: 3_600_000 }),
        (last, elapsed, intervalMs) => {
          const due = stateExportDue({
            now: last + elapsed,
            inUse: true,
            lastAttemptAt: last,
            intervalMs,
            changePending: false,
          });
          return elapsed >= intervalMs ? due === 'period' : due === null;
        },
      ),
    );
  });
});

describe('stateExportChanged', () => {
  it('skips an unchanged export of the same competition only', () => {
    expect(stateExportChanged(record.digest, record, 'comp-a')).toBe(false);
    expect(stateExportChanged('b'.repeat(64), record, 'comp-a')).toBe(true);
    expect(stateExportChanged(record.digest, record, 'comp-b')).toBe(true);
    expect(stateExportChanged(record.digest, null, 'comp-a')).toBe(true);
  });
});

describe('restoreSummary', () => {
  const now = record.at + 4 * MIN;
  it('names what was restored, from which VM, and its age', () => {
    expect(restoreSummary({ kind: 'restored', export: record }, now)).toBe(
      'Restored OBS scene collection "Gymnastics" and profile "Broadcast", saved by vm-001 4 min ago.',
    );
    expect(
      restoreSummary(
        { kind: 'restored', export: { ...record, obs: { sceneCollection: 'X', profile: null } } },
        record.at + 30_000,
      ),
    ).toBe('Restored OBS scene collection "X", saved by vm-001 30 s ago.');
  });

  it('says that nothing was restored, and why', () => {
    expect(restoreSummary({ kind: 'nothing', competitionId: 'comp-a' }, now)).toBe(
      'Nothing was restored: no saved OBS state of comp-a exists.',
    );
    expect(restoreSummary({ kind: 'failed', export: record, why: 'OBS is down' }, now)).toBe(
      'Nothing was restored: importing OBS scene collection "Gymnastics" and profile "Broadcast" (saved by vm-001 4 min ago) failed: OBS is down',
    );
    expect(restoreSummary({ kind: 'timed_out', export: record, waitedMs: 20_000 }, now)).toMatch(
      /did not finish within 20 s\.$/,
    );
  });
});

describe('restoringText', () => {
  it('says what the spare is restoring while the hand-over waits', () => {
    expect(restoringText(record, 'vm-002', record.at + 45 * MIN)).toBe(
      'Restoring OBS scene collection "Gymnastics" and profile "Broadcast" (saved by vm-001 45 min ago) on vm-002…',
    );
  });
});
