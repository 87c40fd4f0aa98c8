import { describe, expect, it } from 'vitest';
import { agent, config, NOW, vm } from '../../../tests/fixtures';
import type { AgentReport } from '../../contract/agent-report';
import {
  alertFromDraft,
  alertScopeFor,
  deriveAlerts,
  identityChallengedAlert,
  idleStoppedAlert,
  type AlertDraft,
  type ScopedAlert,
} from './alerts';

const cfg = config({ minWarmVMs: 0 });

function open(draft: AlertDraft, id: string, autoResolve = draft.autoResolve): ScopedAlert {
  return { ...alertFromDraft({ ...draft, autoResolve }, id), scope: draft.scope };
}

function down(report: AgentReport, patch: Partial<AgentReport['services']>): AgentReport {
  return { ...report, services: { ...report.services, ...patch } };
}

describe('deriveAlerts', () => {
  it('raises nothing for a healthy pool', () => {
    const vms = [
      vm({ vmId: 'vm-001', agent: agent() }),
      vm({ vmId: 'vm-002', status: 'stopped', ec2State: 'stopped' }),
    ];
    expect(deriveAlerts({ vms, activeAlerts: [], config: cfg, now: NOW })).toEqual({
      create: [],
      resolve: [],
    });
  });

  it('raises a critical vm alert in the competition scope when an assigned VM goes silent', () => {
    const vms = [
      vm({
        vmId: 'vm-001',
        status: 'in_use',
        assignedTo: 'c1',
        agent: agent({ lastSeen: NOW - 120_000 }),
      }),
    ];
    const { create } = deriveAlerts({ vms, activeAlerts: [], config: cfg, now: NOW });
    expect(create).toEqual([
      {
        scope: 'c1',
        sourceId: 'vm-unreachable-vm-001',
        level: 'critical',
        category: 'vm',
        title: 'vm-001 unreachable',
        message:
          'The agent on vm-001 has sent no heartbeat since 07:58:00 UTC (2 min ago); it counts as unreachable after 60 s.',
        timestamp: NOW,
        createdAt: NOW,
        vmId: 'vm-001',
        competitionId: 'c1',
        autoResolve: true,
      },
    ]);
  });

  it('raises a pool alert for a free VM that never reported', () => {
    const { create } = deriveAlerts({
      vms: [vm({ vmId: 'vm-001' })],
      activeAlerts: [],
      config: cfg,
      now: NOW,
    });
    expect(create).toMatchObject([
      {
        scope: 'pool',
        sourceId: 'vm-unreachable-vm-001',
        message: expect.stringContaining('never reported'),
      },
    ]);
    expect(create[0]).not.toHaveProperty('competitionId');
  });

  it('raises OBS alerts only for assigned VMs, and service warnings for any running VM', () => {
    const report = agent();
    const show = report.show;
    if (show === null) throw new Error('fixture has a show status');
    const obsLost = { ...report, show: { ...show, obsConnected: false } };
    const vms = [
      vm({ vmId: 'vm-001', status: 'assigned', assignedTo: 'c1', agent: obsLost }),
      vm({ vmId: 'vm-002', agent: obsLost }),
      vm({
        vmId: 'vm-003',
        agent: down(report, {
          showServer: { state: 'down', checkedAt: NOW },
          noMachine: { state: 'down', checkedAt: NOW },
        }),
      }),
      vm({
        vmId: 'vm-004',
        status: 'assigned',
        assignedTo: 'c4',
        agent: down(report, { obsWebsocket: { state: 'down', checkedAt: NOW } }),
      }),
    ];
    const { create } = deriveAlerts({ vms, activeAlerts: [], config: cfg, now: NOW });
    expect(create.map((a) => [a.scope, a.sourceId, a.level, a.category])).toEqual([
      ['c1', 'obs-disconnected-vm-001', 'critical', 'obs'],
      ['pool', 'show-server-down-vm-003', 'warning', 'service'],
      ['pool', 'nomachine-down-vm-003', 'warning', 'service'],
      ['c4', 'obs-disconnected-vm-004', 'critical', 'obs'],
    ]);
  });

  it('leaves OBS gone mid-stream to its own alert: no second critical alert for the event', () => {
    const report = agent();
    const show = report.show;
    if (show === null) throw new Error('fixture has a show status');
    const obsLost = down(
      { ...report, show: { ...show, obsConnected: false } },
      { obsWebsocket: { state: 'down', checkedAt: NOW } },
    );
    const held = vm({ vmId: 'vm-001', status: 'in_use', assignedTo: 'c1', agent: obsLost });
    const [plain] = deriveAlerts({ vms: [held], activeAlerts: [], config: cfg, now: NOW }).create;
    if (plain === undefined) throw new Error('expected the plain OBS alert');
    const midStream = open({ ...plain, sourceId: 'obs-gone-while-streaming-vm-001' }, 'a1');
    expect(deriveAlerts({ vms: [held], activeAlerts: [midStream], config: cfg, now: NOW })).toEqual(
      { create: [], resolve: [] },
    );
    // One raised before the mid-stream alert (an earlier report) gives way to it.
    expect(
      deriveAlerts({
        vms: [held],
        activeAlerts: [midStream, open(plain, 'a0')],
        config: cfg,
        now: NOW,
      }),
    ).toEqual({
      create: [],
      resolve: [{ scope: 'c1', alertId: 'a0', sourceId: 'obs-disconnected-vm-001' }],
    });
  });

  it('does not blame OBS when the show server itself is unreachable', () => {
    const report = agent();
    const show = report.show;
    if (show === null) throw new Error('fixture has a show status');
    const vms = [
      vm({
        vmId: 'vm-001',
        status: 'assigned',
        assignedTo: 'c1',
        agent: { ...report, show: { ...show, reachable: false, obsConnected: false } },
      }),
    ];
    const { create } = deriveAlerts({ vms, activeAlerts: [], config: cfg, now: NOW });
    expect(create.map((a) => a.sourceId)).toEqual(['show-server-down-vm-001']);
  });

  it('dedupes by sourceId and resolves what has cleared', () => {
    const silent = vm({
      vmId: 'vm-001',
      status: 'assigned',
      assignedTo: 'c1',
      agent: agent({ lastSeen: 0 }),
    });
    const first = deriveAlerts({ vms: [silent], activeAlerts: [], config: cfg, now: NOW });
    expect(first.create).toHaveLength(1);
    const active = [open(first.create[0] as AlertDraft, 'a1')];
    expect(deriveAlerts({ vms: [silent], activeAlerts: active, config: cfg, now: NOW })).toEqual({
      create: [],
      resolve: [],
    });
    const back = { ...silent, agent: agent() };
    expect(deriveAlerts({ vms: [back], activeAlerts: active, config: cfg, now: NOW })).toEqual({
      create: [],
      resolve: [{ scope: 'c1', alertId: 'a1', sourceId: 'vm-unreachable-vm-001' }],
    });
    const resolvedAlready = [{ ...(active[0] as ScopedAlert), resolved: true }];
    expect(
      deriveAlerts({ vms: [silent], activeAlerts: resolvedAlready, config: cfg, now: NOW }).create,
    ).toHaveLength(1);
  });

  it('keeps service alerts while the agent is silent, and clears them when the VM stops', () => {
    const report = down(agent(), { showServer: { state: 'down', checkedAt: NOW } });
    const base = vm({ vmId: 'vm-001', agent: report });
    const raised = deriveAlerts({ vms: [base], activeAlerts: [], config: cfg, now: NOW }).create;
    const active = raised.map((draft, i) => open(draft, `a${i}`));
    const silent = { ...base, agent: { ...report, lastSeen: 0 } };
    const whileSilent = deriveAlerts({
      vms: [silent],
      activeAlerts: active,
      config: cfg,
      now: NOW,
    });
    expect(whileSilent.resolve).toEqual([]);
    expect(whileSilent.create.map((a) => a.sourceId)).toEqual(['vm-unreachable-vm-001']);
    const stopped = { ...base, status: 'stopped' as const, ec2State: 'stopped' as const };
    expect(
      deriveAlerts({ vms: [stopped], activeAlerts: active, config: cfg, now: NOW }).resolve,
    ).toEqual([{ scope: 'pool', alertId: 'a0', sourceId: 'show-server-down-vm-001' }]);
  });

  it('watches a failed VM that EC2 still runs, and leaves alerts of one that is down', () => {
    const silent = vm({
      vmId: 'vm-001',
      status: 'error',
      errorCause: 'agent_stale',
      assignedTo: 'c1',
      agent: agent({ lastSeen: 0 }),
    });
    const raised = deriveAlerts({ vms: [silent], activeAlerts: [], config: cfg, now: NOW }).create;
    expect(raised.map((a) => [a.scope, a.sourceId])).toEqual([['c1', 'vm-unreachable-vm-001']]);
    const active = raised.map((draft, i) => open(draft, `a${i}`));
    const halted = { ...silent, ec2State: 'stopped' as const };
    expect(deriveAlerts({ vms: [halted], activeAlerts: active, config: cfg, now: NOW })).toEqual({
      create: [],
      resolve: [],
    });
  });

  it('resolves alerts about VMs that no longer exist, but never non-auto-resolving ones', () => {
    const gone = open(
      {
        ...idleStoppedAlert({ vmId: 'vm-009' }, NOW),
        sourceId: 'nomachine-down-vm-009',
        autoResolve: true,
      },
      'g1',
    );
    const note = open(idleStoppedAlert({ vmId: 'vm-009' }, NOW), 'n1');
    const manual = open(
      { ...idleStoppedAlert({ vmId: 'vm-009' }, NOW), sourceId: 'vm-unreachable-vm-009' },
      'm1',
      false,
    );
    expect(
      deriveAlerts({ vms: [], activeAlerts: [gone, note, manual], config: cfg, now: NOW }),
    ).toEqual({
      create: [],
      resolve: [{ scope: 'pool', alertId: 'g1', sourceId: 'nomachine-down-vm-009' }],
    });
  });

  it('warns when the pool is low and nothing can be started, and resolves it later', () => {
    const low = config({ minWarmVMs: 2, maxTotalVMs: 2, maxConcurrent: 2 });
    const vms = [
      vm({ vmId: 'vm-001', agent: agent() }),
      vm({ vmId: 'vm-002', status: 'assigned', assignedTo: 'c1', agent: agent() }),
    ];
    const { create } = deriveAlerts({ vms, activeAlerts: [], config: low, now: NOW });
    expect(create).toEqual([
      {
        scope: 'pool',
        sourceId: 'pool-low',
        level: 'warning',
        category: 'vm',
        title: 'VM pool low',
        message: '1 of 2 warm VMs, and no stopped VM or launch can make up the 1 missing.',
        timestamp: NOW,
        createdAt: NOW,
        autoResolve: true,
      },
    ]);
    const active = [open(create[0] as AlertDraft, 'p1')];
    // Room to grow but no subnet: the pool still cannot grow, so the alert stays and says why.
    const noSubnet = config({ minWarmVMs: 2, maxTotalVMs: 3, maxConcurrent: 2, subnetId: '' });
    expect(deriveAlerts({ vms, activeAlerts: [], config: noSubnet, now: NOW }).create).toEqual([
      expect.objectContaining({
        sourceId: 'pool-low',
        message:
          '1 of 2 warm VMs, and no stopped VM or launch can make up the 1 missing. New VMs cannot be launched until subnetId is set in the pool config.',
      }),
    ]);
    expect(deriveAlerts({ vms, activeAlerts: active, config: noSubnet, now: NOW }).resolve).toEqual(
      [],
    );
    const roomy = config({ minWarmVMs: 2, maxTotalVMs: 3, maxConcurrent: 2 });
    expect(deriveAlerts({ vms, activeAlerts: active, config: roomy, now: NOW }).resolve).toEqual([
      { scope: 'pool', alertId: 'p1', sourceId: 'pool-low' },
    ]);
  });
});

