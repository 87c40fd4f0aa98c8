import { describe, expect, it } from 'vitest';
import {
  claimQuotaSlot,
  openLimitMessage,
  perMinuteLimitMessage,
  readRequestQuota,
  REQUEST_LIMITS,
  REQUEST_RATE_WINDOW_MS,
  requestRowWrite,
} from './request-quota';

const NOW = 1_800_000_000_000;
const limits = REQUEST_LIMITS.producer;

function full(at: (index: number) => number) {
  return readRequestQuota({
    slots: Object.fromEntries(
      Array.from({ length: limits.perMinute }, (_, index) => [
        `s${String(index)}`,
        { at: at(index), requestId: `r${String(index)}` },
      ]),
    ),
  });
}

describe('request quota', () => {
  it('takes the first never used slot', () => {
    expect(claimQuotaSlot(readRequestQuota(null), limits, 'a', NOW)).toEqual({
      ok: true,
      slot: 's0',
      already: false,
    });
    const some = readRequestQuota({ slots: { s0: { at: NOW, requestId: 'x' } } });
    expect(claimQuotaSlot(some, limits, 'a', NOW)).toMatchObject({ ok: true, slot: 's1' });
  });

  it('finds the slot a request holds already', () => {
    expect(
      claimQuotaSlot(
        full(() => NOW),
        limits,
        'r4',
        NOW,
      ),
    ).toEqual({
      ok: true,
      slot: 's4',
      already: true,
    });
  });

  it('reuses the oldest slot once it has left the window, and only then', () => {
    const quota = full((index) => NOW - index * 10_000);
    // The oldest is s9, 90 s ago.
    expect(claimQuotaSlot(quota, limits, 'a', NOW)).toMatchObject({ ok: true, slot: 's9' });
    const recent = full((index) => NOW - index * 1_000);
    expect(claimQuotaSlot(recent, limits, 'a', NOW)).toEqual({
      ok: false,
      retryAfterMs: REQUEST_RATE_WINDOW_MS - 9_000,
    });
    // Exactly at the window's edge the slot is free (the rules: at <= now - 60000).
    const edge = full(() => NOW - REQUEST_RATE_WINDOW_MS);
    expect(claimQuotaSlot(edge, limits, 'a', NOW).ok).toBe(true);
  });

  it('never lets more than perMinute requests into any window (simulated burst)', () => {
    let quota = readRequestQuota(null);
    let accepted = 0;
    for (let index = 0; index < 1000; index += 1) {
      const claim = claimQuotaSlot(quota, limits, `q${String(index)}`, NOW + index);
      if (!claim.ok) continue;
      accepted += 1;
      quota = {
        ...quota,
        slots: {
          ...quota.slots,
          [claim.slot]: { at: NOW + index, requestId: `q${String(index)}` },
        },
      };
    }
    expect(accepted).toBe(limits.perMinute);
  });

  it('reads stored quotas leniently', () => {
    expect(
      readRequestQuota({
        slots: { s0: { at: 1, requestId: 'a' }, s1: 'junk', x2: { at: 1, requestId: 'b' } },
        open: { a: 5, 'bad/id': 1, c: 'x' },
      }),
    ).toEqual({ slots: { s0: { at: 1, requestId: 'a' } }, open: { a: 5 } });
  });

  it('builds the multi-path update a client writes', () => {
    const write = requestRowWrite(
      readRequestQuota(null),
      limits,
      'u1',
      'req-1',
      { action: 'assign' },
      NOW,
      'TS',
    );
    expect(write).toEqual({
      ok: true,
      slot: 's0',
      update: {
        'vmPool/requests/req-1': { action: 'assign' },
        'vmPool/requestQuota/u1/slots/s0': { at: 'TS', requestId: 'req-1' },
        'vmPool/requestQuota/u1/last': { requestId: 'req-1', slot: 's0' },
      },
    });
  });

  it('says what the limit is and when to try again', () => {
    expect(perMinuteLimitMessage(limits, 41_200)).toBe(
      'Too many requests: at most 10 per minute; try again in 42 s',
    );
    expect(openLimitMessage(limits)).toBe(
      'Too many open requests: at most 5 may run at once; wait until one finishes',
    );
  });
});
