// The rules and core's validators are two spellings of one contract. Generated payloads are
// valid ones with at most one fault injected; for each, an authorised writer's write is
// allowed by the rules exactly when core accepts what RTDB would store. Rules are
// deliberately stricter in a few places the faults avoid: no unknown fields in the config or
// the agent report (core drops them so that older writers still load), timestamps not in the
// future, requestedBy/updatedBy equal to the writer, and run fields of a command, which only
// its agent writes.
import {
  COMMAND_OPS,
  COMMAND_STATUSES,
  LOG_UNITS,
  REQUEST_ACTIONS,
  SERVICE_NAMES,
  parseAgentReport,
  parseCompetitionConfig,
  parsePoolConfig,
  parsePreview,
  parsePoolRequest,
  parseVmCommand,
  type Parsed,
} from '@vmpool/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { NOW, ROOT, SERVER_TIMESTAMP, UID } from './fixture';
import { databaseAs, quotaClaim, type Role } from './matrix';

const RUNS = 1000;

type Payload = Record<string, unknown>;
/** Set `path` (slash-separated) to `value`; `undefined` removes it. */
type Fault = readonly [path: string, value: unknown];

/** What RTDB keeps of a written value: no nulls, no empty objects, server time resolved. */
function asStored(value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (Array.isArray(value)) return value.map(asStored);
  if (typeof value !== 'object') return value;
  const record = value as Payload;
  if (record['.sv'] === 'timestamp') return NOW;
  const entries = Object.entries(record)
    .map(([key, child]) => [key, asStored(child)] as const)
    .filter(([, child]) => child !== null);
  return entries.length === 0 ? null : Object.fromEntries(entries);
}

function withFault(payload: Payload, fault: Fault | null): Payload {
  if (fault === null) return payload;
  const [path, value] = fault;
  const copy = structuredClone(payload);
  const keys = path.split('/');
  const last = keys.pop() as string;
  let node = copy;
  for (const key of keys) {
    const child = node[key];
    node[key] = typeof child === 'object' && child !== null ? child : {};
    node = node[key] as Payload;
  }
  if (value === undefined) delete node[last];
  else node[last] = value;
  return copy;
}

/** A valid payload, and in three cases out of four one of the faults. */
function faulty(valid: fc.Arbitrary<Payload>, faults: readonly Fault[]): fc.Arbitrary<Payload> {
  return fc
    .tuple(valid, fc.option(fc.constantFrom(...faults), { freq: 4 }))
    .map(([payload, fault]) => withFault(payload, fault));
}

function agree(
  role: Role,
  path: string,
  payload: Payload,
  parse: (raw: unknown) => Parsed<unknown>,
  alsoWrites?: Record<string, unknown>,
): void {
  const stored = asStored(payload);
  // Writing nothing is a delete, which is a different question.
  fc.pre(stored !== null);
  const rules =
    alsoWrites === undefined
      ? databaseAs(role).write(path, payload, { now: NOW })
      : databaseAs(role).update('/', { [path]: payload, ...alsoWrites }, NOW);
  const core = parse(stored);
  const coreSays = core.ok ? 'accepts' : `rejects: ${core.errors.join('; ')}`;
  expect(rules.allowed, `${JSON.stringify(payload)}\ncore ${coreSays}\n${rules.info}`).toBe(
    core.ok,
  );
}

const some = <T>(model: { [K in keyof T]: fc.Arbitrary<T[K]> }) =>
  fc.record(model, { requiredKeys: [], noNullPrototype: true });
const all = <T>(model: { [K in keyof T]: fc.Arbitrary<T[K]> }) =>
  fc.record(model, { noNullPrototype: true });
const one = <V>(...values: V[]) => fc.constantFrom(...values);

