// A realistic database as the rules see it: a two-VM pool (vm-001 assigned to comp-a,
// vm-002 warm), two scheduled competitions with one producer each, requests (the schedule's
// too), commands in every run state, alerts in every scope, an audit trail, and the schedule
// and cost bookkeeping.

/** The clock of every simulated operation; server timestamps resolve to it. */
export const NOW = Date.UTC(2026, 10, 27, 6, 0, 0);
/** What the SDKs send for `ServerValue.TIMESTAMP` / `serverTimestamp()`. */
export const SERVER_TIMESTAMP = { '.sv': 'timestamp' } as const;

export const UID = {
  admin: 'u-admin',
  /** A (hypothetical) account whose uid is the schedule's requester name. */
  scheduleLookalike: 'schedule',
  producerA: 'u-producer-a',
  producerB: 'u-producer-b',
  noClaim: 'u-plain',
  agent: 'agent-i-0a1b2c3d4e5f60001',
  formerAgent: 'agent-i-0f0f0f0f0f0f00001',
} as const;

/** EC2 instance ids: the agent's token names its instance, the rules compare it to the record. */
export const INSTANCE = {
  vm001: 'i-0a1b2c3d4e5f60001',
  vm002: 'i-0a1b2c3d4e5f60002',
  /** The terminated instance that was vm-001 before the id was reused. */
  formerVm001: 'i-0f0f0f0f0f0f00001',
} as const;

const minutesAgo = (minutes: number) => NOW - minutes * 60_000;

function agentReport(vmId: string, publicIp: string) {
  return {
    online: true,
    lastSeen: minutesAgo(0.2),
    bootId: `boot-${vmId}-7f3a`,
    version: '0.1.0',
    startedAt: minutesAgo(90),
    instanceId: vmId === 'vm-001' ? INSTANCE.vm001 : INSTANCE.vm002,
    region: 'us-east-1',
    availabilityZone: 'us-east-1a',
    instanceType: 't3.large',
    publicIp,
    privateIp: '10.0.1.17',
    services: {
      showServer: { state: 'up', checkedAt: minutesAgo(0.5), port: 3003, latencyMs: 12 },
      obsWebsocket: { state: 'up', checkedAt: minutesAgo(0.5), port: 4455, latencyMs: 4 },
      nimble: { state: 'down', checkedAt: minutesAgo(0.5), port: 8080, detail: 'ECONNREFUSED' },
    },
    show: {
      reachable: true,
      obsConnected: true,
      obsIsStreaming: false,
      obsIsRecording: false,
      obsCurrentScene: 'Starting Soon',
      connectedClients: 2,
      latencyMs: 12,
      checkedAt: minutesAgo(0.5),
    },
    metrics: {
      cpuPercent: 23.5,
      load1: 0.8,
      memUsedPercent: 41,
      memUsedMb: 3280,
      memTotalMb: 7900,
      diskUsedPercent: 37,
      netRxBps: 120_000,
      netTxBps: 2_400_000,
      uptimeSeconds: 5400,
      sampledAt: minutesAgo(0.5),
    },
    stream: {
      active: true,
      reconnecting: false,
      bitrateKbps: 2480,
      droppedFramesPercent: 0.2,
      congestion: 0.01,
      durationSeconds: 1720,
      checkedAt: minutesAgo(0.1),
    },
    obs: {
      connected: true,
      version: '29.0.2',
      activeFps: 30,
      renderSkippedFramesPercent: 0,
      cpuUsage: 18.5,
      memoryMb: 412,
      currentScene: 'Starting Soon',
      recording: false,
      checkedAt: minutesAgo(0.1),
    },
  };
}

/** A tiny JPEG as a preview data URL (the SOI and EOI markers around nothing). */
export const PREVIEW_IMAGE = `data:image/jpeg;base64,${Buffer.from([0xff, 0xd8, 0xff, 0xd9]).toString('base64')}`;

