import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DescribeImagesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { paths } from '@vmpool/core';
import type { RtdbServer } from '@vmpool/local/rtdb';
import { createEc2Compute, createSsmRemoteExec } from '../../src/adapters/aws';
import { onAgentReport } from '../../src/usecases/events/agent-report';
import { reconcile } from '../../src/usecases/reconcile/reconcile';
import { testDeps } from '../support/deps';
import {
  addCompetition,
  agentReport,
  POOL_TAGS,
  readResult,
  readVm,
  REGION,
  request,
  submit,
  writeConfig,
} from '../support/fixtures';
import { MOTO_CREDENTIALS, startMoto, type MotoServer } from '../support/moto';
import { freshAdminDb, releaseRtdb, sharedRtdb, type AdminDb } from '../support/rtdb';
import { waitFor } from '../support/wait';

let moto: MotoServer;
let rtdb: RtdbServer;
let admin: AdminDb;

beforeAll(async () => {
  moto = await startMoto();
  rtdb = await sharedRtdb();
  admin = await freshAdminDb(rtdb);
}, 90_000);

afterAll(async () => {
  await admin?.close();
  await releaseRtdb();
  await moto?.stop();
});

describe('the control plane on moto (EC2 and SSM adapters)', () => {
  it('adopts a launched instance, assigns it, and releases it through SSM when the agent is offline', async () => {
    const aws = { endpoint: moto.endpoint, credentials: MOTO_CREDENTIALS };
    const images = await new EC2Client({ region: REGION, ...aws }).send(
      new DescribeImagesCommand({ Owners: ['amazon'], MaxResults: 5 }),
    );
    const amiId = images.Images?.[0]?.ImageId ?? '';
    const compute = createEc2Compute(aws);
    const clock = { now: () => Date.now() };
    const deps = testDeps(admin.db, { clock, compute, remoteExec: createSsmRemoteExec(aws) });
    await writeConfig(admin.db, { minWarmVMs: 0, autoStopAfterHours: 0, agentStaleSeconds: 900 });
    await addCompetition(admin.db, 'meet-1');
    const launched = await compute.launchInstance(REGION, {
      amiId,
      instanceType: 't3.large',
      subnetId: '',
      securityGroupId: '',
      keyPairName: '',
      instanceProfile: '',
      userData: '#!/bin/bash\n',
      tags: { ...POOL_TAGS, VmId: 'vm-001' },
      clientToken: 'moto-release',
    });

    await waitFor(async () => ((await reconcile(deps)).adopted > 0 ? true : undefined), 'adoption');
    await admin.db.ref(paths.vmAgent('vm-001')).set(agentReport(Date.now()));
    await onAgentReport(deps, 'vm-001', null, agentReport(Date.now()));
    expect(await readVm(admin.db, 'vm-001')).toMatchObject({
      status: 'available',
      instanceId: launched.instanceId,
    });

    await submit(deps, admin.db, 'a1', request('assign', { competitionId: 'meet-1' }));
    expect(await readResult(admin.db, 'a1')).toMatchObject({ state: 'succeeded', vmId: 'vm-001' });

    await admin.db.ref(paths.vmAgent('vm-001')).update({ online: false });
    await submit(deps, admin.db, 'r1', request('release', { competitionId: 'meet-1' }));
    const result = await waitFor(
      async () => {
        await reconcile(deps);
        const current = await readResult(admin.db, 'r1');
        return current?.state === 'succeeded' ? current : undefined;
      },
      'the release over SSM',
      60_000,
      500,
    );
    expect(result.message).toContain('back in the pool');
    const config = (await admin.db.ref(paths.competitionConfig('meet-1')).get()).val();
    expect(config.vmId).toBeUndefined();
  }, 120_000);
});
