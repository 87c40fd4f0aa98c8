// Design gap "vmAddress": the address producers' show-controllers connect to comes from EC2
// only. An agent controls what it reports; before, a VM without an EC2 address got the address
// its agent wrote as `competitions/{id}/config/vmAddress`. Only the local stack, whose VMs have
// no EC2, trusts the agent (settings.trustAgentAddress).
import { describe, expect, it } from 'vitest';
import { manualClock } from '@vmpool/core/ports';
import { paths } from '@vmpool/core';
import { MemoryCompute } from '../src/adapters/memory';
import { toRtdbValue } from '../src/store/rtdb-values';
import { onAgentReport } from '../src/usecases/events/agent-report';
import { vmAddressOf } from '../src/usecases/shared/vm-changes';
import { testDeps, T0 } from './support/deps';
import {
  addCompetition,
  agentReport,
  readResult,
  request,
  seedVm,
  submit,
  writeConfig,
} from './support/fixtures';
import { useTestDatabase } from './support/rtdb';

const AGENT_CHOSEN = '198.51.100.66';

describe('vmAddressOf', () => {
  const report = agentReport(T0, { publicIp: AGENT_CHOSEN });

  it('takes EC2’s address, never the agent’s, in production', () => {
    expect(
      vmAddressOf({ publicIp: '203.0.113.5', agent: report }, { trustAgentAddress: false }),
    ).toBe('203.0.113.5:3003');
    expect(vmAddressOf({ publicIp: null, agent: report }, { trustAgentAddress: false })).toBeNull();
  });

  it('falls back to the agent’s address only where told to (the local stack)', () => {
    expect(vmAddressOf({ publicIp: null, agent: report }, { trustAgentAddress: true })).toBe(
      `${AGENT_CHOSEN}:3003`,
    );
    expect(
      vmAddressOf({ publicIp: '203.0.113.5', agent: report }, { trustAgentAddress: true }),
    ).toBe('203.0.113.5:3003');
  });
});

describe('assign hands over the EC2 address only', () => {
  const db = useTestDatabase();

  async function assignVmWithoutEc2Address(trustAgentAddress: boolean) {
    const clock = manualClock(T0);
    const compute = new MemoryCompute({ clock });
    const deps = testDeps(db.admin.db, { clock, compute });
    deps.settings = { ...deps.settings, trustAgentAddress };
    await writeConfig(db.admin.db, { minWarmVMs: 0 });
    await addCompetition(db.admin.db, 'meet-1');
    // A running VM whose EC2 record has no public address (a private subnet, or EC2 not synced
    // yet) and whose agent claims one.
    await seedVm(db.admin.db, compute, 'vm-001', 'available', T0, { publicIp: null });
    await db.admin.db
      .ref(paths.vmAgent('vm-001'))
      .set(toRtdbValue(agentReport(T0, { publicIp: AGENT_CHOSEN })));
    await submit(deps, db.admin.db, 'r1', request('assign', { competitionId: 'meet-1' }));
    const config = (await db.admin.db.ref(paths.competitionConfig('meet-1')).get()).val() as Record<
      string,
      unknown
    > | null;
    return { result: await readResult(db.admin.db, 'r1'), config };
  }

  it('in production: the address the agent reports never becomes vmAddress', async () => {
    const { result, config } = await assignVmWithoutEc2Address(false);
    expect(result).toMatchObject({ state: 'succeeded', vmId: 'vm-001' });
    expect(config?.vmId).toBe('vm-001');
    expect(config?.vmAddress).toBeUndefined();
    expect(JSON.stringify({ result, config })).not.toContain(AGENT_CHOSEN);
  });

  it('in the local stack: the agent’s address stands in for EC2’s', async () => {
    const { config } = await assignVmWithoutEc2Address(true);
    expect(config?.vmAddress).toBe(`${AGENT_CHOSEN}:3003`);
  });

  it('a cold start is handed over at the address EC2 gave this start, not the agent’s', async () => {
    const clock = manualClock(T0);
    const compute = new MemoryCompute({ clock });
    const deps = testDeps(db.admin.db, { clock, compute });
    await writeConfig(db.admin.db, { minWarmVMs: 0, warmupTimeSeconds: 120 });
    await addCompetition(db.admin.db, 'meet-1');
    const vm = await seedVm(db.admin.db, compute, 'vm-001', 'stopped', T0);
    await submit(deps, db.admin.db, 'r1', request('assign', { competitionId: 'meet-1' }));
    expect(await readResult(db.admin.db, 'r1')).toMatchObject({ step: 'Wait for agent' });

    clock.advance(30_000);
    const report = agentReport(clock.now(), { publicIp: AGENT_CHOSEN });
    await db.admin.db.ref(paths.vmAgent('vm-001')).set(toRtdbValue(report));
    await onAgentReport(deps, 'vm-001', null, report);

    const ec2Address = compute.get(vm.instanceId)?.publicIp;
    expect(ec2Address).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    const config = (await db.admin.db.ref(paths.competitionConfig('meet-1')).get()).val() as {
      vmAddress?: string;
    };
    expect(config.vmAddress).toBe(`${ec2Address}:3003`);
    expect(await readResult(db.admin.db, 'r1')).toMatchObject({
      state: 'succeeded',
      vmAddress: `${ec2Address}:3003`,
    });
  });
});