function vmRecord(vmId: string, overrides: Record<string, unknown>) {
  return {
    vmId,
    instanceId: vmId === 'vm-001' ? INSTANCE.vm001 : INSTANCE.vm002,
    region: 'us-east-1',
    statusChangedAt: minutesAgo(30),
    statusReason: 'ready',
    ec2State: 'running',
    healthStatus: 'healthy',
    lastHealthCheck: minutesAgo(0.5),
    createdAt: minutesAgo(60 * 24 * 30),
    lastStartedAt: minutesAgo(90),
    totalAssignments: 12,
    tags: { region: 'us-east-1', capability: ['4k', 'multi-camera'] },
    ...overrides,
  };
}

function alert(scope: string, id: string, sourceId: string, extra: Record<string, unknown>) {
  return {
    id,
    level: 'warning',
    category: 'vm',
    title: 'Attention',
    message: `${sourceId} in ${scope}`,
    timestamp: minutesAgo(5),
    createdAt: minutesAgo(5),
    sourceId,
    acknowledged: false,
    resolved: false,
    autoResolve: true,
    ...extra,
  };
}

export const ROOT = {
  vmPool: {
    config: {
      minWarmVMs: 2,
      maxTotalVMs: 5,
      maxConcurrent: 4,
      autoStopAfterHours: 2,
      warmupTimeSeconds: 180,
      agentStaleSeconds: 60,
      awsRegion: 'us-east-1',
      amiId: 'ami-0123456789abcdef0',
      instanceType: 't3.large',
      securityGroupId: 'sg-0123456789abcdef0',
      subnetId: 'subnet-0123456789abcdef0',
      keyPairName: 'gymnastics',
      instanceProfile: 'vmpool-agent',
      tags: { Project: 'gymnastics-graphics', ManagedBy: 'vm-pool-manager' },
      updatedAt: minutesAgo(600),
      updatedBy: UID.admin,
    },
    vms: {
      'vm-001': {
        ...vmRecord('vm-001', {
          status: 'assigned',
          publicIp: '203.0.113.10',
          assignedTo: 'comp-a',
          assignedAt: minutesAgo(30),
          assignedBy: UID.producerA,
          requestId: 'req-a-assign',
        }),
        agent: agentReport('vm-001', '203.0.113.10'),
        // The admin and comp-a's producer have vm-001's card open.
        watchers: { [UID.admin]: minutesAgo(0.5), [UID.producerA]: minutesAgo(0.2) },
      },
      'vm-002': {
        ...vmRecord('vm-002', { status: 'available', publicIp: '203.0.113.20' }),
        agent: agentReport('vm-002', '203.0.113.20'),
        // Left from when comp-a's producer looked at vm-002 (it is in nobody's show now).
        watchers: { [UID.producerA]: minutesAgo(90) },
      },
    },
    // What the agents write often (heartbeat, metrics), apart from their triggered report.
    pulse: {
      'vm-001': {
        bootId: 'boot-vm-001-7f3a',
        lastSeen: minutesAgo(0.1),
        metrics: agentReport('vm-001', '203.0.113.10').metrics,
      },
      'vm-002': { bootId: 'boot-vm-002-7f3a', lastSeen: minutesAgo(0.3), metrics: null },
    },
    previews: {
      'vm-001': {
        image: PREVIEW_IMAGE,
        width: 320,
        height: 180,
        bytes: 4,
        capturedAt: minutesAgo(0.05),
        scene: 'Starting Soon',
      },
      'vm-002': {
        image: PREVIEW_IMAGE,
        width: 320,
        height: 180,
        bytes: 4,
        capturedAt: minutesAgo(60),
        scene: 'Starting Soon',
      },
    },
    requests: {
      'req-a-assign': {
        action: 'assign',
        competitionId: 'comp-a',
        options: { preferredVmId: 'vm-001' },
        requestedBy: UID.producerA,
        requestedAt: minutesAgo(31),
        result: {
          state: 'succeeded',
          step: 'done',
          progress: 1,
          message: 'vm-001 is ready',
          vmId: 'vm-001',
          vmAddress: '203.0.113.10:3003',
          updatedAt: minutesAgo(30),
        },
      },
      'req-b-assign': {
        action: 'assign',
        competitionId: 'comp-b',
        requestedBy: UID.producerB,
        requestedAt: minutesAgo(3),
        result: {
          state: 'running',
          step: 'starting',
          progress: 0.4,
          message: 'starting vm-003',
          updatedAt: minutesAgo(2),
        },
      },
      // A failover's own assign (issue 12), made by the control plane for comp-a.
      'req-failover-a': {
        action: 'assign',
        competitionId: 'comp-a',
        requestedBy: 'failover',
        requestedAt: minutesAgo(5),
      },
      'req-sched-a': {
        action: 'assign',
        competitionId: 'comp-a',
        options: { preferredVmId: 'vm-001' },
        requestedBy: 'schedule',
        requestedAt: minutesAgo(32),
        result: {
          state: 'succeeded',
          step: 'done',
          progress: 1,
          message: 'vm-001 is ready',
          vmId: 'vm-001',
          vmAddress: '203.0.113.10:3003',
          updatedAt: minutesAgo(30),
        },
      },
      'req-sched-b': {
        action: 'assign',
        competitionId: 'comp-b',
        requestedBy: 'schedule',
        requestedAt: minutesAgo(1),
      },
      'req-admin-stop': {
        action: 'stop',
        vmId: 'vm-002',
        requestedBy: UID.admin,
        requestedAt: minutesAgo(120),
        result: {
          state: 'failed',
          step: 'validate',
          progress: 0,
          message: 'vm-002 is available, not running a show',
          error: { code: 'INVALID_STATE', message: 'cannot stop' },
          updatedAt: minutesAgo(120),
        },
      },
    },
    commands: {
      'vm-001': {
        'cmd-queued': {
          op: 'check_services',
          requestedBy: UID.admin,
          requestedAt: minutesAgo(0.1),
        },
        'cmd-running': {
          op: 'view_logs',
          args: { unit: 'obs', lines: 200 },
          requestedBy: UID.admin,
          requestedAt: minutesAgo(1),
          claim: { bootId: 'boot-vm-001-7f3a', at: minutesAgo(0.9) },
          status: 'running',
          startedAt: minutesAgo(0.9),
        },
        'cmd-done': {
          op: 'system_info',
          requestedBy: UID.admin,
          requestedAt: minutesAgo(10),
          claim: { bootId: 'boot-vm-001-7f3a', at: minutesAgo(10) },
          status: 'succeeded',
          startedAt: minutesAgo(10),
          finishedAt: minutesAgo(9.9),
          durationMs: 6000,
          exitCode: 0,
          output: { stdout: 'Linux vm-001 6.1.0', stderr: '', truncated: false },
        },
      },
      'vm-002': {
        'cmd-queued': { op: 'restart_obs', requestedBy: UID.admin, requestedAt: minutesAgo(0.2) },
      },
    },
    identity: {
      'i-0a1b2c3d4e5f60001': { vmId: 'vm-001', lastDocumentAt: minutesAgo(90) },
    },
    // Control-plane bookkeeping (docs/contract.md, "Control-plane-only paths").
    assignments: {
      'comp-a': { requestId: 'req-a-assign', vmId: 'vm-001', at: minutesAgo(30) },
    },
    openRequests: {
      'req-a-assign': { updatedAt: minutesAgo(0.5), leaseUntil: 0, runId: 'run-7f3a' },
    },
    alertIndex: {
      'comp-a': { 'obs-disconnected-vm-001': 'alert-a1' },
      'comp-b': { 'show-server-down-vm-003': 'alert-b1' },
      pool: { 'pool-low': 'alert-pool-low' },
    },
    schedule: {
      'comp-a': {
        startsAt: NOW + 2 * 3_600_000,
        requestId: 'req-sched-a',
        attempt: 1,
        at: minutesAgo(32),
      },
    },
    statusHistory: {
      'vm-001': {
        'h-001': {
          at: minutesAgo(90),
          status: 'starting',
          ec2State: 'pending',
          instanceType: 't3.large',
          region: 'us-east-1',
          cause: 'start_requested',
        },
        'h-002': {
          at: minutesAgo(30),
          status: 'assigned',
          ec2State: 'running',
          assignedTo: 'comp-a',
          instanceType: 't3.large',
          region: 'us-east-1',
          cause: 'assign',
        },
      },
    },
    costs: {
      '2026-11': {
        month: '2026-11',
        currency: 'USD',
        through: NOW,
        updatedAt: NOW,
        total: { usd: 0.12, billableSeconds: 5400 },
        idle: { usd: 0.08, billableSeconds: 3600 },
        competitions: {
          'comp-a': {
            usd: 0.04,
            billableSeconds: 1800,
            vms: { 'vm-001': { usd: 0.04, billableSeconds: 1800 } },
          },
        },
        vms: {
          'vm-001': {
            usd: 0.12,
            billableSeconds: 5400,
            instanceType: 't3.large',
            idleSeconds: 3600,
            idleUsd: 0.08,
          },
        },
        days: { '2026-11-27': { usd: 0.12, billableSeconds: 5400, idleUsd: 0.08 } },
      },
    },
    // Issue 9: comp-a's producer made eight requests in the last minute (s1..s8), one two
    // minutes ago (s9, free again); s0 was never used.
    requestQuota: {
      [UID.producerA]: {
        slots: {
          ...Object.fromEntries(
            [1, 2, 3, 4, 5, 6, 7, 8].map((index) => [
              `s${String(index)}`,
              { at: NOW - index * 5_000, requestId: `req-recent-${String(index)}` },
            ]),
          ),
          s9: { at: minutesAgo(2), requestId: 'req-old-9' },
        },
        last: { requestId: 'req-recent-1', slot: 's1' },
        open: { 'req-recent-1': NOW - 5_000 },
      },
    },
    summary: {
      counts: {
        available: 1,
        assigned: 1,
        in_use: 0,
        releasing: 0,
        stopped: 0,
        starting: 0,
        stopping: 0,
        error: 0,
        maintenance: 0,
        terminating: 0,
      },
      total: 2,
      ready: 1,
      cold: 0,
      agentStaleSeconds: 60,
      seq: 4,
      updatedAt: minutesAgo(1),
    },
    summaryIndex: {
      seq: 4,
      vms: {
        'vm-001': { status: 'assigned', assigned: true },
        'vm-002': { status: 'available', assigned: false },
      },
    },
    bootStats: {
      'us-east-1': {
        t3_large: { start: [142, 151, 160], launch: [301], updatedAt: minutesAgo(90) },
      },
    },
  },
  competitions: {
    'comp-a': {
      config: {
        eventName: 'Spring Invitational',
        gender: 'womens',
        meetDate: '2026-11-28',
        venue: 'Field House',
        startsAt: NOW + 2 * 3_600_000,
        endsAt: NOW + 5 * 3_600_000,
        vmId: 'vm-001',
        vmAddress: '203.0.113.10:3003',
      },
    },
    'comp-b': {
      config: {
        eventName: 'Winter Classic',
        gender: 'mens',
        meetDate: '2026-12-05',
        venue: 'Arena',
        startsAt: NOW + 8 * 86_400_000,
        endsAt: NOW + 8 * 86_400_000 + 3 * 3_600_000,
      },
    },
  },
  producerAccess: {
    [UID.producerA]: { 'comp-a': true },
    [UID.producerB]: { 'comp-b': true },
  },
  alerts: {
    'comp-a': {
      'alert-a1': alert('comp-a', 'alert-a1', 'obs-disconnected-vm-001', {
        level: 'critical',
        category: 'obs',
        vmId: 'vm-001',
        competitionId: 'comp-a',
      }),
      // Acknowledged by an admin: the acknowledgement is write-once.
      'alert-a2': alert('comp-a', 'alert-a2', 'show-server-down-vm-001', {
        level: 'critical',
        category: 'service',
        vmId: 'vm-001',
        competitionId: 'comp-a',
        acknowledged: true,
        acknowledgedBy: UID.admin,
        acknowledgedAt: minutesAgo(2),
      }),
    },
    'comp-b': {
      'alert-b1': alert('comp-b', 'alert-b1', 'show-server-down-vm-003', {
        competitionId: 'comp-b',
      }),
    },
    pool: {
      'alert-pool-low': alert('pool', 'alert-pool-low', 'pool-low', { level: 'info' }),
    },
  },
  audit: {
    'audit-1': {
      at: minutesAgo(30),
      actor: UID.producerA,
      action: 'assign',
      target: { vmId: 'vm-001', competitionId: 'comp-a', requestId: 'req-a-assign' },
      outcome: 'succeeded',
    },
  },
};
