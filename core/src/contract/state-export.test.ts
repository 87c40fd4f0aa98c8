import { describe, expect, it } from 'vitest';
import { parseCommandArgs } from './command';
import { parseStateBundle, parseStateExport, stateExportKey } from './state-export';

const digest = 'c'.repeat(64);
const record = {
  competitionId: 'comp-a',
  vmId: 'vm-001',
  at: 1_000,
  bucket: 'local-archive',
  key: stateExportKey('comp-a', digest),
  digest,
  bytes: 10,
  obs: { sceneCollection: 'Gymnastics', profile: 'Broadcast' },
  showServer: false,
  trigger: 'period',
};

describe('parseStateExport', () => {
  it('accepts a record and fills a missing profile with null', () => {
    expect(parseStateExport(record)).toEqual({ ok: true, value: record });
    const { obs: _obs, ...rest } = record;
    expect(parseStateExport({ ...rest, obs: { sceneCollection: 'X' } })).toMatchObject({
      ok: true,
      value: { obs: { sceneCollection: 'X', profile: null } },
    });
  });

  it('refuses a key that is not the digest of its competition, and every bad field together', () => {
    expect(parseStateExport({ ...record, key: 'recordings/comp-a/x.mp4' })).toEqual({
      ok: false,
      errors: [`key: must be state/comp-a/${digest}.json`],
    });
    const bad = parseStateExport({ ...record, vmId: 'x', digest: 'zz', trigger: 'manual' });
    expect(bad.ok).toBe(false);
    if (!bad.ok)
      expect(bad.errors.map((e) => e.split(':')[0])).toEqual(['vmId', 'digest', 'trigger']);
  });
});

describe('parseStateBundle', () => {
  const bundle = {
    format: 'vmpool-state/1',
    obs: {
      sceneCollection: { name: 'G', file: 'basic/scenes/G.json', content: '{}' },
      profile: {
        name: 'P',
        dir: 'basic/profiles/P',
        files: { 'basic.ini': '[General]' } as Record<string, string>,
      },
    },
    showServer: null,
  };
  it('accepts a bundle; refuses files outside OBS config', () => {
    expect(parseStateBundle(bundle).ok).toBe(true);
    const escape = structuredClone(bundle);
    escape.obs.sceneCollection.file = '../../.ssh/authorized_keys';
    expect(parseStateBundle(escape).ok).toBe(false);
    const absolute = structuredClone(bundle);
    absolute.obs.profile.files = { '/etc/passwd': 'x' };
    expect(parseStateBundle(absolute).ok).toBe(false);
  });
});

describe('import_state args', () => {
  it('needs the competition, the source VM and the digest', () => {
    expect(
      parseCommandArgs('import_state', { competitionId: 'comp-a', sourceVmId: 'vm-001', digest }),
    ).toEqual({ ok: true, value: { competitionId: 'comp-a', sourceVmId: 'vm-001', digest } });
    const bad = parseCommandArgs('import_state', { competitionId: 'comp a' });
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.errors).toHaveLength(3);
  });
});
