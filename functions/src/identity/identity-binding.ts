import { IdentityError } from './identity-error';

/**
 * What `vmPool/identity/{instanceId}` keeps: the nonce (hashed) the instance presented first
 * for its current boot, as Vault's AWS auth does (trust on first use).
 */
export interface IdentityBinding {
  /** sha256 hex of the agent's nonce; the nonce itself is never stored */
  nonceHash: string;
  /** the document's pendingTime (ms epoch) this binding belongs to */
  pendingTime: number;
  vmId: string;
  boundAt: number;
  lastExchangeAt: number;
}

export interface BindingAttempt {
  nonceHash: string;
  pendingTime: number;
  vmId: string;
  now: number;
  /** how old a document may be when it binds (first use, or a restart); older ones are stale */
  maxBindAgeMs: number;
}

function isStale(attempt: BindingAttempt): boolean {
  return attempt.now - attempt.pendingTime > attempt.maxBindAgeMs;
}

function bindNew(attempt: BindingAttempt): IdentityBinding {
  return {
    nonceHash: attempt.nonceHash,
    pendingTime: attempt.pendingTime,
    vmId: attempt.vmId,
    boundAt: attempt.now,
    lastExchangeAt: attempt.now,
  };
}

/**
 * Decides an exchange against the current binding. First use binds (unless the document is
 * stale); the same boot must present the same nonce; an older boot is a replay; a newer boot
 * (the instance was stopped and started) binds afresh.
 */
export function decideBinding(
  current: IdentityBinding | null,
  attempt: BindingAttempt,
): IdentityBinding {
  if (current === null || attempt.pendingTime > current.pendingTime) {
    if (isStale(attempt)) {
      const minutes = Math.round((attempt.now - attempt.pendingTime) / 60_000);
      throw new IdentityError(
        'STALE_DOCUMENT',
        `The identity document is from a start ${minutes} min ago and this boot was never bound; ` +
          'only a recently started instance may bind',
      );
    }
    return bindNew(attempt);
  }
  if (attempt.pendingTime < current.pendingTime) {
    throw new IdentityError(
      'REPLAYED_DOCUMENT',
      'The identity document is from an earlier start of this instance than the one bound',
    );
  }
  if (attempt.nonceHash !== current.nonceHash) {
    throw new IdentityError(
      'NONCE_MISMATCH',
      'This boot of the instance is bound to another nonce; the document was presented by someone else',
    );
  }
  if (attempt.vmId !== current.vmId) {
    throw new IdentityError(
      'VM_ID_CONFLICT',
      `This boot is bound to ${current.vmId}, not ${attempt.vmId}`,
    );
  }
  return { ...current, lastExchangeAt: attempt.now };
}

/** Validates a stored binding; anything malformed counts as absent so that it is rewritten. */
export function parseIdentityBinding(raw: unknown): IdentityBinding | null {
  if (typeof raw !== 'object' || raw === null) return null;
  const record = raw as Record<string, unknown>;
  const numbers = ['pendingTime', 'boundAt', 'lastExchangeAt'] as const;
  if (typeof record.nonceHash !== 'string' || !/^[0-9a-f]{64}$/.test(record.nonceHash)) return null;
  if (typeof record.vmId !== 'string') return null;
  for (const name of numbers) {
    if (typeof record[name] !== 'number' || !Number.isFinite(record[name])) return null;
  }
  return record as unknown as IdentityBinding;
}