describe('alert helpers', () => {
  it('scopes by the holding competition', () => {
    expect(alertScopeFor({ status: 'in_use', assignedTo: 'c1' })).toBe('c1');
    expect(alertScopeFor({ status: 'releasing', assignedTo: null })).toBe('pool');
    expect(alertScopeFor({ status: 'available', assignedTo: null })).toBe('pool');
  });

  it('builds the idle-stopped note, which never resolves by itself', () => {
    expect(idleStoppedAlert({ vmId: 'vm-001' }, NOW, 2)).toEqual({
      scope: 'pool',
      sourceId: 'vm-idle-stopped-vm-001',
      level: 'info',
      category: 'vm',
      title: 'vm-001 stopped while idle',
      message: 'vm-001 was stopped after 2 h without an assignment.',
      timestamp: NOW,
      createdAt: NOW,
      vmId: 'vm-001',
      autoResolve: false,
    });
    expect(idleStoppedAlert({ vmId: 'vm-001' }, NOW).message).toBe(
      'vm-001 was stopped by idle auto-stop.',
    );
  });

  it('completes a draft into a stored alert without its scope', () => {
    const alert = alertFromDraft(idleStoppedAlert({ vmId: 'vm-001' }, NOW), 'x1');
    expect(alert).toMatchObject({
      id: 'x1',
      acknowledged: false,
      acknowledgedBy: null,
      resolved: false,
      resolvedAt: null,
    });
    expect(alert).not.toHaveProperty('scope');
  });

  it('repeats the VM id as metadata.vmId, which the show-controller’s alert panel shows', () => {
    expect(alertFromDraft(idleStoppedAlert({ vmId: 'vm-001' }, NOW), 'x1').metadata).toEqual({
      vmId: 'vm-001',
    });
    const pool = alertFromDraft(
      { ...idleStoppedAlert({ vmId: 'vm-001' }, NOW), vmId: undefined },
      'x2',
    );
    expect(pool).not.toHaveProperty('metadata');
  });
});

