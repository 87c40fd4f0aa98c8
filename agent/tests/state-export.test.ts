// Issue 12: the show state through the real agent process and the OBS stand-in. While its VM
// is in_use the agent exports OBS's scene collection and profile to the local VM's archive and
// records the latest export at vmPool/stateExports/{compId}: at once, after an OBS change, and
// every interval, never uploading an unchanged export; and `import_state` on another VM loads
// that export into its OBS.
import { existsSync } from 'node:fs';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StateExportRecord } from '@vmpool/core';
import { startShowServer, type ShowServer } from '@vmpool/local/show-server';
import { ObsClient } from '../src/obs/client';
import {
  killAgent,
  seedVm,
  spawnAgentProcess,
  startRegisteredAgent,
  startStack,
  waitForValue,
  REPO_ROOT,
  type AgentProcess,
  type TestStack,
} from './helpers/stack';

const VM = 'vm-351';
const SPARE = 'vm-352';
const COMP = 'comp-state';
let stack: TestStack;
let agent: AgentProcess;
let spareShow: ShowServer;
let spare: AgentProcess;

const exportPath = `vmPool/stateExports/${COMP}`;
const archived = (vmId: string, key: string) =>
  join(stack.tmp, 'vms', vmId, 'archive', 'local-archive', key);

async function obsClient(url: string): Promise<ObsClient> {
  return ObsClient.connect({ url, eventSubscriptions: 0, timeoutMs: 5000 });
}

beforeAll(async () => {
  stack = await startStack({ obsConfigOf: VM });
  agent = await startRegisteredAgent(stack, VM, [
    '--state-export-interval-seconds',
    '10',
    '--log-level',
    'debug',
  ]);
  // The spare: a VM of its own (show server and OBS stand-in on its own obs-config).
  spareShow = await startShowServer({
    port: 0,
    obsRestartMs: 500,
    obsConfigDir: join(stack.tmp, 'vms', SPARE, 'obs-config'),
  });
  await seedVm(stack.admin, SPARE);
  spare = spawnAgentProcess(
    [
      '--local',
      '--vm-id',
      SPARE,
      '--database-url',
      stack.databaseUrl,
      '--show-server',
      spareShow.url,
      '--obs-websocket-url',
      spareShow.obsWebsocketUrl,
      '--state-dir',
      join(stack.tmp, 'state', SPARE),
      '--vm-dir',
      join(stack.tmp, 'vms', SPARE),
    ],
    REPO_ROOT,
  );
  await waitForValue<{ online?: boolean }>(
    stack.admin,
    `vmPool/vms/${SPARE}/agent`,
    (report) => report?.online === true,
    60_000,
    spare,
  );
}, 180_000);

afterAll(async () => {
  await killAgent(agent);
  await killAgent(spare);
  await spareShow.stop();
  await stack.stop();
});

