import type { RequestResult } from '@vmpool/core';
import { render, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { NOW } from '../../../testing/fixtures';
import { RequestProgress } from './RequestProgress';

const running: RequestResult = {
  state: 'running',
  step: 'Wait for agent',
  progress: 0.6,
  message: 'vm-003 is starting',
  updatedAt: NOW,
};

function fill(): HTMLElement {
  const span = screen.getByRole('progressbar').firstElementChild;
  if (!(span instanceof HTMLElement)) throw new Error('no progress fill');
  return span;
}

/** The outcome beside the title: the percentage while running, then Done or Failed. */
function outcome(): HTMLElement {
  const span = document.querySelector('.progress-head > span');
  if (!(span instanceof HTMLElement)) throw new Error('no progress outcome');
  return span;
}

describe('RequestProgress', () => {
  it('shows the running percentage with an animated fill', () => {
    render(<RequestProgress title="Assign VM" result={running} now={NOW} />);
    const bar = screen.getByRole('progressbar', { name: 'Assign VM progress' });
    expect(bar.getAttribute('aria-valuenow')).toBe('60');
    expect(fill().style.width).toBe('60%');
    expect(fill().style.transition).toBe('');
    expect(outcome().textContent).toBe('60%');
    expect(bar.getAttribute('aria-valuetext')).toBe('60% Wait for agent');
  });

  it('jumps to a full bar without a transition once succeeded, whatever progress says', () => {
    const view = render(<RequestProgress title="Assign VM" result={running} now={NOW} />);
    const before = fill();
    view.rerender(
      <RequestProgress
        title="Assign VM"
        result={{ ...running, state: 'succeeded', message: 'vm-003 is ready' }}
        now={NOW}
      />,
    );
    const bar = screen.getByRole('progressbar', { name: 'Assign VM progress' });
    expect(bar.getAttribute('aria-valuenow')).toBe('100');
    expect(fill().style.width).toBe('100%');
    expect(fill().style.transition).toBe('none');
    // A new element: nothing animates from the running width.
    expect(fill()).not.toBe(before);
    expect(outcome().textContent).toBe('Done');
    expect(bar.getAttribute('aria-valuetext')).toBe('done');
  });

  it('shows the failure state with the error and where it stopped', () => {
    const view = render(<RequestProgress title="Start vm-003" result={running} now={NOW} />);
    view.rerender(
      <RequestProgress
        title="Start vm-003"
        result={{
          ...running,
          state: 'failed',
          error: { code: 'EC2_ERROR', message: 'InsufficientInstanceCapacity' },
        }}
        now={NOW}
      />,
    );
    const bar = screen.getByRole('progressbar', { name: 'Start vm-003 progress' });
    expect(bar.closest('.progress')?.getAttribute('data-state')).toBe('failed');
    expect(bar.getAttribute('aria-valuetext')).toBe('failed at 60% (Wait for agent)');
    expect(fill().style.transition).toBe('none');
    expect(outcome().textContent).toBe('Failed');
    expect(outcome().className).toBe('field-error');
    expect(bar.nextElementSibling?.textContent).toBe('InsufficientInstanceCapacity (EC2_ERROR)');
  });
});
