/** The command console against the real SDK, local RTDB and rules; admin SDK plays the agent. */
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { ADMIN, useRtdbFixture, type Rows } from '../../../testing/rtdbFixture';
import { CommandConsole } from './CommandConsole';

function vmRow(vmId: string) {
  return {
    vmId,
    instanceId: `local-${vmId}`,
    status: 'available',
    statusChangedAt: 1,
    createdAt: 1,
  };
}

const fixture = useRtdbFixture(() => ({
  vmPool: {
    vms: { 'vm-001': vmRow('vm-001'), 'vm-002': vmRow('vm-002'), 'vm-003': vmRow('vm-003') },
  },
}));

async function onlyCommand(vmId: string): Promise<Rows[number]> {
  let rows: Rows = [];
  await waitFor(async () => {
    rows = await fixture.rows(`vmPool/commands/${vmId}`);
    expect(rows).toHaveLength(1);
  });
  return rows[0] as Rows[number];
}

describe('CommandConsole', () => {
  it('queues an op with typed arguments and shows the agent output live', async () => {
    fixture.renderAs(ADMIN, <CommandConsole vmId="vm-001" />);
    fireEvent.change(screen.getByLabelText('Command'), { target: { value: 'view_logs' } });
    fireEvent.change(screen.getByLabelText('Unit'), { target: { value: 'obs' } });
    fireEvent.change(screen.getByLabelText('Lines'), { target: { value: '20' } });
    fireEvent.click(screen.getByRole('button', { name: 'Run' }));

    const [commandId, row] = await onlyCommand('vm-001');
    expect(row).toMatchObject({
      op: 'view_logs',
      args: { unit: 'obs', lines: 20 },
      requestedBy: ADMIN.uid,
    });
    const log = screen.getByRole('log', { name: 'Command output for vm-001' });
    await waitFor(() => expect(log.textContent).toContain('queued, waiting for the agent'));

    const agent = fixture.controlPlane.ref(`vmPool/commands/vm-001/${commandId}`);
    await agent.update({
      claim: { bootId: 'boot-1', at: Date.now() },
      status: 'running',
      startedAt: Date.now(),
      output: { stdout: 'obs[12]: connected\n', stderr: '', truncated: false },
    });
    await waitFor(() => expect(log.textContent).toContain('obs[12]: connected'));
    await agent.update({
      status: 'succeeded',
      finishedAt: Date.now(),
      durationMs: 1200,
      exitCode: 0,
      output: {
        stdout: 'obs[12]: connected\nobs[12]: scene changed\n',
        stderr: '',
        truncated: false,
      },
    });
    await waitFor(() => expect(log.textContent).toContain('succeeded, exit code 0'));
    expect(log.textContent).toContain('scene changed');
    const history = await screen.findByRole('button', { name: /view_logs · succeeded/ });
    expect(history.getAttribute('aria-pressed')).toBe('true');
  });

  it('refuses bad arguments without writing', async () => {
    fixture.renderAs(ADMIN, <CommandConsole vmId="vm-002" />);
    fireEvent.change(screen.getByLabelText('Command'), { target: { value: 'view_logs' } });
    fireEvent.change(screen.getByLabelText('Lines'), { target: { value: '5000' } });
    fireEvent.click(screen.getByRole('button', { name: 'Run' }));
    expect(await screen.findByRole('alert')).toHaveProperty(
      'textContent',
      'args.lines: must be <= 500',
    );
    expect((screen.getByLabelText('Lines') as HTMLInputElement).value).toBe('5000');
    expect((await fixture.controlPlane.ref('vmPool/commands/vm-002').get()).exists()).toBe(false);
  });

  it('runs quick actions in one click', async () => {
    fixture.renderAs(
      ADMIN,
      <CommandConsole vmId="vm-003" quickActions={[{ op: 'restart_obs', label: 'Restart OBS' }]} />,
    );
    fireEvent.click(
      within(screen.getByRole('group', { name: 'Quick actions' })).getByRole('button', {
        name: 'Restart OBS',
      }),
    );
    const [, row] = await onlyCommand('vm-003');
    expect(row).toMatchObject({ op: 'restart_obs', requestedBy: ADMIN.uid });
    expect(row.args).toBeUndefined();
  });

  it('explains a refused write', async () => {
    fixture.renderAs(ADMIN, <CommandConsole vmId="vm-gone" />);
    fireEvent.click(screen.getByRole('button', { name: 'Run' }));
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toBe('Permission denied: your account may not read or change this.');
    expect(screen.getByRole('log', { name: 'Command output for vm-gone' }).textContent).toBe(
      'No command run yet.',
    );
  });
});
