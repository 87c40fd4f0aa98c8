import { act, cleanup, render, screen } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { makeAlert } from '../../../testing/fixtures';
import { AlertToasts, TOAST_MS } from './AlertToasts';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  cleanup();
  vi.useRealTimers();
});

const backlog = makeAlert('comp-a', { id: 'old', level: 'info', title: 'Old news' });
const fresh = makeAlert('comp-a', { id: 'new', level: 'info', title: 'VM assigned' });
const warning = makeAlert('comp-a', { id: 'warn', level: 'warning', title: 'CPU high' });

describe('AlertToasts', () => {
  it('toasts only info alerts that arrive after load, for 10 s', () => {
    const clock = () => Date.now();
    const view = render(<AlertToasts alerts={[backlog]} ready clock={clock} />);
    expect(screen.queryByText('Old news')).toBeNull();

    view.rerender(<AlertToasts alerts={[backlog, fresh, warning]} ready clock={clock} />);
    expect(screen.getByText('VM assigned')).toBeTruthy();
    expect(screen.queryByText('CPU high')).toBeNull();

    act(() => vi.advanceTimersByTime(TOAST_MS - 100));
    expect(screen.getByText('VM assigned')).toBeTruthy();
    act(() => vi.advanceTimersByTime(200));
    expect(screen.queryByText('VM assigned')).toBeNull();
  });

  it('waits for the first snapshot before deciding what is backlog', () => {
    const view = render(<AlertToasts alerts={[]} ready={false} />);
    view.rerender(<AlertToasts alerts={[backlog]} ready />);
    expect(screen.queryByText('Old news')).toBeNull();
  });
});
