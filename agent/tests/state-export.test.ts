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
import { ObsClient } from '../src/obs/client';
import { waitForValue } from './support/stack';
import { runImportState, startStateExportVms, type StateExportVms } from './support/state-export';

const VM = 'vm-351';
const SPARE = 'vm-352';
const COMP = 'comp-state';
let vms: StateExportVms;

const exportPath = `vmPool/stateExports/${COMP}`;
const archived = (vmId: string, key: string) =>
  join(vms.stack.tmp, 'vms', vmId, 'archive', 'local-archive', key);

async function obsClient(url: string): Promise<ObsClient> {
  return ObsClient.connect({ url, eventSubscriptions: 0, timeoutMs: 5000 });
}

/** A scene created over obs-websocket in the exporting VM's OBS (the stand-in). */
async function createScene(sceneName: string): Promise<void> {
  const obs = await obsClient(vms.stack.show.obsWebsocketUrl);
  try {
    await obs.call('CreateScene', { sceneName });
  } finally {
    obs.close();
  }
}

beforeAll(async () => {
  vms = await startStateExportVms({
    vm: VM,
    spare: SPARE,
    agentFlags: ['--state-export-interval-seconds', '10', '--log-level', 'debug'],
  });
}, 180_000);

afterAll(async () => {
  await vms?.stop();
});

describe('state export while in_use', () => {
  let first: StateExportRecord;
  let changed: StateExportRecord;

  it('exports nothing while the VM is not in_use', async () => {
    // The agent is registered and connected to OBS: an available VM has no export.
    await waitForValue<{ obsConnected?: boolean }>(
      vms.stack.admin,
      `vmPool/vms/${VM}/agent/show`,
      (show) => show?.obsConnected === true,
      30_000,
      vms.agent,
    );
    expect((await vms.stack.admin.ref(exportPath).get()).exists()).toBe(false);
    expect(vms.agent.output()).not.toContain('show state exported');
  });

  it('exports at once when the VM goes in_use, to the archive, and records it', async () => {
    await vms.stack.admin.ref(`vmPool/vms/${VM}`).update({ status: 'in_use', assignedTo: COMP });
    first = await waitForValue<StateExportRecord>(
      vms.stack.admin,
      exportPath,
      (record) => record?.vmId === VM,
      30_000,
      vms.agent,
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
    await createScene('Vault Cam');
    changed = await waitForValue<StateExportRecord>(
      vms.stack.admin,
      exportPath,
      (record) => record !== null && record.digest !== first.digest,
      30_000,
      vms.agent,
    );
    expect(changed.trigger).toBe('change');
    expect(await readFile(archived(VM, changed.key), 'utf8')).toContain('Vault Cam');
  });

  it('does not upload an unchanged export, and exports a change seen by the period alone', async () => {
    const attempts = () => vms.agent.output().split('show state unchanged').length - 1;
    const before = attempts();
    // The next periodic attempt finds nothing new: the record stays as it was.
    await waitFor(() => attempts() > before, 30_000, 'a periodic attempt');
    expect((await vms.stack.admin.ref(exportPath).get()).val()).toEqual(changed);
    expect(
      await readdir(join(vms.stack.tmp, 'vms', VM, 'archive/local-archive/state', COMP)),
    ).toHaveLength(2);

    // A change OBS saved without an event: only the period finds it.
    const file = join(vms.stack.tmp, 'vms', VM, 'obs-config/basic/scenes/Untitled.json');
    const json = JSON.parse(await readFile(file, 'utf8')) as { sources: unknown[] };
    json.sources.push({ id: 'scene', name: 'Beam Cam' });
    await writeFile(file, JSON.stringify(json));
    const periodic = await waitForValue<StateExportRecord>(
      vms.stack.admin,
      exportPath,
      (record) => record !== null && record.digest !== changed.digest,
      30_000,
      vms.agent,
    );
    expect(periodic.trigger).toBe('period');
    expect(await readFile(archived(VM, periodic.key), 'utf8')).toContain('Beam Cam');
  });

  it('import_state on another VM loads the export into its OBS', async () => {
    const latest = (await vms.stack.admin.ref(exportPath).get()).val() as StateExportRecord;
    const done = await runImportState(
      vms.stack,
      SPARE,
      { competitionId: COMP, sourceVmId: VM, digest: latest.digest },
      vms.spare,
    );
    expect(done.reason ?? '').toBe('');
    expect(done.status).toBe('succeeded');
    expect(done.output?.stdout).toContain('Untitled (restored)');
    const obs = await obsClient(vms.spareShow.obsWebsocketUrl);
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
    expect(existsSync(join(vms.stack.tmp, 'vms', SPARE, 'archive/local-archive/state'))).toBe(
      false,
    );
  });

  it('import_state of an export that does not exist fails and says why', async () => {
    const done = await runImportState(
      vms.stack,
      SPARE,
      { competitionId: COMP, sourceVmId: VM, digest: 'e'.repeat(64) },
      vms.spare,
    );
    expect(done.status).toBe('failed');
    expect(done.reason).toContain(
      `no export at local-archive/state/${COMP}/${'e'.repeat(64)}.json`,
    );
  });

  // OBS 29 saves once per change, and that save can race a scene created over obs-websocket:
  // the file lists the scene in scene_order without its source, and no later save comes
  // (agent/src/state/obs-config-files.ts). The export still holds the scene OBS runs.
  it('exports a scene OBS runs that its saved file lacks (OBS 29 racing save)', async () => {
    await createScene('Pommel Cam');
    // The file as OBS 29's racing save leaves it.
    const file = join(vms.stack.tmp, 'vms', VM, 'obs-config/basic/scenes/Untitled.json');
    const json = JSON.parse(await readFile(file, 'utf8')) as {
      scene_order?: { name: string }[];
      sources: { id: string; name: string }[];
    };
    // (The stand-in saved the scene as a source; OBS's racing save orders it but has no source.)
    json.scene_order = [...(json.scene_order ?? []), { name: 'Pommel Cam' }];
    json.sources = json.sources.filter((source) => source.name !== 'Pommel Cam');
    await writeFile(file, JSON.stringify(json));
    // The stand-in saves `settings: { items: [] }`; the agent completes a missing empty scene as
    // OBS writes one: the export of the raced file is the one with the agent's entry.
    const completedScene = async (record: StateExportRecord | null): Promise<boolean> => {
      if (record === null) return false;
      const bundle = JSON.parse(await readFile(archived(VM, record.key), 'utf8')) as {
        obs: { sceneCollection: { content: string } };
      };
      const { sources } = JSON.parse(bundle.obs.sceneCollection.content) as {
        sources: { id: string; name: string; settings?: { id_counter?: number } }[];
      };
      const scene = sources.find((source) => source.name === 'Pommel Cam');
      return scene?.id === 'scene' && scene.settings?.id_counter === 0;
    };
    const until = Date.now() + 30_000;
    let completed = (await vms.stack.admin.ref(exportPath).get()).val() as StateExportRecord | null;
    while (!(await completedScene(completed))) {
      if (Date.now() > until) throw new Error(`no completed export:\n${vms.agent.output()}`);
      await new Promise((resolve) => setTimeout(resolve, 250));
      completed = (await vms.stack.admin.ref(exportPath).get()).val() as StateExportRecord | null;
    }
    expect(completed?.obs.sceneCollection).toBe('Untitled');
    expect(vms.agent.output()).toContain("OBS's saved scene collection lacks scenes OBS runs");
  });
});

async function waitFor(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until)
      throw new Error(`timed out waiting for ${what}:\n${vms.agent.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
