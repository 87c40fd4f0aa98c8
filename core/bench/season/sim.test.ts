// A short seeded season through the simulator: what must hold whatever the dollars are.
import { describe, expect, it } from 'vitest';
import { parseStatusHistoryEntry } from '../../src/contract/status-history';
import { canTransition, type VmEvent } from '../../src/domain/vm-status';
import { Rng } from './rng';
import { generateSeason } from './season';
import {
  DEFAULT_KNOBS,
  floorUsd,
  policyConfig,
  runPolicy,
  seasonSummaryLine,
  type PolicyFigures,
} from './setup';
import type { PolicyName } from './sim';

const DAY = 86_400_000;
const season = generateSeason(new Rng(42), {
  firstDay: '2027-02-05',
  lastDay: '2027-02-15',
  maxBooked: 4,
});
const figures = new Map<PolicyName, PolicyFigures>(
  (['manual', 'static', 'vmpool'] as const).map((policy, index) => [
    policy,
    runPolicy(policy, season, DEFAULT_KNOBS, new Rng(100 + index)),
  ]),
);
const get = (policy: PolicyName) => figures.get(policy) as PolicyFigures;

describe('the season generator', () => {
  it('makes Friday-to-Monday evening meets of 2-3 hours, several on busy nights, seeded', () => {
    expect(season.shows.length).toBeGreaterThan(5);
    for (const show of season.shows) {
      // Eastern evenings: 14:00-20:00 local starts are 18:00-01:00 UTC (19:00-02:00 in winter).
      const weekday = new Date(show.startsAt - 5 * 3_600_000).getUTCDay();
      expect([5, 6, 0, 1]).toContain(weekday);
      const hours = (show.endsAt - show.startsAt) / 3_600_000;
      expect(hours).toBeGreaterThanOrEqual(2);
      expect(hours).toBeLessThanOrEqual(3);
    }
    expect(season.maxAtOnce).toBeGreaterThan(1);
    expect(season.maxAtOnce).toBeLessThanOrEqual(4);
    const again = generateSeason(new Rng(42), {
      firstDay: '2027-02-05',
      lastDay: '2027-02-15',
      maxBooked: 4,
    });
    expect(again).toEqual(season);
  });
});

describe('the season simulator', () => {
  it('serves every show under every policy, within the pool’s maximums', () => {
    for (const [policy, entry] of figures) {
      const config = policyConfig(policy, DEFAULT_KNOBS);
      expect(
        entry.result.shows.every((show) => show.readyAt !== null),
        policy,
      ).toBe(true);
      expect(entry.maxHeld, policy).toBeLessThanOrEqual(config.maxConcurrent);
      expect(entry.maxVms, policy).toBeLessThanOrEqual(config.maxTotalVMs);
    }
  });

  it('keeps status histories that are contract entries along the state machine’s edges', () => {
    for (const [policy, entry] of figures) {
      for (const history of entry.result.histories) {
        history.entries.forEach((item, index) => {
          expect(parseStatusHistoryEntry(item).ok, policy).toBe(true);
          const previous = history.entries[index - 1];
          if (previous !== undefined) {
            expect(item.at).toBeGreaterThanOrEqual(previous.at);
            expect(
              canTransition(previous.status, item.cause as VmEvent),
              `${previous.status} ${item.cause}`,
            ).toBe(true);
          }
        });
      }
    }
  });

  it('has the schedule serve shows before producers arrive; manual makes every producer wait a boot', () => {
    const vmpool = get('vmpool');
    expect(vmpool.maxWaitSeconds).toBe(0);
    expect(vmpool.scheduleRequests.assign).toBe(season.shows.length);
    expect(vmpool.scheduleRequests.release).toBe(season.shows.length);
    const manual = get('manual');
    expect(manual.showsThatWaited).toBe(season.shows.length);
    expect(Math.min(...manual.result.shows.map((show) => show.waitMs))).toBeGreaterThan(60_000);
  });

  it('bills what the policies run: static pays idle VMs around the clock, the schedule almost none', () => {
    const span = (season.to - season.from) / DAY;
    const prd = get('static');
    expect(prd.idleHours).toBeGreaterThan(2 * 24 * span * 0.8);
    expect(get('vmpool').idleHours).toBeLessThan(season.shows.length * 0.25);
    expect(get('vmpool').usd).toBeLessThan(prd.usd);
    // Every show holds a VM at least from its start to its scheduled end under the schedule.
    const floor = floorUsd(season.shows, policyConfig('vmpool', DEFAULT_KNOBS));
    expect(get('vmpool').usd).toBeGreaterThan(floor);
  });

  it('ends the bench with the line the issue asks for', () => {
    expect(
      seasonSummaryLine({
        vmpoolUsd: 145.6449,
        floorUsd: 131.44,
        staticUsd: 2943.5,
        maxWaitSeconds: 0,
      }),
    ).toBe(
      'season: vmpool $145.64 (floor $131.44, PRD static $2943.50), scheduled shows waited max 0 s',
    );
    expect(
      seasonSummaryLine({ vmpoolUsd: 1, floorUsd: 1, staticUsd: 1, maxWaitSeconds: 0.2 }),
    ).toMatch(/waited max 1 s$/);
  });
});
