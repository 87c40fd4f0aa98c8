// OBS 29's scene collections and profiles for the stand-in (issue 12), with OBS's own file
// layout in a config directory: `basic/scenes/<file>.json` (name in the JSON's `name`) and
// `basic/profiles/<dir>/basic.ini` (`[General] Name=`). It behaves as Debian's OBS 29.0.2 with
// obs-websocket 5.1 was seen to (agent/tests/state-real-obs.test.ts checks the agent against
// the real one):
// - GetSceneCollectionList and GetProfileList scan the directory each time;
// - SetCurrentSceneCollection / SetCurrentProfile switch only to entries of OBS's menus, which
//   OBS re-reads at start and when it creates or switches a collection (profile): a name whose
//   file appeared meanwhile is answered with success and nothing changes;
// - a name that is not in the directory is ResourceNotFound (600), CreateSceneCollection and
//   CreateProfile of an existing name ResourceAlreadyExists (601); creating one switches to it;
// - CreateScene adds the scene to the current collection and OBS saves the file.
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ObsEvent } from './simulation';

const CONFIG_INTENT = 1 << 1;
const SCENES_INTENT = 1 << 2;

export type ConfigAnswer =
  | { ok: true; data?: Record<string, unknown>; events?: ObsEvent[] }
  | { ok: false; code: number; comment: string };

interface CollectionFile {
  name?: unknown;
  current_program_scene?: unknown;
  sources?: { id?: unknown; name?: unknown }[];
}

const fileSafe = (name: string): string =>
  name.replace(/[^A-Za-z0-9 _-]/g, '').replace(/ /g, '_') || 'Untitled';

function collectionJson(name: string, scenes: readonly string[]): string {
  return JSON.stringify({
    name,
    current_scene: scenes[0] ?? '',
    current_program_scene: scenes[0] ?? '',
    scene_order: scenes.map((scene) => ({ name: scene })),
    sources: scenes.map((scene) => ({
      id: 'scene',
      versioned_id: 'scene',
      name: scene,
      settings: { items: [] },
    })),
  });
}

export class StandInObsConfig {
  private currentCollection: string;
  private currentProfile: string;
  private collectionMenu = new Set<string>();
  private profileMenu = new Set<string>();

  /** Creates the default collection and profile when the directory has none (OBS's first run). */
  constructor(
    private readonly dir: string,
    defaultScenes: readonly string[],
    private readonly onScenes: (scenes: string[], program: string | null) => void,
  ) {
    mkdirSync(join(dir, 'basic/scenes'), { recursive: true });
    mkdirSync(join(dir, 'basic/profiles'), { recursive: true });
    if (this.collections().size === 0) {
      writeFileSync(
        join(dir, 'basic/scenes/Untitled.json'),
        collectionJson('Untitled', defaultScenes),
      );
    }
    if (this.profiles().size === 0) {
      mkdirSync(join(dir, 'basic/profiles/Untitled'), { recursive: true });
      writeFileSync(
        join(dir, 'basic/profiles/Untitled/basic.ini'),
        '[General]\nName=Untitled\n\n[Output]\nMode=Simple\n',
      );
    }
    this.refreshMenus();
    this.currentCollection = [...this.collectionMenu].sort()[0]!;
    this.currentProfile = [...this.profileMenu].sort()[0]!;
    this.loadScenes();
  }

  /** Collection name → file (by the JSON's name), scanned now. */
  private collections(): Map<string, string> {
    const found = new Map<string, string>();
    const dir = join(this.dir, 'basic/scenes');
    for (const file of readdirSync(dir)
      .filter((f) => f.endsWith('.json'))
      .sort()) {
      try {
        const json = JSON.parse(readFileSync(join(dir, file), 'utf8')) as CollectionFile;
        const name = typeof json.name === 'string' ? json.name : file.slice(0, -5);
        if (!found.has(name)) found.set(name, join(dir, file));
      } catch {
        // not a collection
      }
    }
    return found;
  }

  /** Profile name → directory, scanned now. */
  private profiles(): Map<string, string> {
    const found = new Map<string, string>();
    const root = join(this.dir, 'basic/profiles');
    for (const entry of readdirSync(root, { withFileTypes: true })) {
      if (!entry.isDirectory()) continue;
      const ini = join(root, entry.name, 'basic.ini');
      const text = existsSync(ini) ? readFileSync(ini, 'utf8') : '';
      const name = /^\s*Name=(.*)$/m.exec(text)?.[1]?.trim() ?? entry.name;
      if (!found.has(name)) found.set(name, join(root, entry.name));
    }
    return found;
  }

  private refreshMenus(): void {
    this.collectionMenu = new Set(this.collections().keys());
    this.profileMenu = new Set(this.profiles().keys());
  }

  private loadScenes(): void {
    const file = this.collections().get(this.currentCollection);
    if (file === undefined) return;
    try {
      const json = JSON.parse(readFileSync(file, 'utf8')) as CollectionFile;
      const scenes = (json.sources ?? [])
        .filter((source) => source.id === 'scene' && typeof source.name === 'string')
        .map((source) => source.name as string);
      const program =
        typeof json.current_program_scene === 'string' ? json.current_program_scene : null;
      this.onScenes(scenes, program);
    } catch {
      // an unreadable collection loads empty in OBS; the stand-in keeps its scenes
    }
  }

