import { DEFAULT_POOL_CONFIG, parsePoolConfig } from '@vmpool/core';
import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { NOW } from '../../../testing/fixtures';
import { PoolConfigPanel } from './PoolConfigPanel';

const config = { ...DEFAULT_POOL_CONFIG, tags: { ...DEFAULT_POOL_CONFIG.tags } };

function open(onSave = vi.fn().mockResolvedValue(undefined)) {
  render(<PoolConfigPanel config={config} now={NOW} onSave={onSave} />);
  fireEvent.click(screen.getByRole('button', { name: 'Pool configuration' }));
  return onSave;
}

function field(label: string): HTMLInputElement {
  return screen.getByLabelText(label) as HTMLInputElement;
}

/** The error shown beside a field (the element its aria-describedby names), or null. */
function errorOf(label: string): string | null {
  const ids = field(label).getAttribute('aria-describedby')?.split(' ') ?? [];
  const errorId = ids.find((id) => id.endsWith('-error'));
  return errorId === undefined ? null : (document.getElementById(errorId)?.textContent ?? null);
}

const FIELDS = [
  'Warm VMs (minimum)',
  'Total VMs (maximum)',
  'Concurrent shows (maximum)',
  'Idle auto-stop (hours)',
  'Warm-up time (s)',
  'Agent stale after (s)',
  'Pre-warm before a scheduled show (min)',
  'Auto-release after a scheduled show (min)',
  'Warm VMs between scheduled shows',
  'Automatic recoveries per VM',
  'Counted within (min)',
  'Failover after (s)',
  'Dropped frames warning above (%)',
  'Low bitrate warning below (kbit/s)',
  'Keep VM status history (days)',
  'AWS region',
  'AMI id',
  'Instance type',
  'Security group',
  'Subnet',
  'Key pair name',
  'Instance profile',
  'Instance tags (one Key=Value per line)',
  'Hourly prices in USD (one instanceType=price per line)',
];

