// Issue 12, the production store: with --archive-bucket the agent keeps its show state exports
// in S3 under state/ (here moto's S3 through --s3-endpoint; credentials by the SDK's default
// chain, from the environment), not in the VM's archive directory, and `import_state` on
// another VM reads the export back from the same bucket into its OBS.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import type { StateExportRecord } from '@vmpool/core';
import { ObsClient } from '../src/obs/client';
import { startMotoS3, type MotoS3 } from './support/moto-s3';
import { waitForValue } from './support/stack';
import { runImportState, startStateExportVms, type StateExportVms } from './support/state-export';

const VM = 'vm-361';
const SPARE = 'vm-362';
const COMP = 'comp-state-s3';
const BUCKET = 'vmpool-recordings-s3-test';
let moto: MotoS3;
let vms: StateExportVms;
const s3Flags = () => ['--archive-bucket', BUCKET, '--s3-endpoint', moto.endpoint];

beforeAll(async () => {
  // The agents inherit moto's credentials from the environment.
  moto = await startMotoS3(BUCKET);
  vms = await startStateExportVms({
    vm: VM,
    spare: SPARE,
    agentFlags: s3Flags(),
    spareFlags: s3Flags(),
  });
}, 180_000);

afterAll(async () => {
  await vms?.stop();
  await moto?.stop();
});

describe('state export to S3', () => {
  let record: StateExportRecord;

  it('exports to the bucket under state/ when the VM goes in_use, not to the VM archive', async () => {
    await waitForValue<{ obsConnected?: boolean }>(
      vms.stack.admin,
      `vmPool/vms/${VM}/agent/show`,
      (show) => show?.obsConnected === true,
      30_000,
      vms.agent,
    );
    await vms.stack.admin.ref(`vmPool/vms/${VM}`).update({ status: 'in_use', assignedTo: COMP });
    record = await waitForValue<StateExportRecord>(
      vms.stack.admin,
      `vmPool/stateExports/${COMP}`,
      (value) => value?.vmId === VM,
      30_000,
      vms.agent,
    );
    expect(record).toMatchObject({ competitionId: COMP, vmId: VM, bucket: BUCKET });
    expect(record.key).toBe(`state/${COMP}/${record.digest}.json`);
    const object = await moto.s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: record.key }));
    const body = await object.Body!.transformToString();
    expect(body).toContain('Starting Soon');
    expect(existsSync(join(vms.stack.tmp, 'vms', VM, 'archive/local-archive/state'))).toBe(false);
  });

  it('import_state on another VM reads the export from the bucket into its OBS', async () => {
    const done = await runImportState(
      vms.stack,
      SPARE,
      { competitionId: COMP, sourceVmId: VM, digest: record.digest },
      vms.spare,
    );
    expect(done.reason ?? '').toBe('');
    expect(done.status).toBe('succeeded');
    const obs = await ObsClient.connect({
      url: vms.spareShow.obsWebsocketUrl,
      eventSubscriptions: 0,
      timeoutMs: 5000,
    });
    try {
      const collections = await obs.call<{ currentSceneCollectionName: string }>(
        'GetSceneCollectionList',
      );
      expect(collections.currentSceneCollectionName).toBe('Untitled (restored)');
      const scenes = await obs.call<{ scenes: { sceneName: string }[] }>('GetSceneList');
      expect(scenes.scenes.map((scene) => scene.sceneName)).toContain('Starting Soon');
    } finally {
      obs.close();
    }
  });

  it('import_state of a digest not in the bucket fails naming the bucket and key', async () => {
    const done = await runImportState(
      vms.stack,
      SPARE,
      { competitionId: COMP, sourceVmId: VM, digest: 'f'.repeat(64) },
      vms.spare,
    );
    expect(done.status).toBe('failed');
    expect(done.reason).toContain(`no export at ${BUCKET}/state/${COMP}/${'f'.repeat(64)}.json`);
  });
});
