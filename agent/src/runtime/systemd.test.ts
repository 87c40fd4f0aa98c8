import { describe, expect, it } from 'vitest';
import { watchdogIntervalMs } from './systemd';

describe('watchdogIntervalMs', () => {
  it('pings at half the watchdog period', () => {
    expect(
      watchdogIntervalMs({ NOTIFY_SOCKET: '/run/systemd/notify', WATCHDOG_USEC: '30000000' }),
    ).toBe(15_000);
  });

  it('is off without a notify socket or a watchdog', () => {
    expect(watchdogIntervalMs({ WATCHDOG_USEC: '30000000' })).toBeNull();
    expect(watchdogIntervalMs({ NOTIFY_SOCKET: '/run/systemd/notify' })).toBeNull();
    expect(watchdogIntervalMs({ NOTIFY_SOCKET: '/x', WATCHDOG_USEC: 'soon' })).toBeNull();
  });
});