// 1000 generated payloads per test: a few seconds alone, much more on a busy shared machine.
describe('rules and core validators agree', { timeout: 120_000 }, () => {
  it('on requests (admin writer, any action)', () => {
    const competitionId = one('comp-a', 'comp_B-2', 'c'.repeat(128));
    const vmId = one('vm-001', 'vm-pool-12');
    const region = one('us-east-1', 'eu-west-2', 'us-gov-west-1');
    const validFor: Record<string, fc.Arbitrary<Payload>> = {
      assign: all({
        competitionId,
        options: some({ preferredVmId: vmId, region, capability: one('4k', 'multi-camera') }),
      }),
      release: all({
        competitionId,
        options: some({ archiveRecordings: fc.boolean(), stopVM: fc.boolean() }),
      }),
      launch: all({
        options: some({ instanceType: one('t3.large', 'g4dn.xlarge'), region }),
      }),
      maintenance: all({ vmId, options: all({ enabled: fc.boolean() }) }),
      failover: all({ competitionId, failedVmId: vmId }),
    };
    const valid = one(...REQUEST_ACTIONS).chain((action) =>
      (validFor[action] ?? all({ vmId })).map((fields) => ({
        action,
        ...fields,
        requestedBy: UID.admin,
        requestedAt: SERVER_TIMESTAMP,
      })),
    );
    const faults: Fault[] = [
      ['action', 'explode'],
      ['action', undefined],
      ['competitionId', 'bad id'],
      ['competitionId', 'c'.repeat(129)],
      ['competitionId', ''],
      ['competitionId', undefined],
      ['competitionId', 'comp-a'],
      ['vmId', 'VM_1'],
      ['vmId', undefined],
      ['vmId', 'vm-001'],
      ['failedVmId', 'VM_1'],
      ['failedVmId', undefined],
      ['failedVmId', 'vm-001'],
      ['options/preferredVmId', 'x'],
      ['options/region', 'mars'],
      ['options/capability', ['4k']],
      ['options/capability', ''],
      ['options/archiveRecordings', 'yes'],
      ['options/stopVM', 1],
      ['options/instanceType', 't3'],
      ['options/enabled', 'yes'],
      ['options/enabled', undefined],
      ['options/enabled', true],
      ['options/extra', 'x'],
      ['priority', 'high'],
    ];
    fc.assert(
      fc.property(faulty(valid, faults), (body) =>
        agree(
          'admin',
          'vmPool/requests/req-generated',
          body,
          parsePoolRequest,
          // A client's row goes with its rate-limit slot (issue 9).
          quotaClaim(UID.admin, 'req-generated'),
        ),
      ),
      { numRuns: RUNS },
    );
  });

  it('on commands (admin writer, any op)', () => {
    const argsFor: Record<string, fc.Arbitrary<Payload>> = {
      view_logs: some({ unit: one(...LOG_UNITS), lines: one(1, 50, 500) }),
      archive_recordings: all({ competitionId: one('comp-a', 'c'.repeat(128)) }),
      import_state: all({
        competitionId: one('comp-a', 'c'.repeat(128)),
        sourceVmId: one('vm-001', 'vm-x'),
        digest: one('a'.repeat(64), 'f0'.repeat(32)),
      }),
    };
    // The ops with arguments come up more often: that is where the two could drift apart.
    const ops = [...COMMAND_OPS, 'view_logs', 'view_logs', 'archive_recordings', 'import_state'];
    const valid = one(...ops).chain((op) =>
      (argsFor[op] ?? fc.constant(null)).map((args) => ({
        op,
        ...(args === null ? {} : { args }),
        requestedBy: UID.admin,
        requestedAt: SERVER_TIMESTAMP,
      })),
    );
    const faults: Fault[] = [
      ['op', 'rm_rf'],
      ['op', undefined],
      ['args/unit', 'sshd'],
      ['args/lines', 0],
      ['args/lines', 501],
      ['args/lines', 12.5],
      ['args/lines', '5'],
      ['args/competitionId', 'bad id'],
      ['args/competitionId', undefined],
      ['args/sourceVmId', 'vm 1'],
      ['args/digest', 'A'.repeat(64)],
      ['args/digest', undefined],
      ['args/path', '/etc/shadow'],
      ['args/force', true],
      ['shell', 'rm -rf /'],
    ];
    fc.assert(
      fc.property(faulty(valid, faults), (body) =>
        agree('admin', 'vmPool/commands/vm-001/cmd-generated', body, parseVmCommand),
      ),
      { numRuns: RUNS },
    );
  });

  it('on the pool config (admin writer, limits and invariants)', () => {
    const valid = some({
      minWarmVMs: one(0, 2, 5, 6, 50),
      maxTotalVMs: one(1, 3, 5, 10, 200),
      maxConcurrent: one(1, 4, 6, 200),
      autoStopAfterHours: one(0, 0.25, 2, 72),
      warmupTimeSeconds: one(10, 180, 1800),
      agentStaleSeconds: one(15, 900),
      awsRegion: one('us-east-1', 'us-gov-west-1'),
      amiId: one('', 'ami-0123456789abcdef0'),
      instanceType: one('t3.large', 'c5n.18xlarge'),
      securityGroupId: one('', 'sg-0123456789abcdef0'),
      subnetId: one('', 'subnet-0123456789abcdef0'),
      keyPairName: one('', 'gymnastics', 'k'.repeat(255)),
      instanceProfile: one('', 'vmpool-agent'),
      tags: one({ Project: 'gymnastics-graphics', ManagedBy: 'vm-pool-manager' }),
      preWarmMinutes: one(1, 30, 720),
      autoReleaseAfterMinutes: one(0, 60, 1440),
      minWarmVMsOffSchedule: one(0, 1, 5, 6),
      hourlyPrices: one({ t3_large: 0.0832 }, { g4dn_xlarge: 0.526, c5_xlarge: 0 }),
      failoverMode: one('auto', 'confirm', 'off'),
      failoverAfterSeconds: one(10, 30, 600),
      failedVmAction: one('reboot', 'stop'),
      streamDroppedFramesPercentMax: one(0, 2.5, 5, 100),
      streamMinBitrateKbps: one(0, 1000, 100_000),
      statusHistoryRetentionDays: one(35, 90, 3650),
      updatedAt: one(NOW),
      updatedBy: one(UID.admin),
    });
    const faults: Fault[] = [
      ['minWarmVMs', 51],
      ['minWarmVMs', -1],
      ['minWarmVMs', 2.5],
      ['minWarmVMs', '2'],
      ['maxTotalVMs', 0],
      ['maxTotalVMs', 201],
      ['maxConcurrent', 0],
      ['maxConcurrent', 201],
      ['autoStopAfterHours', 0.1],
      ['autoStopAfterHours', 73],
      ['warmupTimeSeconds', 9],
      ['warmupTimeSeconds', 180.5],
      ['warmupTimeSeconds', 1801],
      ['agentStaleSeconds', 14],
      ['agentStaleSeconds', 901],
      ['awsRegion', 'Mars-1'],
      ['awsRegion', ''],
      ['amiId', 'ami-xyz'],
      ['instanceType', 't3'],
      ['securityGroupId', 'default'],
      ['subnetId', 'subnet-x'],
      ['keyPairName', 'k'.repeat(256)],
      ['instanceProfile', 'bad profile'],
      ['tags/aws:created', 'y'],
      ['tags/Note', 'v'.repeat(257)],
      ['updatedAt', -1],
      ['updatedAt', 1.5],
      ['preWarmMinutes', 0],
      ['preWarmMinutes', 721],
      ['preWarmMinutes', 2.5],
      ['autoReleaseAfterMinutes', -1],
      ['autoReleaseAfterMinutes', 1441],
      ['autoReleaseAfterMinutes', '60'],
      ['minWarmVMsOffSchedule', -1],
      ['minWarmVMsOffSchedule', 51],
      ['minWarmVMsOffSchedule', 0.5],
      ['failoverMode', 'sometimes'],
      ['failoverMode', 1],
      ['failoverAfterSeconds', 9],
      ['failoverAfterSeconds', 601],
      ['failoverAfterSeconds', 30.5],
      ['failedVmAction', 'terminate'],
      ['failedVmAction', 1],
      ['hourlyPrices/T3_large', 0.08],
      ['hourlyPrices/t3large', 0.08],
      ['hourlyPrices/t3_large', -0.01],
      ['hourlyPrices/t3_large', 1000.5],
      ['hourlyPrices/t3_large', '0.08'],
      ['streamDroppedFramesPercentMax', -0.5],
      ['streamDroppedFramesPercentMax', 100.5],
      ['streamDroppedFramesPercentMax', '5'],
      ['streamMinBitrateKbps', -1],
      ['streamMinBitrateKbps', 1000.5],
      ['streamMinBitrateKbps', 100_001],
      ['statusHistoryRetentionDays', 34],
      ['statusHistoryRetentionDays', 90.5],
      ['statusHistoryRetentionDays', 3651],
    ];
    fc.assert(
      fc.property(faulty(valid, faults), (body) =>
        agree('admin', 'vmPool/config', body, parsePoolConfig),
      ),
      { numRuns: RUNS },
    );
  });

  it('on the show times of a competition (admin and producer writers)', () => {
    const HOUR = 3_600_000;
    const valid = some({
      eventName: one('Winter Classic'),
      startsAt: one(NOW, NOW + HOUR, 0),
      endsAt: one(NOW + 3 * HOUR, NOW + HOUR),
    });
    const faults: Fault[] = [
      ['startsAt', 1.5],
      ['startsAt', -1],
      ['startsAt', 'tonight'],
      ['endsAt', NOW],
      ['endsAt', NOW - HOUR],
      ['endsAt', true],
    ];
    fc.assert(
      fc.property(faulty(valid, faults), (body) =>
        agree('admin', 'competitions/comp-b/config', body, parseCompetitionConfig),
      ),
      { numRuns: RUNS },
    );
    // A producer writes only the two fields, on top of what comp-a's config already has.
    const times = some({
      startsAt: one(NOW, NOW + HOUR, NOW + 6 * HOUR),
      endsAt: one(NOW + 3 * HOUR, NOW + 6 * HOUR),
    });
    fc.assert(
      fc.property(faulty(times, faults), (patch) => {
        const stored = asStored(patch) as Payload | null;
        fc.pre(stored !== null);
        const merged = { ...ROOT.competitions['comp-a'].config, ...stored };
        const rules = databaseAs('producer').update('competitions/comp-a/config', patch, NOW);
        const core = parseCompetitionConfig(merged);
        expect(rules.allowed, `${JSON.stringify(patch)}\n${rules.info}`).toBe(core.ok);
      }),
      { numRuns: RUNS },
    );
  });

  it('on the agent report (the agent of vm-001)', () => {
    const service = some({
      state: one('up', 'down', 'unknown'),
      checkedAt: one(NOW),
      port: one(3003, 4455),
      latencyMs: one(0, 12),
      detail: one('ok', ''),
    }).map((status) => ({ ...status, state: status.state ?? 'up', checkedAt: NOW }));
    const valid = fc
      .record({
        fields: some({
          bootId: one('boot-1', ''),
          version: one('0.1.0'),
          startedAt: one(NOW - 60_000),
          instanceId: one('i-0a1b2c3d4e5f60001'),
          region: one('us-east-1'),
          availabilityZone: one('us-east-1a'),
          instanceType: one('t3.large'),
          publicIp: one('203.0.113.10'),
          privateIp: one('10.0.1.17'),
          services: some({ obs: service, showServer: service, nimble: service }),
          show: some({
            obsConnected: fc.boolean(),
            obsIsStreaming: fc.boolean(),
            obsIsRecording: fc.boolean(),
            obsCurrentScene: one('Live', 's'.repeat(256)),
            connectedClients: one(0, 2),
            latencyMs: one(3),
          }).map((show) => ({ ...show, reachable: true, checkedAt: NOW })),
          metrics: one({
            cpuPercent: 20,
            load1: 0.5,
            memUsedPercent: 40,
            memUsedMb: 3000,
            memTotalMb: 8000,
            diskUsedPercent: 30,
            netRxBps: 1000,
            netTxBps: 2000,
            uptimeSeconds: 5400,
            sampledAt: NOW,
          }),
          stream: some({
            reconnecting: fc.boolean(),
            bitrateKbps: one(0, 812.5, 6000),
            droppedFramesPercent: one(0, 0.4, 100),
            congestion: one(0, 0.25, 1),
            durationSeconds: one(0, 27, 7200),
          }).chain((stream) =>
            fc.boolean().map((active) => ({ ...stream, active, checkedAt: NOW })),
          ),
          obs: some({
            version: one('29.0.2', 'v'.repeat(256)),
            activeFps: one(0, 29.97, 60),
            renderSkippedFramesPercent: one(0, 12.5, 100),
            cpuUsage: one(0, 4.5, 180),
            memoryMb: one(0, 412.3),
            currentScene: one('Floor', ''),
            recording: fc.boolean(),
            detail: one('connect ECONNREFUSED 127.0.0.1:4455'),
          }).chain((obs) =>
            fc.boolean().map((connected) => ({ ...obs, connected, checkedAt: NOW })),
          ),
        }),
        online: fc.boolean(),
        lastSeen: one<unknown>(SERVER_TIMESTAMP, NOW - 1000),
      })
      .map(({ fields, online, lastSeen }) => ({ ...fields, online, lastSeen }));
    const faults: Fault[] = [
      ['online', 'yes'],
      ['online', undefined],
      ['lastSeen', 'now'],
      ['lastSeen', -1],
      ['lastSeen', undefined],
      ['bootId', 'b'.repeat(257)],
      ['version', 'v'.repeat(257)],
      ['startedAt', -5],
      ['startedAt', 1.5],
      ['instanceId', 7],
      ['publicIp', 'x'.repeat(257)],
      ['services/ssh', { state: 'up', checkedAt: NOW }],
      ['services/obs', { state: 'green', checkedAt: NOW }],
      ['services/obs', { state: 'up', checkedAt: 1.5 }],
      ['services/obs', { state: 'up', checkedAt: NOW, port: 70000 }],
      ['services/obs', { state: 'up', checkedAt: NOW, latencyMs: -1 }],
      ['services/obs', { state: 'up', checkedAt: NOW, detail: 'e'.repeat(1001) }],
      ['services/obs', { state: 'up' }],
      ['show/reachable', 'yes'],
      ['show/reachable', undefined],
      ['show/obsConnected', 1],
      ['show/obsCurrentScene', 's'.repeat(257)],
      ['show/connectedClients', -1],
      ['show/connectedClients', 1.5],
      ['show/latencyMs', -3],
      ['show/checkedAt', -1],
      ['metrics/cpuPercent', 150],
      ['metrics/memUsedPercent', 101],
      ['metrics/load1', -0.5],
      ['metrics/diskUsedPercent', -1],
      ['metrics/netTxBps', -1],
      ['metrics/sampledAt', 2.5],
      ['metrics/uptimeSeconds', undefined],
      ['stream/active', undefined],
      ['stream/active', 'yes'],
      ['stream/reconnecting', 1],
      ['stream/bitrateKbps', -1],
      ['stream/droppedFramesPercent', 100.5],
      ['stream/congestion', 1.01],
      ['stream/congestion', -0.1],
      ['stream/durationSeconds', -1],
      ['stream/checkedAt', 1.5],
      ['stream/checkedAt', undefined],
      ['obs/connected', undefined],
      ['obs/connected', 'true'],
      ['obs/version', 'v'.repeat(257)],
      ['obs/activeFps', -1],
      ['obs/renderSkippedFramesPercent', 101],
      ['obs/cpuUsage', -0.5],
      ['obs/memoryMb', '400'],
      ['obs/currentScene', 's'.repeat(257)],
      ['obs/recording', 'no'],
      ['obs/checkedAt', -1],
      ['obs/detail', 'd'.repeat(1001)],
    ];
    fc.assert(
      fc.property(faulty(valid, faults), (body) =>
        agree('agent', 'vmPool/vms/vm-001/agent', body, parseAgentReport),
      ),
      { numRuns: RUNS },
    );
  });

  it('on previews (the agent of vm-001)', () => {
    const jpeg = (bytes: number) =>
      `data:image/jpeg;base64,${Buffer.alloc(bytes, 0xab).toString('base64')}`;
    const valid = fc
      .record({
        bytes: one(1, 4, 9_999, 30_000),
        width: one(1, 160, 320),
        height: one(1, 180, 320),
        scene: fc.option(one('Floor', 's'.repeat(256)), { nil: undefined }),
        capturedAt: one<unknown>(SERVER_TIMESTAMP, NOW - 5000),
      })
      .map(({ bytes, scene, ...rest }) => ({
        image: jpeg(bytes),
        bytes,
        ...rest,
        ...(scene === undefined ? {} : { scene }),
      }));
    const faults: Fault[] = [
      ['image', jpeg(30_001)],
      ['image', 'data:image/png;base64,iVBORw0KGgo='],
      ['image', ''],
      ['image', 7],
      ['image', undefined],
      ['width', 321],
      ['width', 0],
      ['width', 160.5],
      ['height', 1080],
      ['height', undefined],
      ['bytes', 30_001],
      ['bytes', 0],
      ['bytes', 2.5],
      ['capturedAt', -1],
      ['capturedAt', 'now'],
      ['capturedAt', undefined],
      ['scene', 's'.repeat(257)],
      ['scene', 5],
    ];
    fc.assert(
      fc.property(faulty(valid, faults), (body) =>
        agree('agent', 'vmPool/previews/vm-001', body, parsePreview),
      ),
      { numRuns: RUNS },
    );
  });

  it('on the names the agent writes: every run status but queued, every service', () => {
    const agent = databaseAs('agent');
    for (const status of COMMAND_STATUSES) {
      const result = agent.write('vmPool/commands/vm-001/cmd-queued/status', status, { now: NOW });
      expect(result.allowed, `${status}\n${result.info}`).toBe(status !== 'queued');
    }
    for (const name of SERVICE_NAMES) {
      const probe = { state: 'up', checkedAt: NOW };
      const result = agent.write(`vmPool/vms/vm-001/agent/services/${name}`, probe, { now: NOW });
      expect(result.allowed, `${name}\n${result.info}`).toBe(true);
    }
  });
});
