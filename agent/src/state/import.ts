// `import_state` (issue 12): fetches a saved export from the archive, checks it, writes its
// scene collection and profile where OBS reads them and switches OBS to them over
// obs-websocket. OBS 29 switches only to collections and profiles in its menus, which it
// re-reads when it creates or changes one, not when a file appears (checked against Debian's
// OBS 29.0.2: SetCurrentSceneCollection to a file written meanwhile answers success and does
// nothing). So the import switches to a scratch collection (and profile) first, which refreshes
// the menus, then to the restored one, and waits until OBS reports it current.
import { createHash } from 'node:crypto';
import { parseStateBundle, stateExportKey, type CommandArgs, type StateBundle } from '@vmpool/core';
import type { ObsClient } from '../obs/client';
import type { StateArchive } from './archive';
import { writeObsState } from './obs-config-files';

/** The scratch collection and profile an import passes through (left in OBS's lists). */
export const RESTORE_SCRATCH_NAME = 'vmpool restore';
const SWITCH_TIMEOUT_MS = 5_000;
const POLL_MS = 250;

export interface ImportDeps {
  archive: StateArchive;
  obsConfigDir: string;
  /** The connected OBS, or null (the import then fails: nothing to load into). */
  obs: () => ObsClient | null;
  sleep: (ms: number) => Promise<void>;
}

interface CollectionList {
  currentSceneCollectionName: string;
  sceneCollections: string[];
}
interface ProfileList {
  currentProfileName: string;
  profiles: string[];
}

/** A name for the restored copy that OBS is not using now (switching away would overwrite it). */
export function restoredName(original: string, current: string): string {
  if (original !== current && original !== RESTORE_SCRATCH_NAME) return original;
  return `${original} (restored)`;
}

async function loadBundle(deps: ImportDeps, args: CommandArgs['import_state']) {
  const key = stateExportKey(args.competitionId, args.digest);
  const body = await deps.archive.get(args.sourceVmId, key);
  if (body === null) {
    throw new Error(`no export at ${deps.archive.bucket}/${key} (exported by ${args.sourceVmId})`);
  }
  const digest = createHash('sha256').update(body).digest('hex');
  if (digest !== args.digest) {
    throw new Error(`the export at ${key} is damaged (sha-256 ${digest.slice(0, 12)}…)`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(body.toString('utf8'));
  } catch (error) {
    throw new Error(`the export at ${key} is not JSON: ${(error as Error).message}`);
  }
  const bundle = parseStateBundle(raw);
  if (!bundle.ok) throw new Error(`the export at ${key} is invalid: ${bundle.errors.join('; ')}`);
  return bundle.value;
}

async function until(deps: ImportDeps, what: string, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + SWITCH_TIMEOUT_MS;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) {
      throw new Error(`OBS did not switch to ${what} within ${SWITCH_TIMEOUT_MS / 1000} s`);
    }
    await deps.sleep(POLL_MS);
  }
}

async function switchCollection(deps: ImportDeps, obs: ObsClient, name: string): Promise<void> {
  const list = await obs.call<CollectionList>('GetSceneCollectionList');
  if (list.currentSceneCollectionName !== RESTORE_SCRATCH_NAME) {
    if (list.sceneCollections.includes(RESTORE_SCRATCH_NAME)) {
      await obs.call('SetCurrentSceneCollection', { sceneCollectionName: RESTORE_SCRATCH_NAME });
    } else {
      await obs.call('CreateSceneCollection', { sceneCollectionName: RESTORE_SCRATCH_NAME });
    }
    await until(deps, `the scene collection "${RESTORE_SCRATCH_NAME}"`, async () => {
      const now = await obs.call<CollectionList>('GetSceneCollectionList');
      return now.currentSceneCollectionName === RESTORE_SCRATCH_NAME;
    });
  }
  await obs.call('SetCurrentSceneCollection', { sceneCollectionName: name });
  await until(deps, `the scene collection "${name}"`, async () => {
    const now = await obs.call<CollectionList>('GetSceneCollectionList');
    return now.currentSceneCollectionName === name;
  });
}

async function switchProfile(deps: ImportDeps, obs: ObsClient, name: string): Promise<void> {
  const list = await obs.call<ProfileList>('GetProfileList');
  if (list.currentProfileName !== RESTORE_SCRATCH_NAME) {
    if (list.profiles.includes(RESTORE_SCRATCH_NAME)) {
      await obs.call('SetCurrentProfile', { profileName: RESTORE_SCRATCH_NAME });
    } else {
      await obs.call('CreateProfile', { profileName: RESTORE_SCRATCH_NAME });
    }
    await until(deps, `the profile "${RESTORE_SCRATCH_NAME}"`, async () => {
      const now = await obs.call<ProfileList>('GetProfileList');
      return now.currentProfileName === RESTORE_SCRATCH_NAME;
    });
  }
  await obs.call('SetCurrentProfile', { profileName: name });
  await until(deps, `the profile "${name}"`, async () => {
    const now = await obs.call<ProfileList>('GetProfileList');
    return now.currentProfileName === name;
  });
}

/** The scenes a saved collection holds (its `scene` sources). */
export function scenesOf(bundle: StateBundle): string[] {
  try {
    const json = JSON.parse(bundle.obs.sceneCollection.content) as {
      sources?: { id?: unknown; name?: unknown }[];
    };
    return (json.sources ?? [])
      .filter((source) => source.id === 'scene' && typeof source.name === 'string')
      .map((source) => source.name as string);
  } catch {
    return [];
  }
}

/** Runs the import; resolves with what it did in words, rejects with why it could not. */
export async function importState(
  deps: ImportDeps,
  args: CommandArgs['import_state'],
): Promise<string> {
  const bundle: StateBundle = await loadBundle(deps, args);
  const obs = deps.obs();
  if (obs === null) throw new Error('OBS is not connected: nothing to load the export into');
  const collections = await obs.call<CollectionList>('GetSceneCollectionList');
  const profiles = await obs.call<ProfileList>('GetProfileList');
  const names = {
    sceneCollection: restoredName(
      bundle.obs.sceneCollection.name,
      collections.currentSceneCollectionName,
    ),
    profile:
      bundle.obs.profile === null
        ? null
        : restoredName(bundle.obs.profile.name, profiles.currentProfileName),
  };
  const written = await writeObsState(deps.obsConfigDir, bundle, names);
  if (names.profile !== null) await switchProfile(deps, obs, names.profile);
  await switchCollection(deps, obs, names.sceneCollection);
  // OBS names the new collection current before it has loaded it: wait for its scenes.
  const expected = scenesOf(bundle);
  let scenes = { scenes: [] as { sceneName: string }[] };
  await until(
    deps,
    `the scenes of "${names.sceneCollection}" (${expected.join(', ')})`,
    async () => {
      scenes = await obs.call<{ scenes: { sceneName: string }[] }>('GetSceneList');
      const loaded = new Set(scenes.scenes.map((scene) => scene.sceneName));
      return expected.every((scene) => loaded.has(scene));
    },
  );
  const profileText = names.profile === null ? '' : ` and profile "${names.profile}"`;
  return [
    `Imported ${args.sourceVmId}'s export ${args.digest.slice(0, 12)} of ${args.competitionId}.`,
    `OBS now runs scene collection "${names.sceneCollection}"${profileText}; scenes: ${scenes.scenes.map((scene) => scene.sceneName).join(', ')}.`,
    `Files written: ${written.join(', ')}`,
  ].join('\n');
}