describe('state export while in_use', () => {
  let first: StateExportRecord;
  let changed: StateExportRecord;

  it('exports nothing while the VM is not in_use', async () => {
    // The agent is registered and connected to OBS: an available VM has no export.
    await waitForValue<{ obsConnected?: boolean }>(
      stack.admin,
      `vmPool/vms/${VM}/agent/show`,
      (show) => show?.obsConnected === true,
      30_000,
      agent,
    );
    expect((await stack.admin.ref(exportPath).get()).exists()).toBe(false);
    expect(agent.output()).not.toContain('show state exported');
  });

  it('exports at once when the VM goes in_use, to the archive, and records it', async () => {
    await stack.admin.ref(`vmPool/vms/${VM}`).update({ status: 'in_use', assignedTo: COMP });
    first = await waitForValue<StateExportRecord>(
      stack.admin,
      exportPath,
      (record) => record?.vmId === VM,
      30_000,
      agent,
    );
    expect(first).toMatchObject({
      competitionId: COMP,
      vmId: VM,
      bucket: 'local-archive',
      obs: { sceneCollection: 'Untitled', profile: 'Untitled' },
      showServer: false,
      trigger: 'period',
    });
    expect(first.key).toBe(`state/${COMP}/${first.digest}.json`);
    const bundle = JSON.parse(await readFile(archived(VM, first.key), 'utf8')) as {
      obs: { sceneCollection: { content: string } };
    };
    expect(JSON.parse(bundle.obs.sceneCollection.content)).toMatchObject({ name: 'Untitled' });
    expect(bundle.obs.sceneCollection.content).toContain('Starting Soon');
  });

  it('exports again when OBS announces a change (a new scene), and the bundle holds it', async () => {
    const obs = await obsClient(stack.show.obsWebsocketUrl);
    try {
      await obs.call('CreateScene', { sceneName: 'Vault Cam' });
    } finally {
      obs.close();
    }
    changed = await waitForValue<StateExportRecord>(
      stack.admin,
      exportPath,
      (record) => record !== null && record.digest !== first.digest,
      30_000,
      agent,
    );
    expect(changed.trigger).toBe('change');
    expect(await readFile(archived(VM, changed.key), 'utf8')).toContain('Vault Cam');
  });

  it('does not upload an unchanged export, and exports a change seen by the period alone', async () => {
    const attempts = () => agent.output().split('show state unchanged').length - 1;
    const before = attempts();
    // The next periodic attempt finds nothing new: the record stays as it was.
    await waitFor(() => attempts() > before, 30_000, 'a periodic attempt');
    expect((await stack.admin.ref(exportPath).get()).val()).toEqual(changed);
    expect(
      await readdir(join(stack.tmp, 'vms', VM, 'archive/local-archive/state', COMP)),
    ).toHaveLength(2);

    // A change OBS saved without an event: only the period finds it.
    const file = join(stack.tmp, 'vms', VM, 'obs-config/basic/scenes/Untitled.json');
    const json = JSON.parse(await readFile(file, 'utf8')) as { sources: unknown[] };
    json.sources.push({ id: 'scene', name: 'Beam Cam' });
    await writeFile(file, JSON.stringify(json));
    const periodic = await waitForValue<StateExportRecord>(
      stack.admin,
      exportPath,
      (record) => record !== null && record.digest !== changed.digest,
      30_000,
      agent,
    );
    expect(periodic.trigger).toBe('period');
    expect(await readFile(archived(VM, periodic.key), 'utf8')).toContain('Beam Cam');
  });

  it('import_state on another VM loads the export into its OBS', async () => {
    const latest = (await stack.admin.ref(exportPath).get()).val() as StateExportRecord;
    const command = stack.admin.ref(`vmPool/commands/${SPARE}`).push();
    await command.set({
      op: 'import_state',
      args: { competitionId: COMP, sourceVmId: VM, digest: latest.digest },
      requestedBy: 'system',
      requestedAt: Date.now(),
    });
    const done = await waitForValue<{
      status?: string;
      output?: { stdout: string };
      reason?: string;
    }>(
      stack.admin,
      `vmPool/commands/${SPARE}/${command.key ?? ''}`,
      (node) =>
        ['succeeded', 'failed', 'timed_out', 'rejected', 'expired'].includes(node?.status ?? ''),
      30_000,
      spare,
    );
    expect(done.reason ?? '').toBe('');
    expect(done.status).toBe('succeeded');
    expect(done.output?.stdout).toContain('Untitled (restored)');
    const obs = await obsClient(spareShow.obsWebsocketUrl);
    try {
      const collections = await obs.call<{ currentSceneCollectionName: string }>(
        'GetSceneCollectionList',
      );
      expect(collections.currentSceneCollectionName).toBe('Untitled (restored)');
      const profiles = await obs.call<{ currentProfileName: string }>('GetProfileList');
      expect(profiles.currentProfileName).toBe('Untitled (restored)');
      const scenes = await obs.call<{ scenes: { sceneName: string }[] }>('GetSceneList');
      expect(scenes.scenes.map((scene) => scene.sceneName)).toEqual(
        expect.arrayContaining(['Vault Cam', 'Beam Cam', 'Starting Soon']),
      );
    } finally {
      obs.close();
    }
    // The spare is not in_use: it exports nothing of its own.
    expect(existsSync(join(stack.tmp, 'vms', SPARE, 'archive/local-archive/state'))).toBe(false);
  });

  it('import_state of an export that does not exist fails and says why', async () => {
    const command = stack.admin.ref(`vmPool/commands/${SPARE}`).push();
    await command.set({
      op: 'import_state',
      args: { competitionId: COMP, sourceVmId: VM, digest: 'e'.repeat(64) },
      requestedBy: 'system',
      requestedAt: Date.now(),
    });
    const done = await waitForValue<{ status?: string; reason?: string }>(
      stack.admin,
      `vmPool/commands/${SPARE}/${command.key ?? ''}`,
      (node) => ['succeeded', 'failed'].includes(node?.status ?? ''),
      30_000,
      spare,
    );
    expect(done.status).toBe('failed');
    expect(done.reason).toContain(
      `no export at local-archive/state/${COMP}/${'e'.repeat(64)}.json`,
    );
  });
});

async function waitFor(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}:\n${agent.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
