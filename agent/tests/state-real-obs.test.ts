// Issue 12 against the real OBS (Debian obs-studio 29, obs-websocket 5.1) headless under Xvfb:
// the agent process exports OBS's own scene collection and profile while its VM is in_use (at
// once, and after a scene is created), and `import_state` loads an export back into OBS,
// which then runs the restored collection (with the scene) and profile. The local VM's
// obs-config is OBS's config directory. Also: the OBS stand-in answers the collection and
// profile requests with the same shapes. Slow by nature (OBS needs ~20-60 s to start on a
// loaded 2-core machine); nothing skipped: without OBS, Xvfb or ffmpeg the setup fails.
import { mkdir, readFile, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StateExportRecord } from '@vmpool/core';
import { startShowServer, type ShowServer } from '@vmpool/local/show-server';
import { ObsClient } from '../src/obs/client';
import { AGENT_EVENT_SUBSCRIPTIONS } from '../src/obs/obs-link';
import { STATE_CHANGE_EVENTS } from '../src/state/export-loop';
import { startRealObsSession, type RealObsSession } from './support/real-obs';
import {
  killAgent,
  startRegisteredAgent,
  startStack,
  waitForValue,
  type AgentProcess,
  type TestStack,
} from './support/stack';
import { runImportState } from './support/state-export';

const LONG = 240_000;
const VM = 'vm-361';
const COMP = 'comp-real-obs';
let session: RealObsSession;
let real: ObsClient;
let stack: TestStack;
let agent: AgentProcess;
let standIn: ShowServer;
const events: string[] = [];

beforeAll(async () => {
  session = await startRealObsSession({
    eventSubscriptions: AGENT_EVENT_SUBSCRIPTIONS,
    onEvent: (eventType) => events.push(eventType),
  });
  real = session.client;
  stack = await startStack();
  // The local VM's obs-config is the real OBS's configuration directory.
  await mkdir(join(stack.tmp, 'vms', VM), { recursive: true });
  await symlink(
    join(session.obs.home, '.config/obs-studio'),
    join(stack.tmp, 'vms', VM, 'obs-config'),
  );
  agent = await startRegisteredAgent(stack, VM, [
    '--obs-websocket-url',
    session.obs.url,
    '--obs-websocket-password',
    session.obs.password,
    '--state-export-interval-seconds',
    '10',
  ]);
  standIn = await startShowServer({
    port: 0,
    obsConfigDir: join(stack.tmp, 'standin-obs-config'),
  });
  // The VM is in_use for the whole file: it exports from now on, and each test finds its own
  // export (none needs another's).
  await stack.admin.ref(`vmPool/vms/${VM}`).update({ status: 'in_use', assignedTo: COMP });
}, LONG);

afterAll(async () => {
  if (agent) await killAgent(agent);
  await standIn?.stop();
  await stack?.stop();
  await session?.stop();
}, LONG);

const exportPath = `vmPool/stateExports/${COMP}`;

interface Bundle {
  obs: {
    sceneCollection: { file: string; content: string };
    profile: { dir: string; files: Record<string, string> };
  };
}

async function bundleOf(record: StateExportRecord): Promise<Bundle> {
  const path = join(stack.tmp, 'vms', VM, 'archive/local-archive', record.key);
  return JSON.parse(await readFile(path, 'utf8')) as Bundle;
}

/** The scenes (scene sources) of an export's collection. */
async function scenesOf(record: StateExportRecord): Promise<string[]> {
  const json = JSON.parse((await bundleOf(record)).obs.sceneCollection.content) as {
    sources: { id: string; name: string }[];
  };
  return json.sources.filter((source) => source.id === 'scene').map((source) => source.name);
}

