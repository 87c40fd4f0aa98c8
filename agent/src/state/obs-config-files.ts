// OBS's own files for the state export (issue 12). OBS 29 (Debian, as on the AMI) keeps each
// scene collection in `basic/scenes/<file>.json` (the collection's name is the JSON's `name`;
// the file name is a file-safe form of it) and each profile in `basic/profiles/<dir>/`
// (`basic.ini` names it in `[General] Name=`, beside service.json, streamEncoder.json, …).
// obs-websocket 5 names the current collection and profile but cannot hand over their content,
// so the agent reads and writes these files; obs-websocket switches OBS to them.
import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import type { StateBundle } from '@vmpool/core';

const SCENES_DIR = 'basic/scenes';
const PROFILES_DIR = 'basic/profiles';
/** A profile file larger than this is not OBS's (recordings never live there). */
const MAX_PROFILE_FILE_BYTES = 256 * 1024;

/** A name as OBS 29 makes it file-safe (os_generate_formatted_filename aside): spaces to _. */
export function fileSafeName(name: string): string {
  const safe = name.replace(/[^A-Za-z0-9 _-]/g, '').replace(/ /g, '_');
  return safe === '' ? 'Restored' : safe;
}

async function listJson(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir)).filter((name) => name.endsWith('.json')).sort();
  } catch {
    return [];
  }
}

/** The collection file of `name`: the one whose JSON `name` it is, else `<name>.json`. */
export async function findSceneCollectionFile(
  obsConfigDir: string,
  name: string,
): Promise<string | null> {
  const dir = join(obsConfigDir, SCENES_DIR);
  const files = await listJson(dir);
  for (const file of files) {
    try {
      const json = JSON.parse(await readFile(join(dir, file), 'utf8')) as { name?: unknown };
      if (json.name === name) return `${SCENES_DIR}/${file}`;
    } catch {
      // a half-written or foreign file: not this collection
    }
  }
  const byName = `${fileSafeName(name)}.json`;
  return files.includes(byName) ? `${SCENES_DIR}/${byName}` : null;
}

function iniName(ini: string): string | null {
  let section = '';
  for (const line of ini.split(/\r?\n/)) {
    const header = /^\s*\[(.+)\]\s*$/.exec(line);
    if (header) section = header[1]!;
    else if (section === 'General') {
      const match = /^\s*Name=(.*)$/.exec(line);
      if (match) return match[1]!.trim();
    }
  }
  return null;
}

/** The profile directory of `name` (by `basic.ini`'s Name, else the directory name). */
export async function findProfileDir(obsConfigDir: string, name: string): Promise<string | null> {
  const root = join(obsConfigDir, PROFILES_DIR);
  let dirs: string[];
  try {
    dirs = (await readdir(root, { withFileTypes: true }))
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name)
      .sort();
  } catch {
    return null;
  }
  for (const dir of dirs) {
    const ini = await readFile(join(root, dir, 'basic.ini'), 'utf8').catch(() => null);
    if (ini !== null && iniName(ini) === name) return `${PROFILES_DIR}/${dir}`;
  }
  return dirs.includes(name) ? `${PROFILES_DIR}/${name}` : null;
}

/** Reads the current collection and profile into a bundle (the profile may be missing). */
export async function readObsState(
  obsConfigDir: string,
  current: { sceneCollection: string; profile: string | null },
): Promise<StateBundle> {
  const file = await findSceneCollectionFile(obsConfigDir, current.sceneCollection);
  if (file === null) {
    throw new Error(
      `OBS's scene collection "${current.sceneCollection}" has no file in ${SCENES_DIR} yet`,
    );
  }
  const content = await readFile(join(obsConfigDir, file), 'utf8');
  let profile: NonNullable<StateBundle['obs']['profile']> | null = null;
  const dir = current.profile === null ? null : await findProfileDir(obsConfigDir, current.profile);
  if (current.profile !== null && dir !== null) {
    const files: Record<string, string> = {};
    for (const entry of (await readdir(join(obsConfigDir, dir), { withFileTypes: true })).sort(
      (a, b) => a.name.localeCompare(b.name),
    )) {
      if (!entry.isFile() || !/\.(ini|json)$/.test(entry.name)) continue;
      const text = await readFile(join(obsConfigDir, dir, entry.name), 'utf8');
      if (text.length <= MAX_PROFILE_FILE_BYTES) files[entry.name] = text;
    }
    profile = { name: current.profile, dir, files };
  }
  return {
    format: 'vmpool-state/1',
    obs: { sceneCollection: { name: current.sceneCollection, file, content }, profile },
    showServer: null,
  };
}

