// OBS 29's racing save of a scene created over obs-websocket (see obs-config-files.ts): its file
// names the scene in scene_order without a source for it, and OBS does not save again until the
// next change. The export completes such a collection with the empty scene OBS runs.
import { describe, expect, it } from 'vitest';
import { scenesMissingFromCollection, withEmptyScenes } from './obs-config-files';

/** The shape of OBS 29.0.2's file after that save (agent/tests/state-real-obs.test.ts, CI). */
const RACED_SAVE = JSON.stringify({
  current_program_scene: 'Scene',
  current_scene: 'Scene',
  current_transition: 'Fade',
  groups: [],
  modules: {},
  name: 'vmpool',
  quick_transitions: [],
  saved_projectors: [],
  scene_order: [{ name: 'Scene' }, { name: 'Vault Cam' }],
  sources: [
    {
      balance: 0.5,
      deinterlace_field_order: 0,
      enabled: true,
      flags: 0,
      hotkeys: { 'OBSBasic.SelectScene': [] },
      id: 'scene',
      mixers: 0,
      monitoring_type: 0,
      muted: false,
      name: 'Scene',
      prev_ver: 486539266,
      private_settings: {},
      settings: { custom_size: false, id_counter: 0, items: [] },
      sync: 0,
      versioned_id: 'scene',
      volume: 1.0,
    },
    { id: 'color_source_v3', versioned_id: 'color_source_v3', name: 'Vault Cam Feed' },
  ],
  transition_duration: 300,
  transitions: [],
});

interface Collection {
  name: string;
  scene_order: { name: string }[];
  sources: { id: string; name: string; settings?: unknown }[];
}

describe("completing OBS 29's saved scene collection", () => {
  it('finds the live scenes the file has no scene source for (a source of another kind does not count)', () => {
    expect(scenesMissingFromCollection(RACED_SAVE, ['Vault Cam', 'Scene'])).toEqual(['Vault Cam']);
    expect(scenesMissingFromCollection(RACED_SAVE, ['Scene'])).toEqual([]);
    expect(scenesMissingFromCollection(RACED_SAVE, ['Vault Cam Feed'])).toEqual(['Vault Cam Feed']);
    // Not OBS's JSON: nothing to say about it.
    expect(scenesMissingFromCollection('{"name":', ['Scene'])).toEqual([]);
  });

  it('adds the empty scene OBS runs, keeping everything OBS saved and its scene order', () => {
    const completed = JSON.parse(withEmptyScenes(RACED_SAVE, ['Vault Cam'])) as Collection;
    const original = JSON.parse(RACED_SAVE) as Collection;
    expect(completed.sources.slice(0, 2)).toEqual(original.sources);
    expect(completed.sources[2]).toEqual({
      id: 'scene',
      versioned_id: 'scene',
      name: 'Vault Cam',
      settings: { custom_size: false, id_counter: 0, items: [] },
    });
    expect(completed.scene_order).toEqual(original.scene_order);
    expect(completed.name).toBe('vmpool');
    expect(scenesMissingFromCollection(JSON.stringify(completed), ['Scene', 'Vault Cam'])).toEqual(
      [],
    );
  });

  it('puts a scene the file does not order at all at the end of scene_order', () => {
    const completed = JSON.parse(withEmptyScenes(RACED_SAVE, ['Floor'])) as Collection;
    expect(completed.scene_order.map((entry) => entry.name)).toEqual([
      'Scene',
      'Vault Cam',
      'Floor',
    ]);
  });

  it('leaves the file as it is when nothing is missing', () => {
    expect(withEmptyScenes(RACED_SAVE, [])).toBe(RACED_SAVE);
  });
});
