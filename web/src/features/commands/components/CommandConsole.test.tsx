/** The command console against the real SDK, local RTDB and rules; admin SDK plays the agent. */
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ADMIN, startRtdbFixture, type RtdbFixture } from '../../../testing/rtdbFixture';
import { CommandConsole } from './CommandConsole';

let fixture: RtdbFixture;

beforeAll(async () => {
  fixture = await startRtdbFixture();
}, 30_000);
afterAll(async () => {
  await fixture.stop();
});
afterEach(cleanup);
beforeEach(async () => {
  const vm = (vmId: string) => ({
    vmId,
    instanceId: `local-${vmId}`,
    status: 'available',
    statusChangedAt: 1,
    createdAt: 1,
  });
  await fixture.controlPlane.ref().set({
    vmPool: { vms: { 'vm-001': vm('vm-001'), 'vm-002': vm('vm-002'), 'vm-003': vm('vm-003') } },
  });
});

async function onlyCommand(vmId: string): Promise<[string, Record<string, unknown>]> {
  let entries: [string, Record<string, unknown>][] = [];
  await waitFor(async () => {
    const rows = (await fixture.controlPlane.ref(`vmPool/commands/${vmId}`).get()).val() ?? {};
    entries = Object.entries(rows);
    expect(entries).toHaveLength(1);
  });
  return entries[0] as [string, Record<string, unknown>];
}

describe('CommandConsole', () => {
  it('queues an op with typed arguments and shows the agent output live', async () => {
    const Wrapper = fixture.wrapperFor(ADMIN);
    render(
      <Wrapper>
        <CommandConsole vmId="vm-001" />
      </Wrapper>,
    );
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
    const Wrapper = fixture.wrapperFor(ADMIN);
    render(
      <Wrapper>
        <CommandConsole vmId="vm-002" />
      </Wrapper>,
    );
    fireEvent.change(screen.getByLabelText('Command'), { target: { value: 'view_logs' } });
    fireEvent.change(screen.getByLabelText('Lines'), { target: { value: '5000' } });
    fireEvent.click(screen.getByRole('button', { name: 'Run' }));
    expect(await screen.findByText('args.lines: must be <= 500')).toBeTruthy();
    expect((await fixture.controlPlane.ref('vmPool/commands/vm-002').get()).exists()).toBe(false);
  });

  it('runs quick actions in one click', async () => {
    const Wrapper = fixture.wrapperFor(ADMIN);
    render(
      <Wrapper>
        <CommandConsole
          vmId="vm-003"
          quickActions={[{ op: 'restart_obs', label: 'Restart OBS' }]}
        />
      </Wrapper>,
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
    const Wrapper = fixture.wrapperFor(ADMIN);
    render(
      <Wrapper>
        <CommandConsole vmId="vm-gone" />
      </Wrapper>,
    );
    fireEvent.click(screen.getByRole('button', { name: 'Run' }));
    expect(await screen.findByText(/Permission denied: your account may not/)).toBeTruthy();
  });
});
