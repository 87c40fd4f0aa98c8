import { DEFAULT_POOL_CONFIG, parsePoolConfig } from '@vmpool/core';
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { NOW } from '../../../testing/fixtures';
import { PoolConfigPanel } from './PoolConfigPanel';

afterEach(cleanup);

const config = { ...DEFAULT_POOL_CONFIG, tags: { ...DEFAULT_POOL_CONFIG.tags } };

function open(onSave = vi.fn().mockResolvedValue(undefined)) {
  render(<PoolConfigPanel config={config} now={NOW} onSave={onSave} />);
  fireEvent.click(screen.getByRole('button', { name: 'Pool configuration' }));
  return onSave;
}

function field(label: string): HTMLInputElement {
  return screen.getByLabelText(label) as HTMLInputElement;
}

describe('PoolConfigPanel', () => {
  it('is collapsed until opened and then shows every field', () => {
    render(<PoolConfigPanel config={config} now={NOW} onSave={vi.fn()} />);
    expect(screen.queryByLabelText('Warm VMs (minimum)')).toBeNull();
    fireEvent.click(screen.getByRole('button', { name: 'Pool configuration' }));
    for (const label of [
      'Warm VMs (minimum)',
      'Total VMs (maximum)',
      'Concurrent shows (maximum)',
      'Idle auto-stop (hours)',
      'Warm-up time (s)',
      'Health check interval (ms)',
      'Agent stale after (s)',
      'AWS region',
      'AMI id',
      'Instance type',
      'Security group',
      'Subnet',
      'Key pair name',
      'Instance profile',
      'Instance tags (one Key=Value per line)',
    ]) {
      expect(screen.getByLabelText(label)).toBeTruthy();
    }
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
    fireEvent.click(screen.getByRole('button', { name: 'Save configuration' }));

    expect(field('Warm VMs (minimum)').getAttribute('aria-invalid')).toBe('true');
    expect(screen.getByText(/must be <= maxTotalVMs \(5\)/)).toBeTruthy();
    expect(screen.getByText(/must look like ami-/)).toBeTruthy();
    expect(screen.getByText(/must be 0 \(never\) or in 0.25..72/)).toBeTruthy();
    expect(screen.getByText('must be a number')).toBeTruthy();
    expect(screen.getByText('4 problems to fix before saving')).toBeTruthy();
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
    expect(await screen.findByText('Configuration saved.')).toBeTruthy();
  });

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
    open();
    fireEvent.change(screen.getByLabelText('Instance tags (one Key=Value per line)'), {
      target: { value: 'Project' },
    });
    fireEvent.click(screen.getByRole('button', { name: 'Save configuration' }));
    expect(screen.getByText('line 1: write Key=Value')).toBeTruthy();
  });
});
