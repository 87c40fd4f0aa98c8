import { describe, expect, it } from 'vitest';
import { parseAlert } from './alert';
import { parseAuditEntry } from './audit';
import { parseCompetitionConfig, showTimesOf } from './competition';

describe('parseCompetitionConfig', () => {
  it('keeps the existing app fields and reads vm fields as null when absent', () => {
    expect(parseCompetitionConfig({ eventName: 'Utah vs BYU', judges: 4 })).toEqual({
      ok: true,
      value: { eventName: 'Utah vs BYU', judges: 4, vmId: null, vmAddress: null },
    });
  });

  it('checks vmAddress is host:port without a scheme', () => {
    expect(parseCompetitionConfig({ vmId: 'vm-001', vmAddress: '3.3.3.3:3003' })).toMatchObject({
      ok: true,
      value: { vmAddress: '3.3.3.3:3003' },
    });
    expect(parseCompetitionConfig({ vmAddress: 'http://3.3.3.3:3003' })).toEqual({
      ok: false,
      errors: ['vmAddress: must be host:port without a scheme'],
    });
  });
});

describe('competition show times', () => {
  it('accepts startsAt and endsAt, each optional, endsAt after startsAt', () => {
    expect(parseCompetitionConfig({ startsAt: 1000, endsAt: 2000 })).toMatchObject({
      ok: true,
      value: { startsAt: 1000, endsAt: 2000 },
    });
    expect(parseCompetitionConfig({ startsAt: 1000 }).ok).toBe(true);
    expect(parseCompetitionConfig({ endsAt: 2000 }).ok).toBe(true);
    expect(parseCompetitionConfig({ startsAt: 2000, endsAt: 2000 })).toEqual({
      ok: false,
      errors: ['endsAt: must be after startsAt'],
    });
    expect(parseCompetitionConfig({ startsAt: 'tonight', endsAt: 1.5 })).toEqual({
      ok: false,
      errors: ['startsAt: must be a number', 'endsAt: must be an integer'],
    });
    expect(parseCompetitionConfig({ startsAt: -1 })).toEqual({
      ok: false,
      errors: ['startsAt: must be >= 0'],
    });
  });

  it('makes a competition scheduled only with both times', () => {
    expect(showTimesOf({ startsAt: 1000, endsAt: 2000 })).toEqual({ startsAt: 1000, endsAt: 2000 });
    expect(showTimesOf({ startsAt: 1000 })).toBeNull();
    expect(showTimesOf({ endsAt: 2000 })).toBeNull();
    expect(showTimesOf({ startsAt: 2000, endsAt: 1000 })).toBeNull();
  });
});

describe('parseAlert', () => {
  const alert = {
    id: 'a1',
    level: 'critical',
    category: 'vm',
    title: 'VM unreachable',
    message: 'vm-001 stopped reporting',
    timestamp: 5,
    createdAt: 5,
    vmId: 'vm-001',
    sourceId: 'vm-unreachable-vm-001',
  };

  it('fills acknowledgement and resolution defaults', () => {
    expect(parseAlert(alert)).toEqual({
      ok: true,
      value: {
        ...alert,
        acknowledged: false,
        acknowledgedBy: null,
        acknowledgedAt: null,
        resolved: false,
        resolvedAt: null,
        autoResolve: true,
      },
    });
  });

  it('rejects unknown levels and categories', () => {
    const parsed = parseAlert({ ...alert, level: 'panic', category: 'weather' });
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.errors).toEqual([
      'level: must be one of "critical", "warning", "info"',
      'category: must be one of "vm", "service", "camera", "obs", "talent"',
    ]);
  });
});

describe('parseAuditEntry', () => {
  it('accepts an entry without a target and rejects unknown outcomes', () => {
    expect(
      parseAuditEntry({ at: 1, actor: 'system', action: 'idle_stop', outcome: 'succeeded' }),
    ).toEqual({
      ok: true,
      value: { at: 1, actor: 'system', action: 'idle_stop', outcome: 'succeeded', target: {} },
    });
    expect(parseAuditEntry({ at: 1, actor: 'u', action: 'x', outcome: 'meh' })).toEqual({
      ok: false,
      errors: ['outcome: must be one of "succeeded", "failed", "rejected"'],
    });
  });
});
