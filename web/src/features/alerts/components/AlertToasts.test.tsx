import { act, render, screen, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { makeAlert } from '../../../testing/fixtures';
import { AlertToasts, TOAST_MS } from './AlertToasts';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

/** The titles of the toasts on screen. */
function toasts(): (string | null)[] {
  const region = screen.queryByRole('region', { name: 'Notifications' });
  if (region === null) return [];
  return within(region)
    .getAllByRole('status')
    .map((toast) => toast.querySelector('strong')?.textContent ?? null);
}

const backlog = makeAlert('comp-a', { id: 'old', level: 'info', title: 'Old news' });
const fresh = makeAlert('comp-a', { id: 'new', level: 'info', title: 'VM assigned' });
const warning = makeAlert('comp-a', { id: 'warn', level: 'warning', title: 'CPU high' });

describe('AlertToasts', () => {
  it('toasts only info alerts that arrive after load, for 10 s', () => {
    const clock = () => Date.now();
    const view = render(<AlertToasts alerts={[backlog]} ready clock={clock} />);
    expect(toasts()).toEqual([]);

    view.rerender(<AlertToasts alerts={[backlog, fresh, warning]} ready clock={clock} />);
    expect(toasts()).toEqual(['VM assigned']);

    act(() => vi.advanceTimersByTime(TOAST_MS - 100));
    expect(toasts()).toEqual(['VM assigned']);
    act(() => vi.advanceTimersByTime(200));
    expect(toasts()).toEqual([]);
  });

  it('waits for the first snapshot before deciding what is backlog', () => {
    const view = render(<AlertToasts alerts={[]} ready={false} />);
    view.rerender(<AlertToasts alerts={[backlog]} ready />);
    expect(toasts()).toEqual([]);
  });
});
