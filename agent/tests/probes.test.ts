// Probes react to the show server going down and coming back, and to OBS changing state.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startShowServer } from '@vmpool/local/show-server';
import {
  killAgent,
  startRegisteredAgent,
  startStack,
  waitForValue,
  type AgentProcess,
  type TestStack,
} from './support/stack';

let stack: TestStack;
let agent: AgentProcess;
beforeAll(async () => {
  stack = await startStack();
  agent = await startRegisteredAgent(stack, 'vm-201');
});
afterAll(async () => {
  await killAgent(agent);
  await stack.stop();
});

interface Show {
  reachable: boolean;
  obsConnected?: boolean;
  obsIsStreaming?: boolean;
  obsIsRecording?: boolean;
  obsCurrentScene?: string;
  connectedClients?: number;
}
interface Service {
  state: string;
  detail?: string;
}

const SHOW = 'vmPool/vms/vm-201/agent/show';
const SHOW_SERVER = 'vmPool/vms/vm-201/agent/services/showServer';

describe('agent probes', () => {
  it('reports OBS streaming, recording and scene changes from /api/status', async () => {
    await waitForValue<Show>(
      stack.admin,
      SHOW,
      (show) => show?.reachable === true && show.obsConnected === true,
      30_000,
      agent,
    );
    stack.show.setObs({ streaming: true, recording: true, scene: 'Floor' });
    const live = await waitForValue<Show>(
      stack.admin,
      SHOW,
      (show) => show?.obsIsStreaming === true,
      30_000,
      agent,
    );
    expect(live).toMatchObject({
      obsIsRecording: true,
      obsCurrentScene: 'Floor',
      obsConnected: true,
    });
    // The agent's own socket.io connection is one of the show server's clients.
    expect(live.connectedClients).toBeGreaterThanOrEqual(1);

    stack.show.setObs({ connected: false });
    const lost = await waitForValue<Show>(
      stack.admin,
      SHOW,
      (show) => show?.obsConnected === false,
      30_000,
      agent,
    );
    expect(lost).toMatchObject({ reachable: true, obsIsStreaming: false });
    const obs = await waitForValue<Service>(
      stack.admin,
      'vmPool/vms/vm-201/agent/services/obs',
      (service) => service?.state === 'down',
      30_000,
      agent,
    );
    expect(obs.detail).toBe('show server reports obsConnected=false');
    stack.show.setObs({ connected: true, streaming: false, recording: false });
  });

  it('reports the show server down (degraded, still running) and up again', async () => {
    const port = stack.show.port;
    await stack.show.stop();
    const down = await waitForValue<Service>(
      stack.admin,
      SHOW_SERVER,
      (service) => service?.state === 'down',
      30_000,
      agent,
    );
    expect(down.detail).toMatch(/^\/api\/status: /);
    await waitForValue<Show>(stack.admin, SHOW, (show) => show?.reachable === false, 30_000, agent);
    expect(agent.child.exitCode).toBeNull();

    stack.show = await startShowServer({ port, obsRestartMs: 500 });
    const up = await waitForValue<Service>(
      stack.admin,
      SHOW_SERVER,
      (service) => service?.state === 'up' && service.detail === 'socket.io connected',
      60_000,
      agent,
    );
    expect(up.state).toBe('up');
    await waitForValue<Show>(stack.admin, SHOW, (show) => show?.reachable === true, 30_000, agent);
    expect(agent.output()).toContain('show server unreachable; reporting degraded and probing on');
  });
});
