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
import {
  assertRealObsPrerequisites,
  startRealObs,
  startXvfb,
  type Managed,
  type RealObs,
} from './helpers/real-obs';
import {
  killAgent,
  startRegisteredAgent,
  startStack,
  waitForValue,
  type AgentProcess,
  type TestStack,
} from './helpers/stack';

const LONG = 240_000;
const VM = 'vm-361';
const COMP = 'comp-real-obs';
let xvfb: Managed & { display: string };
let obs: RealObs;
let real: ObsClient;
let stack: TestStack;
let agent: AgentProcess;
let standIn: ShowServer;
const events: string[] = [];

beforeAll(async () => {
  assertRealObsPrerequisites();
  xvfb = await startXvfb();
  obs = await startRealObs(xvfb.display);
  for (let attempt = 0; ; attempt += 1) {
    try {
      real = await ObsClient.connect({
        url: obs.url,
        password: obs.password,
        eventSubscriptions: AGENT_EVENT_SUBSCRIPTIONS,
        timeoutMs: 10_000,
        onEvent: (eventType) => events.push(eventType),
      });
      break;
    } catch (error) {
      if (attempt >= 20) throw error;
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }
  stack = await startStack();
  // The local VM's obs-config is the real OBS's configuration directory.
  await mkdir(join(stack.tmp, 'vms', VM), { recursive: true });
  await symlink(join(obs.home, '.config/obs-studio'), join(stack.tmp, 'vms', VM, 'obs-config'));
  agent = await startRegisteredAgent(stack, VM, [
    '--obs-websocket-url',
    obs.url,
    '--obs-websocket-password',
    obs.password,
    // OBS may save a change seconds after its event: the period catches what the event missed.
    '--state-export-interval-seconds',
    '10',
  ]);
  standIn = await startShowServer({
    port: 0,
    obsConfigDir: join(stack.tmp, 'standin-obs-config'),
  });
}, LONG);

afterAll(async () => {
  real?.close();
  if (agent) await killAgent(agent);
  await standIn?.stop();
  await stack?.stop();
  await obs?.dispose();
  await xvfb?.kill();
}, LONG);

const exportPath = `vmPool/stateExports/${COMP}`;

describe('state export and import with the real OBS', () => {
  let withScene: StateExportRecord;

  it("exports OBS 29's own collection and profile when the VM goes in_use", async () => {
    await stack.admin.ref(`vmPool/vms/${VM}`).update({ status: 'in_use', assignedTo: COMP });
    const first = await waitForValue<StateExportRecord>(
      stack.admin,
      exportPath,
      (record) => record?.vmId === VM,
      60_000,
      agent,
    );
    expect(first.obs).toEqual({ sceneCollection: 'vmpool', profile: 'vmpool' });
    const bundle = JSON.parse(
      await readFile(join(stack.tmp, 'vms', VM, 'archive/local-archive', first.key), 'utf8'),
    ) as {
      obs: {
        sceneCollection: { file: string; content: string };
        profile: { dir: string; files: Record<string, string> };
      };
    };
    expect(bundle.obs.sceneCollection.file).toBe('basic/scenes/vmpool.json');
    expect(JSON.parse(bundle.obs.sceneCollection.content)).toMatchObject({ name: 'vmpool' });
    expect(bundle.obs.profile.dir).toBe('basic/profiles/vmpool');
    expect(Object.keys(bundle.obs.profile.files)).toEqual(
      expect.arrayContaining(['basic.ini', 'service.json']),
    );
  });

  it('exports again after a scene is created, until OBS has saved all of it', async () => {
    await real.call('CreateScene', { sceneName: 'Vault Cam' });
    // OBS saves the collection more than once after a change (under load its first save listed
    // the new scene in scene_order only): the exports follow until OBS's file holds the source.
    const sceneSources = async (record: StateExportRecord | null): Promise<string[]> => {
      if (record === null) return [];
      const bundle = JSON.parse(
        await readFile(join(stack.tmp, 'vms', VM, 'archive/local-archive', record.key), 'utf8'),
      ) as { obs: { sceneCollection: { content: string } } };
      const json = JSON.parse(bundle.obs.sceneCollection.content) as {
        sources: { id: string; name: string }[];
      };
      return json.sources.filter((source) => source.id === 'scene').map((source) => source.name);
    };
    const until = Date.now() + 60_000;
    for (;;) {
      const record = (await stack.admin.ref(exportPath).get()).val() as StateExportRecord | null;
      if ((await sceneSources(record)).includes('Vault Cam')) {
        withScene = record!;
        break;
      }
      if (Date.now() > until) throw new Error(`no export with the scene:\n${agent.output()}`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    expect(events.some((type) => STATE_CHANGE_EVENTS.has(type))).toBe(true);
  });

  it('import_state loads the export into OBS: the restored collection, with its scene, and profile', async () => {
    await real.call('RemoveScene', { sceneName: 'Vault Cam' });
    const command = stack.admin.ref(`vmPool/commands/${VM}`).push();
    await command.set({
      op: 'import_state',
      args: { competitionId: COMP, sourceVmId: VM, digest: withScene.digest },
      requestedBy: 'system',
      requestedAt: Date.now(),
    });
    const done = await waitForValue<{
      status?: string;
      reason?: string;
      output?: { stdout: string; stderr: string };
    }>(
      stack.admin,
      `vmPool/commands/${VM}/${command.key ?? ''}`,
      (node) =>
        ['succeeded', 'failed', 'timed_out', 'rejected', 'expired'].includes(node?.status ?? ''),
      60_000,
      agent,
    );
    expect(done.reason ?? '').toBe('');
    expect(done.status).toBe('succeeded');
    expect(done.output?.stdout).toContain('Vault Cam');
    const collections = await real.call<{ currentSceneCollectionName: string }>(
      'GetSceneCollectionList',
    );
    expect(collections.currentSceneCollectionName).toBe('vmpool (restored)');
    const profiles = await real.call<{ currentProfileName: string }>('GetProfileList');
    expect(profiles.currentProfileName).toBe('vmpool (restored)');
    const scenes = await real.call<{ scenes: { sceneName: string }[] }>('GetSceneList');
    expect(scenes.scenes.map((scene) => scene.sceneName)).toContain('Vault Cam');
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
