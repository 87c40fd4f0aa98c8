import { describe, expect, it } from 'vitest';
import { BOOT_SAMPLES_KEPT, parseBootStats, withBootSample } from './boot-stats';
import {
  costDayOf,
  costMonthOf,
  costMonthRange,
  parseCompetitionCost,
  parseMonthlyCost,
} from './costs';
import { parseScheduleMark } from './schedule';
import {
  parseStatusHistory,
  parseStatusHistoryEntry,
  statusHistoryEntryOf,
} from './status-history';

const entry = {
  at: 1000,
  status: 'assigned',
  ec2State: 'running',
  assignedTo: 'comp-a',
  instanceType: 't3.large',
  region: 'us-east-1',
  cause: 'assign',
};

describe('parseStatusHistoryEntry', () => {
  it('reads an entry, with assignedTo null when RTDB left it out', () => {
    expect(parseStatusHistoryEntry(entry)).toEqual({ ok: true, value: entry });
    const { assignedTo: _gone, ...free } = entry;
    expect(parseStatusHistoryEntry(free)).toMatchObject({ ok: true, value: { assignedTo: null } });
  });

  it('refuses unknown statuses, bad instance types and missing times together', () => {
    expect(
      parseStatusHistoryEntry({ ...entry, at: undefined, status: 'warm', instanceType: 'big' }),
    ).toEqual({
      ok: false,
      errors: [
        'at: is required',
        'status: must be one of "available", "assigned", "in_use", "releasing", "stopped", "starting", "stopping", "error", "maintenance", "terminating"',
        'instanceType: must look like family.size, e.g. t3.large',
      ],
    });
  });
});

describe('statusHistoryEntryOf', () => {
  it('is the record after the change, in the entry’s shape', () => {
    const made = statusHistoryEntryOf(
      {
        status: 'assigned',
        statusChangedAt: 1000,
        ec2State: 'running',
        assignedTo: 'comp-a',
        region: 'us-east-1',
      },
      'assign',
      't3.large',
    );
    expect(made).toEqual(entry);
    expect(parseStatusHistoryEntry(made)).toEqual({ ok: true, value: made });
  });
});

describe('parseStatusHistory', () => {
  it('sorts each VM’s entries by time and reports bad ones without losing the rest', () => {
    const parsed = parseStatusHistory({
      'vm-002': { b: { ...entry, at: 3000 }, a: { ...entry, at: 2000 } },
      'vm-001': { x: { ...entry, status: 'flying' }, y: entry },
      'not a vm': { z: entry },
    });
    expect(parsed.vms.map((vm) => [vm.vmId, vm.entries.map((e) => e.at)])).toEqual([
      ['vm-001', [1000]],
      ['vm-002', [2000, 3000]],
    ]);
    expect(parsed.errors).toHaveLength(2);
    expect(parsed.errors[0]).toMatch(/^vm-001\/x: status: must be one of/);
    expect(parsed.errors[1]).toBe('not a vm: not a VM id');
    expect(parseStatusHistory(null)).toEqual({ vms: [], errors: [] });
  });
});

describe('parseScheduleMark', () => {
  it('reads a mark, null request meaning "held by hand"', () => {
    expect(parseScheduleMark({ startsAt: 5, attempt: 0, at: 6 })).toEqual({
      ok: true,
      value: { startsAt: 5, requestId: null, attempt: 0, at: 6 },
    });
    expect(parseScheduleMark({ startsAt: 5, requestId: 'bad id', attempt: 4, at: 6 })).toEqual({
      ok: false,
      errors: ['requestId: must be a request id', 'attempt: must be <= 3'],
    });
  });
});

describe('monthly costs', () => {
  const month = {
    month: '2027-02',
    currency: 'USD',
    through: 10,
    updatedAt: 11,
    total: { usd: 1.5, billableSeconds: 3600 },
    idle: { usd: 0.5, billableSeconds: 1200 },
    competitions: {
      'comp-a': {
        usd: 1,
        billableSeconds: 2400,
        vms: { 'vm-001': { usd: 1, billableSeconds: 2400 } },
      },
    },
    vms: {
      'vm-001': {
        usd: 1.5,
        billableSeconds: 3600,
        instanceType: 'g4dn.xlarge',
        idleSeconds: 1200,
        idleUsd: 0.5,
      },
    },
    days: { '2027-02-05': { usd: 1.5, billableSeconds: 3600, idleUsd: 0.5 } },
  };

  it('reads a rollup, with empty maps and no unpriced time when RTDB left them out', () => {
    expect(parseMonthlyCost(month)).toMatchObject({
      ok: true,
      value: { ...month, unpriced: { billableSeconds: 0, instanceTypes: [] } },
    });
    const empty = { ...month, competitions: undefined, vms: undefined, days: undefined };
    expect(parseMonthlyCost(empty)).toMatchObject({
      ok: true,
      value: { competitions: {}, vms: {}, days: {} },
    });
  });

  it('refuses bad months, days, negative money and another currency', () => {
    const parsed = parseMonthlyCost({
      ...month,
      month: '2027-2',
      currency: 'EUR',
      total: { usd: -1, billableSeconds: 0 },
      days: { '2027-02-30x': { usd: 0, billableSeconds: 0, idleUsd: 0 } },
    });
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.errors.map((error) => error.split(':')[0])).toEqual([
      'month',
      'currency',
      'total.usd',
      'days',
    ]);
  });

  it('reads what a producer sees of its own show', () => {
    expect(parseCompetitionCost(month.competitions['comp-a'])).toMatchObject({ ok: true });
    expect(parseCompetitionCost({ usd: 1, billableSeconds: 2 })).toEqual({
      ok: true,
      value: { usd: 1, billableSeconds: 2, vms: {} },
    });
  });

  it('names UTC months and days and their ranges', () => {
    const at = Date.UTC(2027, 0, 31, 23, 59, 59);
    expect(costMonthOf(at)).toBe('2027-01');
    expect(costDayOf(at)).toBe('2027-01-31');
    expect(costMonthRange('2027-12')).toEqual({
      from: Date.UTC(2027, 11, 1),
      to: Date.UTC(2028, 0, 1),
    });
    expect(() => costMonthRange('2027-00')).toThrow(/not yyyy-mm/);
  });
});

describe('boot stats', () => {
  it('keeps the newest samples per kind', () => {
    let stats = withBootSample(null, 'start', 150, 1);
    stats = withBootSample(stats, 'launch', 300, 2);
    expect(stats).toEqual({ start: [150], launch: [300], updatedAt: 2 });
    for (let i = 0; i < BOOT_SAMPLES_KEPT + 5; i += 1) stats = withBootSample(stats, 'start', i, 3);
    expect(stats.start).toHaveLength(BOOT_SAMPLES_KEPT);
    expect(stats.start[0]).toBe(5);
    expect(stats.start.at(-1)).toBe(BOOT_SAMPLES_KEPT + 4);
    expect(parseBootStats(stats)).toEqual({ ok: true, value: stats });
  });

  it('reads lists written as RTDB objects, and missing lists as empty', () => {
    expect(parseBootStats({ start: { 0: 140, 1: 155 }, updatedAt: 9 })).toEqual({
      ok: true,
      value: { start: [140, 155], launch: [], updatedAt: 9 },
    });
    expect(parseBootStats({ start: [-1], launch: [], updatedAt: 9 }).ok).toBe(false);
  });
});
