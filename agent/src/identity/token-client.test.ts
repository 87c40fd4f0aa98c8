import { describe, expect, it } from 'vitest';
import { parseGrant, refreshDelayMs, TokenExchangeError } from './token-client';

describe('parseGrant', () => {
  it('takes the token, vm id, expiry and the server clock from the Date header', () => {
    const grant = parseGrant(
      { token: 't', vmId: 'vm-001', expiresAt: 5_000_000 },
      'Thu, 01 Jan 1970 00:16:40 GMT',
    );
    expect(grant).toEqual({
      token: 't',
      vmId: 'vm-001',
      expiresAt: 5_000_000,
      serverNow: 1_000_000,
    });
  });

  it('names every missing or bad field', () => {
    try {
      parseGrant({ vmId: 'VM 1', expiresAt: 'soon' }, null);
      throw new Error('expected a failure');
    } catch (error) {
      expect(error).toBeInstanceOf(TokenExchangeError);
      expect((error as Error).message).toBe(
        'agentToken answered without a valid token, vmId, expiresAt',
      );
    }
  });
});

describe('refreshDelayMs', () => {
  const hour = 3_600_000;

  it('refreshes five minutes before an hour-long token expires', () => {
    const grant = { token: 't', vmId: 'vm-1', expiresAt: 10 * hour + hour, serverNow: 10 * hour };
    expect(refreshDelayMs(grant, 10 * hour, 10 * hour)).toBe(hour - 5 * 60_000);
  });

  it('uses the server clock, so a local clock two hours fast changes nothing', () => {
    const grant = { token: 't', vmId: 'vm-1', expiresAt: 10 * hour + hour, serverNow: 10 * hour };
    const skewedLocal = 12 * hour;
    expect(refreshDelayMs(grant, skewedLocal, skewedLocal)).toBe(hour - 5 * 60_000);
    expect(refreshDelayMs(grant, skewedLocal + 60_000, skewedLocal)).toBe(hour - 6 * 60_000);
  });

  it('uses a fifth of short lifetimes as margin and never less than ten seconds', () => {
    const short = { token: 't', vmId: 'vm-1', expiresAt: 100_000, serverNow: 0 };
    expect(refreshDelayMs(short, 0, 0)).toBe(80_000);
    const expired = { token: 't', vmId: 'vm-1', expiresAt: 0, serverNow: 50_000 };
    expect(refreshDelayMs(expired, 0, 0)).toBe(10_000);
  });
});