describe('PoolConfigPanel', () => {
  it('is collapsed until opened and then shows every field', () => {
    render(<PoolConfigPanel config={config} now={NOW} onSave={vi.fn()} />);
    expect(screen.queryByLabelText('Warm VMs (minimum)')).toBeNull();
    fireEvent.click(screen.getByRole('button', { name: 'Pool configuration' }));
    // Every field is a labelled text box, in this order, and none is flagged yet.
    const boxes = screen.getAllByRole('textbox');
    expect(
      boxes.map((box) => document.querySelector(`label[for="${box.id}"]`)?.textContent),
    ).toEqual(FIELDS);
    expect(boxes.filter((box) => box.getAttribute('aria-invalid') === 'true')).toEqual([]);
    expect(field('Warm VMs (minimum)').value).toBe('2');
    expect(
      (screen.getByLabelText('Instance tags (one Key=Value per line)') as HTMLTextAreaElement)
        .value,
    ).toBe('Project=gymnastics-graphics\nManagedBy=vm-pool-manager');
  });

  it('shows every problem beside its field and does not save', async () => {
    const onSave = open();
    fireEvent.change(field('Warm VMs (minimum)'), { target: { value: '9' } });
    fireEvent.change(field('AMI id'), { target: { value: 'not-an-ami' } });
    fireEvent.change(field('Idle auto-stop (hours)'), { target: { value: '0.1' } });
    fireEvent.change(field('Agent stale after (s)'), { target: { value: 'soon' } });
    fireEvent.change(field('Automatic recoveries per VM'), { target: { value: '21' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save configuration' }));

    const flagged = [
      'Warm VMs (minimum)',
      'AMI id',
      'Idle auto-stop (hours)',
      'Agent stale after (s)',
      'Automatic recoveries per VM',
    ];
    for (const label of FIELDS) {
      expect(field(label).getAttribute('aria-invalid')).toBe(String(flagged.includes(label)));
    }
    expect(errorOf('Warm VMs (minimum)')).toMatch(/must be <= maxTotalVMs \(5\)/);
    expect(errorOf('AMI id')).toMatch(/must look like ami-/);
    expect(errorOf('Idle auto-stop (hours)')).toMatch(/must be 0 \(never\) or in 0.25..72/);
    expect(errorOf('Agent stale after (s)')).toBe('must be a number');
    expect(errorOf('Automatic recoveries per VM')).toBe('must be <= 20');
    expect(errorOf('Total VMs (maximum)')).toBeNull();
    expect(screen.getByText('5 problems to fix before saving').className).toBe('field-error');
    await Promise.resolve();
    expect(onSave).not.toHaveBeenCalled();
  });

  it('saves a valid config with every field', async () => {
    const onSave = open();
    fireEvent.change(field('Warm VMs (minimum)'), { target: { value: '3' } });
    fireEvent.change(field('AMI id'), { target: { value: 'ami-0123456789abcdef0' } });
    fireEvent.change(screen.getByLabelText('Instance tags (one Key=Value per line)'), {
      target: { value: 'Project=gymnastics-graphics\nTeam=crew' },
    });
    fireEvent.click(screen.getByRole('button', { name: 'Save configuration' }));
    await waitFor(() => expect(onSave).toHaveBeenCalledTimes(1));
    const saved = onSave.mock.calls[0]?.[0];
    expect(parsePoolConfig(saved).ok).toBe(true);
    expect(saved).toMatchObject({
      minWarmVMs: 3,
      maxTotalVMs: 5,
      amiId: 'ami-0123456789abcdef0',
      tags: { Project: 'gymnastics-graphics', Team: 'crew' },
    });
    expect(await screen.findByRole('status')).toHaveProperty('textContent', 'Configuration saved.');
  });

  it('edits the schedule settings and the price overrides, and keeps them on save', async () => {
    const stored = {
      ...config,
      preWarmMinutes: 20,
      minWarmVMsOffSchedule: 0,
      hourlyPrices: { c5_xlarge: 0.17 },
    };
    const onSave = vi.fn().mockResolvedValue(undefined);
    render(<PoolConfigPanel config={stored} now={NOW} onSave={onSave} defaultOpen />);
    expect(field('Pre-warm before a scheduled show (min)').value).toBe('20');
    expect(field('Auto-release after a scheduled show (min)').value).toBe('60');
    expect(field('Warm VMs between scheduled shows').value).toBe('0');
    const prices = screen.getByLabelText(
      'Hourly prices in USD (one instanceType=price per line)',
    ) as HTMLTextAreaElement;
    expect(prices.value).toBe('c5.xlarge=0.17');

    fireEvent.change(field('Auto-release after a scheduled show (min)'), {
      target: { value: '0' },
    });
    fireEvent.change(field('Warm VMs between scheduled shows'), { target: { value: '' } });
    fireEvent.change(prices, { target: { value: 'c5.xlarge=0.17\ng4dn.xlarge=0.526' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save configuration' }));
    await waitFor(() => expect(onSave).toHaveBeenCalledTimes(1));
    expect(onSave.mock.calls[0]?.[0]).toMatchObject({
      preWarmMinutes: 20,
      autoReleaseAfterMinutes: 0,
      minWarmVMsOffSchedule: null,
      hourlyPrices: { c5_xlarge: 0.17, g4dn_xlarge: 0.526 },
    });
  });

  it('edits the stream alert thresholds and refuses them out of range', async () => {
    const onSave = open();
    expect(field('Dropped frames warning above (%)').value).toBe('5');
    expect(field('Low bitrate warning below (kbit/s)').value).toBe('1000');
    fireEvent.change(field('Dropped frames warning above (%)'), { target: { value: '101' } });
    fireEvent.change(field('Low bitrate warning below (kbit/s)'), { target: { value: '900.5' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save configuration' }));
    expect(errorOf('Dropped frames warning above (%)')).toBe('must be <= 100');
    expect(errorOf('Low bitrate warning below (kbit/s)')).toBe('must be an integer');
    await Promise.resolve();
    expect(onSave).not.toHaveBeenCalled();

    fireEvent.change(field('Dropped frames warning above (%)'), { target: { value: '2.5' } });
    fireEvent.change(field('Low bitrate warning below (kbit/s)'), { target: { value: '0' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save configuration' }));
    await waitFor(() => expect(onSave).toHaveBeenCalledTimes(1));
    expect(onSave.mock.calls[0]?.[0]).toMatchObject({
      streamDroppedFramesPercentMax: 2.5,
      streamMinBitrateKbps: 0,
    });
  });

  it('refuses schedule settings out of range and unreadable prices', async () => {
    const onSave = open();
    fireEvent.change(field('Pre-warm before a scheduled show (min)'), { target: { value: '0' } });
    fireEvent.change(field('Warm VMs between scheduled shows'), { target: { value: '9' } });
    fireEvent.change(
      screen.getByLabelText('Hourly prices in USD (one instanceType=price per line)'),
      { target: { value: 't3large=0.08\ng4dn.xlarge=cheap' } },
    );
    fireEvent.click(screen.getByRole('button', { name: 'Save configuration' }));
    expect(errorOf('Pre-warm before a scheduled show (min)')).toBe('must be >= 1');
    expect(errorOf('Warm VMs between scheduled shows')).toMatch(/must be <= maxTotalVMs \(5\)/);
    expect(errorOf('Hourly prices in USD (one instanceType=price per line)')).toBe(
      'line 1: "t3large" is not an instance type such as t3.large; line 2: write instanceType=USD per hour',
    );
    await Promise.resolve();
    expect(onSave).not.toHaveBeenCalled();
  });

  // --- failover (issue 12) ---
  it('edits the failover mode and delay, refusing a delay out of 10..600', async () => {
    const onSave = open();
    const mode = screen.getByLabelText('Failover mode') as HTMLSelectElement;
    expect(mode.value).toBe('auto');
    expect(field('Failover after (s)').value).toBe('30');
    fireEvent.change(mode, { target: { value: 'confirm' } });
    fireEvent.change(field('Failover after (s)'), { target: { value: '5' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save configuration' }));
    expect(errorOf('Failover after (s)')).toBe('must be >= 10');
    await Promise.resolve();
    expect(onSave).not.toHaveBeenCalled();

    fireEvent.change(field('Failover after (s)'), { target: { value: '45' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save configuration' }));
    await waitFor(() => expect(onSave).toHaveBeenCalledTimes(1));
    expect(onSave.mock.calls[0]?.[0]).toMatchObject({
      failoverMode: 'confirm',
      failoverAfterSeconds: 45,
    });
  });

  it('edits what happens to a failed VM: reboot by default, or stop', async () => {
    const onSave = open();
    const action = screen.getByLabelText('Failed VM') as HTMLSelectElement;
    expect(action.value).toBe('reboot');
    expect([...action.options].map((option) => option.value)).toEqual(['reboot', 'stop']);
    fireEvent.change(action, { target: { value: 'stop' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save configuration' }));
    await waitFor(() => expect(onSave).toHaveBeenCalledTimes(1));
    expect(onSave.mock.calls[0]?.[0]).toMatchObject({ failedVmAction: 'stop' });
  });
  // --- end failover ---

  it('reports a failed write', async () => {
    open(
      vi
        .fn()
        .mockRejectedValue(
          new Error('Permission denied: your account may not read or change this.'),
        ),
    );
    fireEvent.click(screen.getByRole('button', { name: 'Save configuration' }));
    expect(await screen.findByRole('alert')).toHaveProperty(
      'textContent',
      'Permission denied: your account may not read or change this.',
    );
  });

  it('rejects a malformed tag line', () => {
    const onSave = open();
    const tags = screen.getByLabelText('Instance tags (one Key=Value per line)');
    fireEvent.change(tags, { target: { value: 'Project' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save configuration' }));
    expect(tags.getAttribute('aria-invalid')).toBe('true');
    expect(tags.nextElementSibling?.textContent).toBe('line 1: write Key=Value');
    expect(onSave).not.toHaveBeenCalled();
  });

  // --- Status history retention (issue 13)
  it('validates and saves the status history retention', async () => {
    const onSave = open();
    expect(field('Keep VM status history (days)').value).toBe('90');
    fireEvent.change(field('Keep VM status history (days)'), { target: { value: '20' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save configuration' }));
    expect(errorOf('Keep VM status history (days)')).toBe('must be >= 35');
    await Promise.resolve();
    expect(onSave).not.toHaveBeenCalled();

    fireEvent.change(field('Keep VM status history (days)'), { target: { value: '400' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save configuration' }));
    await waitFor(() => expect(onSave).toHaveBeenCalledTimes(1));
    expect(onSave.mock.calls[0]?.[0]).toMatchObject({ statusHistoryRetentionDays: 400 });
  });
  // ---
});
