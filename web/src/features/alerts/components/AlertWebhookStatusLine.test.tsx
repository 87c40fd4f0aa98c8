import { render, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { AlertWebhookStatusLine } from './AlertWebhookStatusLine';

const NOW = 1_800_000_600_000;
const failure = {
  at: NOW - 60_000,
  message: 'discord.com answered HTTP 404: Unknown Webhook',
  scope: 'comp-a',
  alertId: 'alert-1',
  event: 'raised' as const,
  attempts: 3,
  gaveUp: false,
};

describe('AlertWebhookStatusLine', () => {
  it('raises a failing webhook as an alert with its error', () => {
    render(
      <AlertWebhookStatusLine
        status={{ lastAttemptAt: failure.at, lastDeliveredAt: NOW - 3_600_000, lastError: failure }}
        error={null}
        now={NOW}
      />,
    );
    const line = screen.getByRole('alert', { name: 'Alert webhook' });
    expect(line.textContent).toContain('Failing');
    expect(line.textContent).toContain('HTTP 404: Unknown Webhook');
    expect(line.textContent).toContain('3 attempts, will retry');
  });

  it('shows an error older than the last delivery as history, not as an alert', () => {
    render(
      <AlertWebhookStatusLine
        status={{
          lastAttemptAt: NOW,
          lastDeliveredAt: NOW - 1000,
          lastError: { ...failure, gaveUp: true },
        }}
        error={null}
        now={NOW}
      />,
    );
    expect(screen.queryByRole('alert')).toBeNull();
    const line = screen.getByRole('status', { name: 'Alert webhook' });
    expect(line.textContent).toContain('Last error');
    expect(line.textContent).toContain('given up');
  });

  it('shows nothing before the webhook was ever used', () => {
    const { container } = render(<AlertWebhookStatusLine status={null} error={null} now={NOW} />);
    expect(container.textContent).toBe('');
  });
});