// --- OBS 29's racing save of a new scene
// OBS 29 saves the scene collection once per change, on its UI thread. A scene created off that
// thread (obs-websocket's CreateScene) is announced to the UI (which lists it and queues the
// save) before libobs adds it to the sources it saves (libobs obs_source_create_internal: the
// `source_create` signal comes before obs_source_init_finalize). Under load the save wins: the
// file names the scene in `scene_order` but has no source for it, and nothing saves again until
// the next change, so waiting or re-reading the file never finds it. Such a scene is empty (an
// item added to it makes OBS save again, with the scene): the export completes the collection
// with the entry of an empty scene, which OBS loads back (missing fields take OBS's defaults).

interface SourceJson {
  id?: unknown;
  name?: unknown;
  [key: string]: unknown;
}

interface CollectionJson {
  scene_order?: { name?: unknown }[];
  sources?: SourceJson[];
  [key: string]: unknown;
}

function parseCollection(content: string): CollectionJson | null {
  try {
    const json = JSON.parse(content) as unknown;
    return typeof json === 'object' && json !== null && !Array.isArray(json)
      ? (json as CollectionJson)
      : null;
  } catch {
    return null;
  }
}

/** OBS's live scenes (by name) that the saved collection has no scene source for. */
export function scenesMissingFromCollection(
  content: string,
  liveScenes: readonly string[],
): string[] {
  const collection = parseCollection(content);
  if (collection === null) return [];
  const saved = new Set(
    (Array.isArray(collection.sources) ? collection.sources : [])
      .filter((source) => source?.id === 'scene' && typeof source.name === 'string')
      .map((source) => source.name as string),
  );
  return liveScenes.filter((name) => !saved.has(name));
}

/** The collection with an empty scene's entry (and its place in scene_order) for each name. */
export function withEmptyScenes(content: string, names: readonly string[]): string {
  const collection = parseCollection(content);
  if (collection === null || names.length === 0) return content;
  const sources = Array.isArray(collection.sources) ? [...collection.sources] : [];
  const order = Array.isArray(collection.scene_order) ? [...collection.scene_order] : [];
  for (const name of names) {
    sources.push({
      id: 'scene',
      versioned_id: 'scene',
      name,
      settings: { custom_size: false, id_counter: 0, items: [] },
    });
    if (!order.some((entry) => entry?.name === name)) order.push({ name });
  }
  return JSON.stringify({ ...collection, scene_order: order, sources });
}
// ---

/** `path` inside `root`, or an error (a bundle never writes outside OBS's config directory). */
function inside(root: string, path: string): string {
  const full = resolve(root, path);
  const rel = relative(resolve(root), full);
  if (rel === '' || rel.startsWith('..') || rel.startsWith(sep)) {
    throw new Error(`refusing to write outside OBS's configuration: ${path}`);
  }
  return full;
}

async function writeAtomically(path: string, content: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temporary = `${path}.${process.pid}.vmpool-tmp`;
  await writeFile(temporary, content);
  await rename(temporary, path);
}

/**
 * Writes a bundle's collection and profile where OBS reads them, under the names given (the
 * caller picks names OBS is not using, because OBS saves its current collection over its own
 * file when it switches away). Returns the files written, relative to the config directory.
 */
export async function writeObsState(
  obsConfigDir: string,
  bundle: StateBundle,
  names: { sceneCollection: string; profile: string | null },
): Promise<string[]> {
  const written: string[] = [];
  const collectionFile = `${SCENES_DIR}/${fileSafeName(names.sceneCollection)}.json`;
  let collection: Record<string, unknown>;
  try {
    collection = JSON.parse(bundle.obs.sceneCollection.content) as Record<string, unknown>;
  } catch (error) {
    throw new Error(`the saved scene collection is not JSON: ${(error as Error).message}`);
  }
  collection.name = names.sceneCollection;
  await writeAtomically(inside(obsConfigDir, collectionFile), JSON.stringify(collection));
  written.push(collectionFile);
  const profile = bundle.obs.profile;
  if (profile !== null && names.profile !== null) {
    const dir = `${PROFILES_DIR}/${fileSafeName(names.profile)}`;
    for (const [file, text] of Object.entries(profile.files)) {
      const content =
        file === 'basic.ini' ? text.replace(/^(\s*Name=).*$/m, `$1${names.profile}`) : text;
      await writeAtomically(inside(obsConfigDir, `${dir}/${file}`), content);
      written.push(`${dir}/${file}`);
    }
  }
  return written;
}
