import { describe, expect, it } from 'vitest';
import {
  hasControlCharacter,
  isValidCompetitionId,
  isValidPushId,
  isValidVmId,
  makeVmId,
  vmAddressFor,
} from './ids';

describe('ids', () => {
  it('makes zero-padded VM ids that pass validation', () => {
    expect(makeVmId(1)).toBe('vm-001');
    expect(makeVmId(42)).toBe('vm-042');
    expect(makeVmId(1234)).toBe('vm-1234');
    expect(isValidVmId(makeVmId(7))).toBe(true);
    expect(() => makeVmId(-1)).toThrow(/not a non-negative integer/);
    expect(() => makeVmId(1.5)).toThrow(/not a non-negative integer/);
  });

  it('validates VM ids', () => {
    expect(isValidVmId('vm-local-1')).toBe(true);
    for (const bad of ['vm-', 'VM-001', 'vm-001/x', 'x-001', 7, null, `vm-${'a'.repeat(41)}`]) {
      expect(isValidVmId(bad)).toBe(false);
    }
  });

  it('validates push ids and competition ids', () => {
    expect(isValidPushId('-NxYz_09abc')).toBe(true);
    expect(isValidPushId('a'.repeat(65))).toBe(false);
    expect(isValidPushId('a.b')).toBe(false);
    expect(isValidPushId(3)).toBe(false);
    expect(isValidCompetitionId('utah-vs-byu_2026')).toBe(true);
    expect(isValidCompetitionId('a b')).toBe(false);
    expect(isValidCompetitionId('')).toBe(false);
  });

  it('builds host:port addresses for the show server', () => {
    expect(vmAddressFor('3.91.10.2')).toBe('3.91.10.2:3003');
    expect(vmAddressFor(' 3.91.10.2 ')).toBe('3.91.10.2:3003');
    for (const bad of ['', 'http://1.2.3.4', '1.2.3.4:80', 'a b']) {
      expect(() => vmAddressFor(bad)).toThrow(/not a bare/);
    }
  });

  it('spots control characters', () => {
    expect(hasControlCharacter('ok')).toBe(false);
    expect(hasControlCharacter('a\nb')).toBe(true);
    expect(hasControlCharacter('a\u007f')).toBe(true);
  });
});
