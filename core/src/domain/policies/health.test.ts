import { describe, expect, it } from 'vitest';
import { agent, config, NOW } from '../../../tests/fixtures';
import { healthFailure, healthVerdict, isAgentStale } from './health';

const cfg = config();

describe('healthVerdict', () => {
  it('is unknown without any report', () => {
    expect(healthVerdict(null, cfg, NOW)).toEqual({
      status: 'unknown',
      agentStale: true,
      reasons: ['the agent has never reported'],
    });
  });

  it('is unhealthy and stale when offline or silent too long', () => {
    expect(healthVerdict(agent({ online: false }), cfg, NOW)).toEqual({
      status: 'unhealthy',
      agentStale: true,
      reasons: ['the agent is offline'],
    });
    expect(healthVerdict(agent({ lastSeen: NOW - 61_000 }), cfg, NOW)).toEqual({
      status: 'unhealthy',
      agentStale: true,
      reasons: ['no heartbeat for 61s (limit 60s)'],
    });
    expect(isAgentStale(agent({ lastSeen: NOW - 60_000 }), cfg, NOW)).toBe(false);
  });

  it('is healthy when every service is up', () => {
    expect(healthVerdict(agent(), cfg, NOW)).toEqual({
      status: 'healthy',
      agentStale: false,
      reasons: [],
    });
  });

  it('is unhealthy when the show server is down and degraded for supporting services', () => {
    const base = agent();
    expect(
      healthVerdict(
        agent({
          services: {
            ...base.services,
            showServer: { state: 'down', checkedAt: NOW, detail: 'ECONNREFUSED' },
            nimble: { state: 'down', checkedAt: NOW },
          },
          show: null,
        }),
        cfg,
        NOW,
      ),
    ).toEqual({
      status: 'unhealthy',
      agentStale: false,
      reasons: ['showServer is down: ECONNREFUSED', 'nimble is down'],
    });
    expect(
      healthVerdict(
        agent({ services: { ...base.services, noMachine: { state: 'down', checkedAt: NOW } } }),
        cfg,
        NOW,
      ),
    ).toEqual({ status: 'degraded', agentStale: false, reasons: ['noMachine is down'] });
  });

  it('reads the show status: unreachable is unhealthy, OBS not connected is degraded', () => {
    const base = agent();
    const show = base.show ?? undefined;
    if (show === undefined) throw new Error('fixture has a show status');
    expect(healthVerdict(agent({ show: { ...show, reachable: false } }), cfg, NOW)).toEqual({
      status: 'unhealthy',
      agentStale: false,
      reasons: ['the show server does not answer /api/status'],
    });
    expect(healthVerdict(agent({ show: { ...show, obsConnected: false } }), cfg, NOW)).toEqual({
      status: 'degraded',
      agentStale: false,
      reasons: ['the show server is not connected to OBS'],
    });
    // The service line already says it; the show status does not repeat it.
    expect(
      healthVerdict(
        agent({
          show: { ...show, obsConnected: false },
          services: { ...base.services, obsWebsocket: { state: 'down', checkedAt: NOW } },
        }),
        cfg,
        NOW,
      ).reasons,
    ).toEqual(['obsWebsocket is down']);
  });

  it('is unknown while a fresh agent has not probed anything', () => {
    expect(healthVerdict(agent({ services: {}, show: null }), cfg, NOW)).toEqual({
      status: 'unknown',
      agentStale: false,
      reasons: ['no service checks reported yet'],
    });
    expect(
      healthVerdict(
        agent({ services: { nimble: { state: 'unknown', checkedAt: NOW } }, show: null }),
        cfg,
        NOW,
      ).status,
    ).toBe('unknown');
  });
});

describe('healthFailure (health_failed, issue 11)', () => {
  const down = agent({
    services: { showServer: { state: 'down', checkedAt: NOW, port: 3003, detail: 'refused' } },
  });
  const grace = cfg.agentStaleSeconds * 1000;

  it('starts the clock when a fresh agent reports an essential service down', () => {
    expect(
      healthFailure({ status: 'available', agent: down, unhealthySince: null }, cfg, NOW),
    ).toEqual({
      unhealthySince: NOW,
      fail: false,
      reasons: ['showServer is down: refused'],
    });
  });

  it('fails a free VM that stayed unhealthy past the grace, never one holding a show', () => {
    const since = NOW - grace - 1;
    expect(
      healthFailure({ status: 'available', agent: down, unhealthySince: since }, cfg, NOW),
    ).toMatchObject({
      unhealthySince: since,
      fail: true,
    });
    expect(
      healthFailure({ status: 'available', agent: down, unhealthySince: NOW - grace }, cfg, NOW)
        .fail,
    ).toBe(false);
    for (const status of ['assigned', 'in_use', 'releasing', 'starting', 'error'] as const) {
      expect(healthFailure({ status, agent: down, unhealthySince: since }, cfg, NOW).fail).toBe(
        false,
      );
    }
  });

  it('clears the clock when healthy or degraded again, and leaves a silent agent to agent_stale', () => {
    const since = NOW - grace - 1;
    for (const report of [
      agent(),
      agent({ services: { obs: { state: 'down', checkedAt: NOW } } }),
    ]) {
      expect(
        healthFailure({ status: 'available', agent: report, unhealthySince: since }, cfg, NOW),
      ).toEqual({
        unhealthySince: null,
        fail: false,
        reasons: [],
      });
    }
    const silent = { ...down, lastSeen: NOW - grace - 1 };
    expect(
      healthFailure({ status: 'available', agent: silent, unhealthySince: since }, cfg, NOW),
    ).toMatchObject({
      unhealthySince: null,
      fail: false,
    });
  });
});