/** Waits for the latest export to hold the scene `name`. */
async function exportWithScene(name: string): Promise<StateExportRecord> {
  const until = Date.now() + 60_000;
  for (;;) {
    const record = (await stack.admin.ref(exportPath).get()).val() as StateExportRecord | null;
    if (record !== null && (await scenesOf(record)).includes(name)) return record;
    if (Date.now() > until) {
      throw new Error(`no export with the scene ${name}:\n${agent.output()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

describe('state export and import with the real OBS', () => {
  it("exports OBS 29's own collection and profile when the VM goes in_use", async () => {
    const first = await waitForValue<StateExportRecord>(
      stack.admin,
      exportPath,
      (record) => record?.vmId === VM,
      60_000,
      agent,
    );
    expect(first.obs).toEqual({ sceneCollection: 'vmpool', profile: 'vmpool' });
    const bundle = await bundleOf(first);
    expect(bundle.obs.sceneCollection.file).toBe('basic/scenes/vmpool.json');
    expect(JSON.parse(bundle.obs.sceneCollection.content)).toMatchObject({ name: 'vmpool' });
    expect(bundle.obs.profile.dir).toBe('basic/profiles/vmpool');
    expect(Object.keys(bundle.obs.profile.files)).toEqual(
      expect.arrayContaining(['basic.ini', 'service.json']),
    );
  });

  it('exports again after a scene is created, with the scene even when OBS saved it partly', async () => {
    await real.call('CreateScene', { sceneName: 'Vault Cam' });
    // OBS 29 saves once per change, and its save can race a scene created over obs-websocket
    // (the file lists it in scene_order only): the export holds the scene all the same
    // (agent/src/state/obs-config-files.ts).
    await exportWithScene('Vault Cam');
    expect(events.some((type) => STATE_CHANGE_EVENTS.has(type))).toBe(true);
  });

  it('import_state loads an export into OBS: the restored collection, with its scene, and profile', async () => {
    // An export of its own, with a scene OBS then no longer has.
    await real.call('CreateScene', { sceneName: 'Floor Cam' });
    const exported = await exportWithScene('Floor Cam');
    await real.call('RemoveScene', { sceneName: 'Floor Cam' });
    const done = await runImportState(
      stack,
      VM,
      { competitionId: COMP, sourceVmId: VM, digest: exported.digest },
      agent,
      60_000,
    );
    expect(done.reason ?? '').toBe('');
    expect(done.status).toBe('succeeded');
    expect(done.output?.stdout).toContain('Floor Cam');
    const collections = await real.call<{ currentSceneCollectionName: string }>(
      'GetSceneCollectionList',
    );
    expect(collections.currentSceneCollectionName).toBe('vmpool (restored)');
    const profiles = await real.call<{ currentProfileName: string }>('GetProfileList');
    expect(profiles.currentProfileName).toBe('vmpool (restored)');
    const scenes = await real.call<{ scenes: { sceneName: string }[] }>('GetSceneList');
    expect(scenes.scenes.map((scene) => scene.sceneName)).toContain('Floor Cam');
  });

  it('the OBS stand-in answers the collection and profile requests with the same shapes', async () => {
    const stand = await ObsClient.connect({
      url: standIn.obsWebsocketUrl,
      eventSubscriptions: 0,
      timeoutMs: 10_000,
    });
    try {
      for (const requestType of ['GetSceneCollectionList', 'GetProfileList']) {
        const [ours, theirs] = await Promise.all([
          stand.call<Record<string, unknown>>(requestType),
          real.call<Record<string, unknown>>(requestType),
        ]);
        expect(Object.keys(ours).sort()).toEqual(Object.keys(theirs).sort());
      }
      // A name OBS has no file for: both refuse with ResourceNotFound.
      const missing = async (client: ObsClient) =>
        client
          .call('SetCurrentSceneCollection', { sceneCollectionName: 'no such collection' })
          .then(
            () => 'succeeded',
            (error: { code?: number }) => error.code,
          );
      expect(await missing(stand)).toBe(await missing(real));
    } finally {
      stand.close();
    }
  });
});
