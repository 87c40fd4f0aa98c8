/**
 * The only source of time for logic. Edges pass the wall clock (`{ now: () => Date.now() }`),
 * tests a clock they move by hand; core never reads time itself.
 */
export interface Clock {
  now(): number;
}

/** A clock tests can move by hand. */
export function manualClock(
  start: number,
): Clock & { advance(ms: number): void; set(ms: number): void } {
  let current = start;
  return {
    now: () => current,
    advance: (ms) => {
      current += ms;
    },
    set: (ms) => {
      current = ms;
    },
  };
}
