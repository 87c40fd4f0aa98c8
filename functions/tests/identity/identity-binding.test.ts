import { describe, expect, it } from 'vitest';
import { decideBinding, type IdentityBinding } from '../../src/identity/identity-binding';
import { IdentityError } from '../../src/identity/identity-error';

const HOUR = 3_600_000;
const start = Date.UTC(2026, 10, 27, 6, 0, 0);
const attempt = (overrides: Partial<Parameters<typeof decideBinding>[1]> = {}) => ({
  nonceHash: 'a'.repeat(64),
  pendingTime: start,
  vmId: 'vm-001',
  now: start + 60_000,
  maxBindAgeMs: HOUR,
  ...overrides,
});

function refusal(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (error instanceof IdentityError) return error.code;
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('decideBinding (trust on first use)', () => {
  const bound: IdentityBinding = decideBinding(null, attempt());

  it('binds the first nonce of a recently started instance', () => {
    expect(bound).toEqual({
      nonceHash: 'a'.repeat(64),
      pendingTime: start,
      vmId: 'vm-001',
      boundAt: start + 60_000,
      lastExchangeAt: start + 60_000,
    });
  });

  it('accepts the same nonce for the same boot, however long it runs', () => {
    const later = decideBinding(bound, attempt({ now: start + 72 * HOUR }));
    expect(later.boundAt).toBe(start + 60_000);
    expect(later.lastExchangeAt).toBe(start + 72 * HOUR);
  });

  it('refuses another nonce for the same boot', () => {
    expect(refusal(() => decideBinding(bound, attempt({ nonceHash: 'b'.repeat(64) })))).toBe(
      'NONCE_MISMATCH',
    );
  });

  it('refuses a document from an earlier boot than the bound one', () => {
    expect(refusal(() => decideBinding(bound, attempt({ pendingTime: start - HOUR })))).toBe(
      'REPLAYED_DOCUMENT',
    );
  });

  it('rebinds when the instance was started again (newer pendingTime), with a new nonce', () => {
    const restart = start + 5 * HOUR;
    const rebound = decideBinding(
      bound,
      attempt({ pendingTime: restart, now: restart + 30_000, nonceHash: 'c'.repeat(64) }),
    );
    expect(rebound.pendingTime).toBe(restart);
    expect(rebound.nonceHash).toBe('c'.repeat(64));
    expect(rebound.boundAt).toBe(restart + 30_000);
  });

  it('refuses to bind a stale document (old start, never bound)', () => {
    expect(refusal(() => decideBinding(null, attempt({ now: start + 2 * HOUR })))).toBe(
      'STALE_DOCUMENT',
    );
    // just inside the window still binds
    expect(decideBinding(null, attempt({ now: start + HOUR })).pendingTime).toBe(start);
  });

  it('refuses a stale document of a newer boot too', () => {
    expect(
      refusal(() =>
        decideBinding(bound, attempt({ pendingTime: start + HOUR, now: start + 3 * HOUR })),
      ),
    ).toBe('STALE_DOCUMENT');
  });

  it('refuses the same boot claiming another VM id', () => {
    expect(refusal(() => decideBinding(bound, attempt({ vmId: 'vm-002' })))).toBe('VM_ID_CONFLICT');
  });
});