  get collection(): string {
    return this.currentCollection;
  }

  get profile(): string {
    return this.currentProfile;
  }

  answer(requestType: string, data: Record<string, unknown>): ConfigAnswer | null {
    switch (requestType) {
      case 'GetSceneCollectionList':
        return {
          ok: true,
          data: {
            currentSceneCollectionName: this.currentCollection,
            sceneCollections: [...this.collections().keys()].sort(),
          },
        };
      case 'GetProfileList':
        return {
          ok: true,
          data: {
            currentProfileName: this.currentProfile,
            profiles: [...this.profiles().keys()].sort(),
          },
        };
      case 'SetCurrentSceneCollection':
        return this.switchCollection(data.sceneCollectionName);
      case 'CreateSceneCollection':
        return this.createCollection(data.sceneCollectionName);
      case 'SetCurrentProfile':
        return this.switchProfile(data.profileName);
      case 'CreateProfile':
        return this.createProfile(data.profileName);
      case 'CreateScene':
        return this.createScene(data.sceneName);
      default:
        return null;
    }
  }

  private missing(field: string): ConfigAnswer {
    return { ok: false, code: 300, comment: `Your request is missing the \`${field}\` field.` };
  }

  private switchCollection(name: unknown): ConfigAnswer {
    if (typeof name !== 'string' || name === '') return this.missing('sceneCollectionName');
    if (!this.collections().has(name)) {
      return {
        ok: false,
        code: 600,
        comment: 'No scene collection exists by that name.',
      };
    }
    if (!this.collectionMenu.has(name) || name === this.currentCollection) return { ok: true };
    return { ok: true, events: this.changeCollection(name) };
  }

  private changeCollection(name: string): ObsEvent[] {
    const before = this.currentCollection;
    this.currentCollection = name;
    this.refreshMenus();
    this.loadScenes();
    return [
      config('CurrentSceneCollectionChanging', { sceneCollectionName: before }),
      config('CurrentSceneCollectionChanged', { sceneCollectionName: name }),
    ];
  }

  private createCollection(name: unknown): ConfigAnswer {
    if (typeof name !== 'string' || name === '') return this.missing('sceneCollectionName');
    if (this.collections().has(name)) {
      return { ok: false, code: 601, comment: 'A scene collection already exists by that name.' };
    }
    writeFileSync(
      join(this.dir, 'basic/scenes', `${fileSafe(name)}.json`),
      collectionJson(name, ['Scene']),
    );
    const listChanged = config('SceneCollectionListChanged', {
      sceneCollections: [...this.collections().keys()].sort(),
    });
    return { ok: true, events: [listChanged, ...this.changeCollection(name)] };
  }

  private switchProfile(name: unknown): ConfigAnswer {
    if (typeof name !== 'string' || name === '') return this.missing('profileName');
    if (!this.profiles().has(name)) {
      return { ok: false, code: 600, comment: 'No profile exists by that name.' };
    }
    if (!this.profileMenu.has(name) || name === this.currentProfile) return { ok: true };
    return { ok: true, events: this.changeProfile(name) };
  }

  private changeProfile(name: string): ObsEvent[] {
    const before = this.currentProfile;
    this.currentProfile = name;
    this.refreshMenus();
    return [
      config('CurrentProfileChanging', { profileName: before }),
      config('CurrentProfileChanged', { profileName: name }),
    ];
  }

  private createProfile(name: unknown): ConfigAnswer {
    if (typeof name !== 'string' || name === '') return this.missing('profileName');
    if (this.profiles().has(name)) {
      return { ok: false, code: 601, comment: 'A profile already exists by that name.' };
    }
    const dir = join(this.dir, 'basic/profiles', fileSafe(name));
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'basic.ini'), `[General]\nName=${name}\n`);
    const listChanged = config('ProfileListChanged', {
      profiles: [...this.profiles().keys()].sort(),
    });
    return { ok: true, events: [listChanged, ...this.changeProfile(name)] };
  }

  private createScene(name: unknown): ConfigAnswer {
    if (typeof name !== 'string' || name === '') return this.missing('sceneName');
    const file = this.collections().get(this.currentCollection);
    if (file === undefined) return { ok: false, code: 600, comment: 'No current collection.' };
    const json = JSON.parse(readFileSync(file, 'utf8')) as CollectionFile & Record<string, unknown>;
    const sources = json.sources ?? [];
    if (sources.some((source) => source.name === name)) {
      return { ok: false, code: 601, comment: 'A source already exists by that scene name.' };
    }
    json.sources = [...sources, { id: 'scene', name }];
    writeFileSync(file, JSON.stringify(json));
    this.loadScenes();
    return {
      ok: true,
      events: [
        {
          eventType: 'SceneCreated',
          intent: SCENES_INTENT,
          eventData: { sceneName: name, isGroup: false },
        },
      ],
    };
  }
}

function config(eventType: string, eventData: Record<string, unknown>): ObsEvent {
  return { eventType, intent: CONFIG_INTENT, eventData };
}
