import { describe, expect, it } from 'vitest';
import { deriveServices, type ProbeFindings } from './services';
import { unreachable } from './show-status';

const reachableShow = {
  reachable: true,
  latencyMs: 8,
  obsConnected: true,
  obsIsStreaming: false,
  obsIsRecording: false,
  obsCurrentScene: 'Main',
  connectedClients: 1,
  error: null,
};

const base: ProbeFindings = {
  now: 1000,
  mode: 'production',
  showServerPort: 3003,
  show: reachableShow,
  socket: { connected: true, detail: 'socket.io connected' },
  units: { xvfb: 'active', obs: 'active', showServer: 'active', nimble: 'active' },
  tcp: {
    obsWebsocket: { open: true, latencyMs: 1, error: null },
    nimbleStats: { open: true, latencyMs: 1, error: null },
    noMachine: { open: false, latencyMs: null, error: 'ECONNREFUSED' },
  },
  tcpPorts: { obsWebsocket: 4455, nimbleStats: 8080, noMachine: 4000 },
  processes: new Set(['Xvfb', 'obs', 'node']),
};

describe('deriveServices (production)', () => {
  it('maps every probe onto the canonical service names', () => {
    const services = deriveServices(base);
    expect(Object.keys(services).sort()).toEqual([
      'discord',
      'nimble',
      'noMachine',
      'obs',
      'obsWebsocket',
      'showServer',
      'xvfb',
    ]);
    expect(services.showServer).toEqual({
      state: 'up',
      checkedAt: 1000,
      port: 3003,
      latencyMs: 8,
      detail: 'socket.io connected',
    });
    expect(services.noMachine).toEqual({
      state: 'down',
      checkedAt: 1000,
      port: 4000,
      detail: 'nxserver: ECONNREFUSED',
    });
    expect(services.discord.state).toBe('down');
    expect(services.obs).toEqual({ state: 'up', checkedAt: 1000, detail: 'unit active' });
  });

  it('reports a down show server with the reason and keeps the other services', () => {
    const services = deriveServices({ ...base, show: unreachable('ECONNREFUSED') });
    expect(services.showServer).toEqual({
      state: 'down',
      checkedAt: 1000,
      port: 3003,
      detail: '/api/status: ECONNREFUSED',
    });
    expect(services.obsWebsocket.state).toBe('up');
  });

  it('marks nimble down when its unit failed even if something holds the port', () => {
    const services = deriveServices({ ...base, units: { ...base.units, nimble: 'failed' } });
    expect(services.nimble).toEqual({
      state: 'down',
      checkedAt: 1000,
      port: 8080,
      detail: 'unit failed',
    });
  });

  it('falls back to processes without systemd, and says unknown without /proc', () => {
    expect(deriveServices({ ...base, units: null }).xvfb).toEqual({
      state: 'up',
      checkedAt: 1000,
      detail: 'process Xvfb',
    });
    expect(deriveServices({ ...base, units: null, processes: null }).obs.state).toBe('unknown');
  });
});

describe('deriveServices (local)', () => {
  const local: ProbeFindings = { ...base, mode: 'local', tcp: {}, processes: null };

  it('takes OBS from the stand-in show server and units from vmctl', () => {
    const services = deriveServices({
      ...local,
      show: { ...reachableShow, obsConnected: false },
      units: { nimble: 'inactive', xvfb: 'active' },
    });
    expect(services.obs.state).toBe('down');
    expect(services.obsWebsocket).toMatchObject({ state: 'down', port: 4455 });
    expect(services.nimble).toMatchObject({ state: 'down', detail: 'unit inactive' });
    expect(services.xvfb.state).toBe('up');
    expect(services.discord).toEqual({
      state: 'unknown',
      checkedAt: 1000,
      detail: 'not part of a local VM',
    });
  });

  it('says OBS is unknown while the show server is unreachable', () => {
    expect(deriveServices({ ...local, show: unreachable('ECONNREFUSED') }).obs.state).toBe(
      'unknown',
    );
  });
});
