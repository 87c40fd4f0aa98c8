import { describe, expect, it } from 'vitest';
import { Throttle, type TimerPort } from './throttle';

function manualTimers(): TimerPort & { advance(ms: number): void } {
  let now = 0;
  let queue: Array<{ at: number; fn: () => void; id: number }> = [];
  let nextId = 1;
  return {
    now: () => now,
    setTimeout(fn, ms) {
      const id = nextId++;
      queue.push({ at: now + ms, fn, id });
      return id;
    },
    clearTimeout(handle) {
      queue = queue.filter((entry) => entry.id !== handle);
    },
    advance(ms) {
      now += ms;
      const due = queue.filter((entry) => entry.at <= now);
      queue = queue.filter((entry) => entry.at > now);
      for (const entry of due) entry.fn();
    },
  };
}

describe('Throttle', () => {
  it('runs the first request at once and folds a burst into one trailing run', () => {
    const timers = manualTimers();
    let runs = 0;
    const throttle = new Throttle(1000, () => runs++, timers);
    throttle.request();
    expect(runs).toBe(1);
    for (let i = 0; i < 50; i++) throttle.request();
    expect(runs).toBe(1);
    timers.advance(999);
    expect(runs).toBe(1);
    timers.advance(1);
    expect(runs).toBe(2);
  });

  it('runs at once again after a quiet interval', () => {
    const timers = manualTimers();
    let runs = 0;
    const throttle = new Throttle(1000, () => runs++, timers);
    throttle.request();
    timers.advance(5000);
    throttle.request();
    expect(runs).toBe(2);
  });

  it('cancel drops the trailing run', () => {
    const timers = manualTimers();
    let runs = 0;
    const throttle = new Throttle(1000, () => runs++, timers);
    throttle.request();
    throttle.request();
    throttle.cancel();
    timers.advance(2000);
    expect(runs).toBe(1);
  });
});
