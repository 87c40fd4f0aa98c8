import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  leaseRanOut,
  readOpenRequestEntry,
  renewRequestLease,
  requestLeaseTiming,
  takeRequestLease,
  type OpenRequestEntry,
} from './request-lease';

const entry = (fields: Partial<OpenRequestEntry> = {}): OpenRequestEntry => ({
  updatedAt: 1_000,
  leaseUntil: 50_000,
  runId: 'run-a',
  ...fields,
});

describe('requestLeaseTiming', () => {
  it('is the configured lease, renewed four times per lease', () => {
    expect(requestLeaseTiming({ requestLeaseMs: 30_000, reconcileIntervalMs: 60_000 })).toEqual({
      leaseMs: 30_000,
      renewEveryMs: 7_500,
    });
  });

  it('is never longer than a reconcile interval (the local stack reconciles every 10 s)', () => {
    expect(requestLeaseTiming({ requestLeaseMs: 30_000, reconcileIntervalMs: 10_000 })).toEqual({
      leaseMs: 10_000,
      renewEveryMs: 2_500,
    });
  });

  it('re-drives a dead run within two intervals and renews well inside the lease, for any settings', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1_000, max: 3_600_000 }),
        fc.integer({ min: 1_000, max: 3_600_000 }),
        (requestLeaseMs, reconcileIntervalMs) => {
          const { leaseMs, renewEveryMs } = requestLeaseTiming({
            requestLeaseMs,
            reconcileIntervalMs,
          });
          // expires at most a lease after the last renewal; the next reconcile takes it
          expect(leaseMs + reconcileIntervalMs).toBeLessThanOrEqual(2 * reconcileIntervalMs);
          expect(leaseMs).toBeLessThanOrEqual(requestLeaseMs);
          expect(3 * renewEveryMs).toBeLessThan(leaseMs);
          expect(renewEveryMs).toBeGreaterThan(0);
        },
      ),
    );
  });
});

describe('takeRequestLease', () => {
  it('takes a request nobody holds, keeping when it was last updated', () => {
    expect(takeRequestLease(null, { runId: 'run-b', now: 5_000, until: 15_000 })).toEqual({
      updatedAt: 5_000,
      leaseUntil: 15_000,
      runId: 'run-b',
    });
    expect(
      takeRequestLease(entry({ leaseUntil: 0 }), { runId: 'run-b', now: 5_000, until: 15_000 }),
    ).toEqual({ updatedAt: 1_000, leaseUntil: 15_000, runId: 'run-b' });
  });

  it('stands back while another run holds an unexpired lease', () => {
    expect(takeRequestLease(entry(), { runId: 'run-b', now: 49_999, until: 60_000 })).toBeNull();
  });

  it('takes a lease that ran out (its run died)', () => {
    expect(takeRequestLease(entry(), { runId: 'run-b', now: 50_001, until: 60_000 })).toEqual({
      updatedAt: 1_000,
      leaseUntil: 60_000,
      runId: 'run-b',
    });
  });
});

describe('renewRequestLease', () => {
  it('extends the lease of the run that holds it', () => {
    expect(renewRequestLease(entry(), 'run-a', 70_000)).toEqual({
      kind: 'renewed',
      entry: entry({ leaseUntil: 70_000 }),
    });
  });

  it('keeps a run whose lease ran out as long as no other run took it', () => {
    expect(renewRequestLease(entry({ leaseUntil: 10 }), 'run-a', 70_000)).toMatchObject({
      kind: 'renewed',
      entry: { leaseUntil: 70_000, runId: 'run-a' },
    });
  });

  it('never takes back a lease another run took: the run lost it', () => {
    expect(renewRequestLease(entry({ runId: 'run-b' }), 'run-a', 70_000)).toEqual({
      kind: 'lost',
    });
  });

  it('is lost when the request was finished meanwhile (its entry is gone)', () => {
    expect(renewRequestLease(null, 'run-a', 70_000)).toEqual({ kind: 'lost' });
  });

  it('ends once the run gave its lease back', () => {
    expect(renewRequestLease(entry({ leaseUntil: 0 }), 'run-a', 70_000)).toEqual({
      kind: 'ended',
    });
  });

  it('two runs racing: after any interleaving of takes and renewals, only the last taker holds it', () => {
    type Op = { run: 'a' | 'b'; op: 'take' | 'renew'; at: number };
    const ops = fc.array(
      fc.record({
        run: fc.constantFrom('a' as const, 'b' as const),
        op: fc.constantFrom('take' as const, 'renew' as const),
        at: fc.integer({ min: 0, max: 100 }),
      }),
      { maxLength: 30 },
    );
    fc.assert(
      fc.property(ops, (list: Op[]) => {
        let current: OpenRequestEntry | null = null;
        let now = 0;
        let lastTaker: string | null = null;
        const lost = new Set<string>();
        for (const { run, op, at } of list) {
          now += at;
          if (op === 'take') {
            const next = takeRequestLease(current, { runId: run, now, until: now + 10 });
            if (next !== null) {
              current = next;
              if (lastTaker !== null && lastTaker !== run) lost.add(lastTaker);
              lastTaker = run;
              lost.delete(run);
            }
          } else {
            const renewal = renewRequestLease(current, run, now + 10);
            if (renewal.kind === 'renewed') {
              // only the run that took it last renews it
              expect(run).toBe(lastTaker);
              expect(lost.has(run)).toBe(false);
              current = renewal.entry;
            }
            if (renewal.kind === 'lost') expect(run).not.toBe(lastTaker);
          }
        }
      }),
    );
  });
});

describe('leaseRanOut and readOpenRequestEntry', () => {
  it('a lease ran out when it was taken and neither given back nor renewed in time', () => {
    expect(leaseRanOut({ leaseUntil: 0 }, 10)).toBe(false);
    expect(leaseRanOut({ leaseUntil: 11 }, 10)).toBe(false);
    expect(leaseRanOut({ leaseUntil: 9 }, 10)).toBe(true);
  });

  it('reads a stored entry, and nothing from what is not one', () => {
    expect(readOpenRequestEntry({ updatedAt: 3, leaseUntil: 4, runId: 'r' })).toEqual({
      updatedAt: 3,
      leaseUntil: 4,
      runId: 'r',
    });
    expect(readOpenRequestEntry(null)).toBeNull();
    expect(readOpenRequestEntry('x')).toBeNull();
    expect(readOpenRequestEntry({ updatedAt: 3 })).toEqual({
      updatedAt: 3,
      leaseUntil: 0,
      runId: '',
    });
  });
});
