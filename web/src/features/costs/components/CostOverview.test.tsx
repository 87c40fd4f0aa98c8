import type { MonthlyCost } from '@vmpool/core';
import { render, screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { CostOverview } from './CostOverview';
import { InsightsView } from './InsightsView';

const month: MonthlyCost = {
  month: '2027-02',
  currency: 'USD',
  through: Date.UTC(2027, 1, 10),
  updatedAt: Date.UTC(2027, 1, 10),
  total: { usd: 10, billableSeconds: 450_000 },
  idle: { usd: 2.5, billableSeconds: 112_500 },
  competitions: {
    'meet-1': {
      usd: 5,
      billableSeconds: 225_000,
      vms: { 'vm-001': { usd: 5, billableSeconds: 225_000 } },
    },
    'meet-2': {
      usd: 2.5,
      billableSeconds: 112_500,
      vms: { 'vm-002': { usd: 2.5, billableSeconds: 112_500 } },
    },
  },
  vms: {
    'vm-001': {
      usd: 6,
      billableSeconds: 270_000,
      instanceType: 't3.large',
      idleSeconds: 45_000,
      idleUsd: 1,
    },
    'vm-002': {
      usd: 4,
      billableSeconds: 180_000,
      instanceType: 't3.large',
      idleSeconds: 67_500,
      idleUsd: 1.5,
    },
  },
  days: {
    '2027-02-01': { usd: 4, billableSeconds: 180_000, idleUsd: 1, idleSeconds: 45_000 },
    '2027-02-02': { usd: 6, billableSeconds: 270_000, idleUsd: 1.5, idleSeconds: 67_500 },
  },
  unpriced: { billableSeconds: 0, instanceTypes: [] },
};

describe('CostOverview', () => {
  it('shows the month, its idle share, and charts per day, show and VM', () => {
    render(
      <CostOverview
        month="2027-02"
        cost={month}
        competitions={month.competitions}
        names={{ 'meet-1': 'Winter Classic' }}
        projections={[{ competitionId: 'meet-3', hours: 3.5, instanceType: 't3.large', usd: 0.28 }]}
      />,
    );
    expect(screen.getByTestId('month-total').textContent).toBe('$10.00');
    expect(screen.getByTestId('idle-share').textContent).toBe('25%');
    expect(screen.getByTestId('projected-total').textContent).toBe('$0.28');
    const perDay = screen.getByRole('img', { name: /^Per day/ });
    expect(
      within(perDay)
        .getAllByTestId('bar')
        .map((bar) => bar.getAttribute('aria-label')),
    ).toEqual(['01: $4.00 total, $1.00 idle', '02: $6.00 total, $1.50 idle']);
    const perShow = screen.getByRole('img', { name: /^Per show/ });
    expect(within(perShow).getAllByTestId('bar')[0]?.getAttribute('aria-label')).toBe(
      'Winter Classic: $5.00 total',
    );
    const shows = screen.getByRole('table', { name: 'Cost per show' });
    expect(
      within(shows)
        .getAllByRole('row')
        .map((row) => row.textContent),
    ).toEqual(['ShowVM timeCostVMs', 'Winter Classic62.5 h$5.00vm-001', 'meet-231.3 h$2.50vm-002']);
    const vms = screen.getByRole('table', { name: 'Cost per VM' });
    expect(within(vms).getByText('$1.50 (18.8 h)').tagName).toBe('TD');
    const projected = screen.getByRole('table', { name: 'Projected cost of scheduled shows' });
    expect(within(projected).getAllByRole('row')[1]?.textContent).toBe('meet-33.5 h$0.28');
  });

  it('shows a producer only their shows, without the pool-wide figures', () => {
    render(
      <CostOverview
        month="2027-02"
        cost={null}
        competitions={{ 'meet-1': month.competitions['meet-1']!, 'meet-9': null }}
        names={{}}
        projections={[]}
      />,
    );
    expect(screen.getByTestId('month-total').textContent).toBe('$5.00');
    expect(screen.queryByTestId('idle-share')).toBeNull();
    expect(screen.queryByRole('table', { name: 'Cost per VM' })).toBeNull();
    expect(
      within(screen.getByRole('table', { name: 'Projected cost of scheduled shows' })).getAllByRole(
        'row',
      ),
    ).toHaveLength(2);
  });

  it('names instance types without a price', () => {
    render(
      <CostOverview
        month="2027-02"
        cost={{ ...month, unpriced: { billableSeconds: 7200, instanceTypes: ['c5.xlarge'] } }}
        competitions={{}}
        names={{}}
        projections={[]}
      />,
    );
    expect(screen.getByRole('alert').textContent).toMatch(/2\.0 h of c5\.xlarge have no price/);
  });
});

describe('InsightsView', () => {
  it('charts time to ready with p90 bars and p50 parts, and shares on a 0..100% scale', () => {
    render(
      <InsightsView
        perDay={[{ day: '2027-02-05', assignments: 3, finished: 4, failed: 1, errorRate: 0.25 }]}
        readyTimes={[
          { via: 'warm', count: 2, p50: 4, p90: 6 },
          { via: 'cold', count: 1, p50: 150, p90: 150 },
          { via: 'launch', count: 0, p50: null, p90: null },
        ]}
        utilisation={[{ day: '2027-02-05', billableHours: 4, heldHours: 3, utilisation: 0.75 }]}
      />,
    );
    const ready = screen.getByRole('img', { name: /^Time to ready/ });
    expect(
      within(ready)
        .getAllByTestId('bar')
        .map((bar) => bar.getAttribute('aria-label')),
    ).toEqual([
      'warm (2): 6 s p90, 4 s p50',
      'cold (1): 150 s p90, 150 s p50',
      'launch (0): 0 s p90, 0 s p50',
    ]);
    expect(screen.getByRole('img', { name: /^Error rate/ }).getAttribute('aria-label')).toContain(
      'highest 100%',
    );
    const errors = within(screen.getByRole('img', { name: /^Error rate/ })).getByTestId('bar');
    expect(errors.getAttribute('aria-label')).toBe('02-05: 25% failed');
    const used = within(screen.getByRole('img', { name: /^Utilisation/ })).getByTestId('bar');
    expect(used.getAttribute('aria-label')).toBe('02-05: 75% held');
    expect(screen.getByText('Assignments per day').tagName).toBe('FIGCAPTION');
  });
});
