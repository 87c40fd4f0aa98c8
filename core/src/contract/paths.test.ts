import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { assertPathSegment, isValidPathSegment, paths } from './paths';

describe('paths', () => {
  it('builds every documented path', () => {
    expect(paths.poolConfig()).toBe('vmPool/config');
    expect(paths.vms()).toBe('vmPool/vms');
    expect(paths.vm('vm-001')).toBe('vmPool/vms/vm-001');
    expect(paths.vmAgent('vm-001')).toBe('vmPool/vms/vm-001/agent');
    expect(paths.vmWatchers('vm-001')).toBe('vmPool/vms/vm-001/watchers');
    expect(paths.vmWatcher('vm-001', 'u1')).toBe('vmPool/vms/vm-001/watchers/u1');
    expect(paths.previews()).toBe('vmPool/previews');
    expect(paths.preview('vm-001')).toBe('vmPool/previews/vm-001');
    expect(paths.requests()).toBe('vmPool/requests');
    expect(paths.request('-Nabc')).toBe('vmPool/requests/-Nabc');
    expect(paths.requestResult('-Nabc')).toBe('vmPool/requests/-Nabc/result');
    expect(paths.commands()).toBe('vmPool/commands');
    expect(paths.vmCommands('vm-001')).toBe('vmPool/commands/vm-001');
    expect(paths.command('vm-001', '-Ncmd')).toBe('vmPool/commands/vm-001/-Ncmd');
    expect(paths.identities()).toBe('vmPool/identity');
    expect(paths.identity('i-0abc12345')).toBe('vmPool/identity/i-0abc12345');
    expect(paths.competitions()).toBe('competitions');
    expect(paths.competition('c1')).toBe('competitions/c1');
    expect(paths.competitionConfig('c1')).toBe('competitions/c1/config');
    expect(paths.producerAccess('u1')).toBe('producerAccess/u1');
    expect(paths.producerAccessFor('u1', 'c1')).toBe('producerAccess/u1/c1');
    expect(paths.allAlerts()).toBe('alerts');
    expect(paths.alerts('pool')).toBe('alerts/pool');
    expect(paths.alert('c1', 'a1')).toBe('alerts/c1/a1');
    expect(paths.audit()).toBe('audit');
    expect(paths.auditEntry('x1')).toBe('audit/x1');
    expect(paths.statusHistory()).toBe('vmPool/statusHistory');
    expect(paths.vmStatusHistory('vm-001')).toBe('vmPool/statusHistory/vm-001');
    expect(paths.statusHistoryEntry('vm-001', '-Nh1')).toBe('vmPool/statusHistory/vm-001/-Nh1');
    expect(paths.costs()).toBe('vmPool/costs');
    expect(paths.monthlyCost('2027-02')).toBe('vmPool/costs/2027-02');
    expect(paths.competitionCost('2027-02', 'c1')).toBe('vmPool/costs/2027-02/competitions/c1');
    expect(paths.bootStats()).toBe('vmPool/bootStats');
    expect(paths.bootStatsFor('us-east-1', 'g4dn.xlarge')).toBe(
      'vmPool/bootStats/us-east-1/g4dn_xlarge',
    );
    expect(paths.scheduleMarks()).toBe('vmPool/schedule');
    expect(paths.scheduleMark('c1')).toBe('vmPool/schedule/c1');
  });

  it('refuses months that are not yyyy-mm and instance types that are not family.size', () => {
    expect(() => paths.monthlyCost('2027-13')).toThrow(/must be yyyy-mm/);
    expect(() => paths.competitionCost('27-02', 'c1')).toThrow(/must be yyyy-mm/);
    expect(() => paths.bootStatsFor('us-east-1', 't3_large')).toThrow(/not an instance type/);
  });

  it.each(['', 'a.b', 'a#b', 'a$b', 'a[b', 'a]b', 'a/b', 'a\nb', 'a\u0000b', 'a\u007f'])(
    'refuses the illegal segment %j',
    (segment) => {
      expect(() => paths.request(segment)).toThrow(/Illegal requestId path segment/);
      expect(() => paths.alert('pool', segment)).toThrow(/Illegal alertId path segment/);
      expect(isValidPathSegment(segment)).toBe(false);
    },
  );

  it('refuses VM ids that do not match the VM id pattern', () => {
    expect(() => paths.vm('VM 1')).toThrow(/Illegal vmId path segment "VM 1": must match/);
    expect(() => paths.command('vm-001/x', 'c')).toThrow(/Illegal vmId/);
  });

  it('refuses non-strings and over-long keys', () => {
    expect(() => assertPathSegment('uid', 5)).toThrow(/expected a string, got number/);
    expect(() => paths.producerAccess('é'.repeat(400))).toThrow(/longer than 768 bytes/);
    expect(isValidPathSegment('fine-key')).toBe(true);
  });

  it('any string is either refused or kept as exactly one segment', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 40 }), (segment) => {
        let built: string;
        try {
          built = paths.alert('pool', segment);
        } catch (error) {
          expect((error as Error).message).toMatch(/^Illegal alertId path segment/);
          return;
        }
        expect(built.split('/')).toEqual(['alerts', 'pool', segment]);
        expect(segment).not.toMatch(/[.#$[\]]/);
      }),
      { numRuns: 500 },
    );
  });
});
