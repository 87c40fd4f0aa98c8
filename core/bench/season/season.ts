// A seeded NCAA women's gymnastics season: January to April, meets on Friday, Saturday, Sunday
// and Monday evenings (US Eastern time), 2-3 hours each, several at once on busy nights.
import type { Rng } from './rng';

const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;

const TEAMS = [
  'Oklahoma',
  'Utah',
  'LSU',
  'Florida',
  'UCLA',
  'California',
  'Michigan',
  'Alabama',
  'Auburn',
  'Kentucky',
  'Arkansas',
  'Georgia',
  'Missouri',
  'Denver',
  'Oregon State',
  'Minnesota',
  'Michigan State',
  'Ohio State',
  'Iowa',
  'Nebraska',
  'Arizona State',
  'Stanford',
  'BYU',
  'Boise State',
  'Southern Utah',
  'Utah State',
  'Penn State',
  'Maryland',
  'Illinois',
  'NC State',
];

/** A scheduled show, and when it really ends (the sim's truth; the schedule only knows endsAt). */
export interface SeasonShow {
  competitionId: string;
  name: string;
  startsAt: number;
  endsAt: number;
  actualEnd: number;
}

export interface Season {
  from: number;
  to: number;
  shows: SeasonShow[];
  nights: number;
  /** The most shows on air at the same moment. */
  maxAtOnce: number;
}

export interface SeasonSpec {
  /** First and last day of the season, `yyyy-mm-dd` (inclusive). */
  firstDay: string;
  lastDay: string;
  /** A crew books at most this many meets overlapping (an hour of setup and teardown included). */
  maxBooked: number;
}

/** Meets per night (one value is drawn per night): Fridays are the busiest. */
const MEETS_PER_NIGHT: Record<number, readonly number[]> = {
  5: [1, 2, 2, 3, 3, 4, 4],
  6: [0, 1, 1, 2, 2, 3],
  0: [0, 1, 1, 2],
  1: [0, 0, 1, 1, 2],
};
/** Local start times (hours, Eastern): evening meets; Sunday ones start earlier. */
const START_HOURS: Record<number, readonly number[]> = {
  5: [18, 18.5, 19, 19.5, 20],
  6: [16, 17, 18, 18.5, 19, 19.5, 20],
  0: [14, 15, 16, 17, 18],
  1: [18, 18.5, 19, 19.5],
};

/** US Eastern offset from UTC at a UTC time: -4 h from the second Sunday of March, else -5 h. */
function easternOffsetHours(utc: number): number {
  const year = new Date(utc).getUTCFullYear();
  const march1 = new Date(Date.UTC(year, 2, 1)).getUTCDay();
  const secondSunday = 1 + ((7 - march1) % 7) + 7;
  const dstStart = Date.UTC(year, 2, secondSunday, 7);
  const november1 = new Date(Date.UTC(year, 10, 1)).getUTCDay();
  const dstEnd = Date.UTC(year, 10, 1 + ((7 - november1) % 7), 6);
  return utc >= dstStart && utc < dstEnd ? -4 : -5;
}

function overlapping(shows: readonly SeasonShow[], from: number, to: number): number {
  return shows.filter((show) => show.startsAt - HOUR < to && show.endsAt + HOUR > from).length;
}

export function generateSeason(rng: Rng, spec: SeasonSpec): Season {
  const first = Date.parse(`${spec.firstDay}T00:00:00Z`);
  const last = Date.parse(`${spec.lastDay}T00:00:00Z`);
  const shows: SeasonShow[] = [];
  let nights = 0;
  for (let day = first; day <= last; day += DAY) {
    const weekday = new Date(day).getUTCDay();
    const counts = MEETS_PER_NIGHT[weekday];
    const hours = START_HOURS[weekday];
    if (counts === undefined || hours === undefined) continue;
    const meets = rng.pick(counts);
    let placed = 0;
    for (let meet = 0; meet < meets; meet += 1) {
      for (let attempt = 0; attempt < 6; attempt += 1) {
        const localStart = rng.pick(hours);
        const startsAt = day + localStart * HOUR - easternOffsetHours(day + 12 * HOUR) * HOUR;
        const endsAt = startsAt + rng.pick([120, 135, 150, 165, 180]) * MINUTE;
        if (overlapping(shows, startsAt - HOUR, endsAt + HOUR) >= spec.maxBooked) continue;
        const home = rng.pick(TEAMS);
        let away = rng.pick(TEAMS);
        while (away === home) away = rng.pick(TEAMS);
        // Most meets end within a quarter of an hour of the schedule; some run long.
        const overrun = Math.round(Math.max(-20, Math.min(45, rng.normal() * 12))) * MINUTE;
        const date = new Date(day).toISOString().slice(0, 10);
        shows.push({
          competitionId: `ncaaw-${date}-${String.fromCharCode(97 + shows.filter((s) => s.competitionId.includes(date)).length)}`,
          name: `${away} at ${home}`,
          startsAt,
          endsAt,
          actualEnd: endsAt + overrun,
        });
        placed += 1;
        break;
      }
    }
    if (placed > 0) nights += 1;
  }
  shows.sort((a, b) => a.startsAt - b.startsAt || a.competitionId.localeCompare(b.competitionId));
  let maxAtOnce = 0;
  for (const show of shows) {
    const live = shows.filter(
      (other) => other.startsAt <= show.startsAt && other.actualEnd > show.startsAt,
    );
    maxAtOnce = Math.max(maxAtOnce, live.length);
  }
  return { from: first, to: last + 2 * DAY, shows, nights, maxAtOnce };
}