describe('identityChallengedAlert', () => {
  it('is one critical pool alert per instance that never resolves by itself', () => {
    const mismatch = identityChallengedAlert({
      instanceId: 'i-0123456789abcdef0',
      vmId: 'vm-003',
      code: 'NONCE_MISMATCH',
      now: NOW,
    });
    expect(mismatch).toMatchObject({
      scope: 'pool',
      sourceId: 'agent-identity-i-0123456789abcdef0',
      level: 'critical',
      category: 'vm',
      vmId: 'vm-003',
      autoResolve: false,
      timestamp: NOW,
      createdAt: NOW,
    });
    expect(mismatch.message).toContain('NONCE_MISMATCH');
    const replay = identityChallengedAlert({
      instanceId: 'i-0123456789abcdef0',
      vmId: 'vm-003',
      code: 'REPLAYED_DOCUMENT',
      now: NOW,
    });
    expect(replay.sourceId).toBe(mismatch.sourceId);
    expect(replay.message).toContain('REPLAYED_DOCUMENT');
  });

  it('is left alone by deriveAlerts, which only resolves conditions it watches', () => {
    const draft = identityChallengedAlert({
      instanceId: 'i-0123456789abcdef0',
      vmId: 'vm-001',
      code: 'NONCE_MISMATCH',
      now: NOW,
    });
    const changes = deriveAlerts({
      vms: [],
      activeAlerts: [open(draft, 'a-identity')],
      config: cfg,
      now: NOW,
    });
    expect(changes.resolve).toEqual([]);
  });
});
