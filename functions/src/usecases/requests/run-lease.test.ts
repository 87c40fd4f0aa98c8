import { describe, expect, it } from 'vitest';
import { DEFAULT_CONTROL_PLANE_CONFIG } from '../../config/control-plane-config';
import { manualClock, memoryLogger } from '@vmpool/core/ports';
import type { PoolStore } from '../../store/pool-store';
import type { Repeat } from '../deps';
import { RunLease, RunLeaseLost } from './run-lease';

/** A store with only what a lease touches: each renewal answers the next of `outcomes`. */
function leaseStore(outcomes: (() => Promise<'renewed' | 'lost' | 'ended'>)[]) {
  const renewals: number[] = [];
  const written: string[] = [];
  const store = {
    renewRequestLease: (_requestId: string, _runId: string, until: number) => {
      renewals.push(until);
      const next = outcomes.shift();
      if (next === undefined) throw new Error('no outcome left');
      return next();
    },
    writeResult: async (requestId: string) => {
      written.push(requestId);
    },
  } as unknown as PoolStore;
  return { store, renewals, written };
}

function lease(store: PoolStore) {
  const ticks: (() => Promise<void>)[] = [];
  const repeat: Repeat = (_ms, tick) => {
    ticks.push(tick);
    return () => ticks.splice(ticks.indexOf(tick), 1);
  };
  const clock = manualClock(1_000);
  const logger = memoryLogger();
  const settings = { ...DEFAULT_CONTROL_PLANE_CONFIG, reconcileIntervalMs: 10_000 };
  const run = new RunLease({ store, clock, settings, repeat }, logger, 'r1', 'run-a');
  return { run, ticks, clock, logger };
}

const result = { state: 'running' } as never;

describe('RunLease', () => {
  it('renews a lease it holds until a lease from now, on its timer, and stops with the run', async () => {
    const { store, renewals } = leaseStore([async () => 'renewed', async () => 'renewed']);
    const { run, ticks, clock } = lease(store);
    expect(run.timing).toEqual({ leaseMs: 10_000, renewEveryMs: 2_500 });
    run.start();
    clock.advance(2_500);
    await ticks[0]?.();
    clock.advance(2_500);
    await ticks[0]?.();
    expect(renewals).toEqual([13_500, 16_000]);
    await run.stop();
    expect(ticks).toEqual([]);
    expect(run.lost).toBe(false);
  });

  it('once another run took the request, its result writes throw and reach nothing', async () => {
    const { store, written } = leaseStore([async () => 'lost']);
    const { run, ticks, logger } = lease(store);
    run.start();
    const guarded = run.guard(store);
    await guarded.writeResult('r1', result);
    await ticks[0]?.();
    expect(run.lost).toBe(true);
    expect(ticks).toEqual([]);
    await expect(guarded.writeResult('r1', result)).rejects.toBeInstanceOf(RunLeaseLost);
    // other requests' results are not this run's business
    await guarded.writeResult('r2', result);
    expect(written).toEqual(['r1', 'r2']);
    expect(logger.lines.map((line) => line.message)).toContain(
      'request run lost its lease; another run drives the request',
    );
  });

  it('a renewal that fails (even at once) is not a loss: the next tick tries again', async () => {
    const { store, renewals } = leaseStore([
      () => {
        throw new Error('host killed');
      },
      async () => {
        throw new Error('network');
      },
      async () => 'renewed',
    ]);
    const { run, ticks } = lease(store);
    run.start();
    for (let tick = 0; tick < 3; tick += 1) await ticks[0]?.();
    expect(renewals).toHaveLength(3);
    expect(run.lost).toBe(false);
  });

  it('a run whose renewals all failed for longer than its lease is cut off: it stops renewing and writing', async () => {
    const failing = async (): Promise<'renewed'> => {
      throw new Error('host killed');
    };
    const { store, renewals } = leaseStore([failing, failing, failing, failing, failing]);
    const { run, ticks, clock, logger } = lease(store);
    run.until(); // the lease taken at the start: until 11_000
    run.start();
    for (let tick = 0; tick < 4; tick += 1) {
      clock.advance(2_500);
      await ticks[0]?.();
    }
    expect(run.lost).toBe(false);
    clock.advance(2_500); // 13_500: past the lease
    await ticks[0]?.();
    expect(run.lost).toBe(true);
    expect(ticks).toEqual([]);
    expect(renewals).toHaveLength(5);
    await expect(run.guard(store).writeResult('r1', result)).rejects.toBeInstanceOf(RunLeaseLost);
    expect(logger.lines.map((line) => line.message)).toContain(
      'request run cut off past its lease; reconcile drives the request',
    );
  });

  it('its own final result removing the entry is not a loss', async () => {
    let answer: (outcome: 'lost') => void = () => undefined;
    const { store } = leaseStore([() => new Promise((resolve) => (answer = resolve))]);
    const { run, ticks } = lease(store);
    run.start();
    const renewing = ticks[0]?.();
    await run.guard(store).writeResult('r1', { state: 'succeeded' } as never);
    answer('lost');
    await renewing;
    expect(run.lost).toBe(false);
  });
});
