import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadStrictRules } from './build';
import { mergeRules } from './merge';
import { applyProfile, type RulesProfile } from './profiles';
import { child, parseRulesText, type LoadedRules, type RuleNode } from './source';

const strict = (() => {
  const loaded = loadStrictRules();
  if (!loaded.ok) throw new Error(loaded.errors.join('\n'));
  return loaded.value;
})();

function vmpool(profile: RulesProfile): LoadedRules {
  return { ...strict, name: 'database.rules.json', rules: applyProfile(strict.rules, profile) };
}

function existing(text: string, name = 'theirs.json'): LoadedRules {
  const loaded = parseRulesText(text, name);
  if (!loaded.ok) throw new Error(loaded.errors.join('\n'));
  return loaded.value;
}

function fixture(name: string): LoadedRules {
  return existing(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8'), name);
}

const merge = (profile: RulesProfile, theirs: LoadedRules) => mergeRules(vmpool(profile), theirs);

function conflictsOf(profile: RulesProfile, theirs: LoadedRules): string[] {
  const merged = merge(profile, theirs);
  return merged.ok ? [] : merged.conflicts;
}

function at(node: RuleNode, ...path: string[]): RuleNode {
  let current: RuleNode | undefined = node;
  for (const segment of path) current = current === undefined ? undefined : child(current, segment);
  if (current === undefined) throw new Error(`no ${path.join('/')}`);
  return current;
}

const ours = (path: string[]) => `(vmpool: ${strict.locate(path)})`;

describe('mergeRules with the show-controller project’s rules (realistic fixture)', () => {
  for (const profile of ['strict', 'compat'] as const) {
    it(`merges with the ${profile} profile: vmpool's rules untouched, theirs beside them`, () => {
      const theirs = fixture('show-controller-project.rules.json');
      const merged = merge(profile, theirs);
      expect(merged.ok, merged.ok ? '' : merged.conflicts.join('\n')).toBe(true);
      if (!merged.ok) return;
      const base = vmpool(profile).rules;
      for (const key of ['vmPool', 'producerAccess', 'alerts', 'audit']) {
        expect(merged.rules[key], key).toEqual(base[key]);
      }
      expect(at(merged.rules, 'competitions', '$compId', 'config')).toEqual(
        at(base, 'competitions', '$compId', 'config'),
      );
      expect(merged.rules['.read']).toBe(false);
      expect(at(merged.rules, 'competitions')['.read']).toEqual(at(base, 'competitions')['.read']);
      expect(at(merged.rules, 'competitions', '$compId', 'currentGraphic')).toEqual({
        '.read': true,
        '.write': true,
      });
      expect(at(merged.rules, 'teamsDatabase', 'headshots')['.indexOn']).toEqual(['name']);
      expect(merged.added).toEqual([
        'rules/competitions/$compId/currentGraphic',
        'rules/competitions/$compId/teamData',
        'rules/competitions/$compId/rundown',
        'rules/competitions/$compId/production',
        'rules/teamsDatabase',
        'rules/rtnCache',
        'rules/rundownTemplates',
        'rules/segmentTemplates',
      ]);
    });
  }

  it('refuses the open rules their DEPLOYMENT.md documents, naming both places', () => {
    const theirs = fixture('documented-open.rules.json');
    expect(conflictsOf('strict', theirs)).toEqual([
      `documented-open.rules.json:6:7: rules/competitions/.read differs from vmpool’s rules/competitions/.read; only one rule can stand there ${ours(['competitions', '.read'])}`,
      `documented-open.rules.json:7:7: rules/competitions/.write grants write above vmpool’s rules, and rules cascade: it would override vmpool’s rules below it ${ours(['competitions'])}`,
    ]);
    // compat reads `competitions` as they do; only their open write stays in the way.
    expect(conflictsOf('compat', theirs)).toEqual([
      `documented-open.rules.json:7:7: rules/competitions/.write grants write above vmpool’s rules, and rules cascade: it would override vmpool’s rules below it ${ours(['competitions'])}`,
    ]);
  });
});

describe('mergeRules refuses conflicting paths', () => {
  it('inside vmpool’s own subtrees', () => {
    const theirs = existing(
      [
        '{ "rules": {',
        '  "alerts": { "$competitionId": { ".read": true, ".write": true } },',
        '  "vmPool": { "vms": { ".read": true } },',
        '  "competitions": { "$compId": { "config": { "vmAddress": { ".write": true } } } }',
        '} }',
      ].join('\n'),
    );
    expect(conflictsOf('strict', theirs)).toEqual([
      `theirs.json:2:15: rules/alerts/$competitionId is inside rules/alerts, which vmpool’s rules own ${ours(['alerts'])}`,
      `theirs.json:3:15: rules/vmPool/vms is inside rules/vmPool, which vmpool’s rules own ${ours(['vmPool'])}`,
      `theirs.json:4:46: rules/competitions/$compId/config/vmAddress is inside rules/competitions/$compId/config, which vmpool’s rules own ${ours(['competitions', '$compId', 'config'])}`,
    ]);
  });

  it('a grant above vmpool’s rules, at the root or a shared node', () => {
    const theirs = existing('{"rules": {".read": true, ".write": "auth != null"}}');
    expect(conflictsOf('compat', theirs)).toEqual([
      `theirs.json:1:12: rules/.read differs from vmpool’s rules/.read; only one rule can stand there ${ours(['.read'])}`,
      `theirs.json:1:27: rules/.write differs from vmpool’s rules/.write; only one rule can stand there ${ours(['.write'])}`,
    ]);
    const below = existing('{"rules": {"competitions": {"$compId": {".write": "auth != null"}}}}');
    expect(conflictsOf('strict', below)).toEqual([
      `theirs.json:1:41: rules/competitions/$compId/.write grants write above vmpool’s rules, and rules cascade: it would override vmpool’s rules below it ${ours(['competitions', '$compId'])}`,
    ]);
  });

  it('a .validate on a shared node, which would judge vmpool’s writes', () => {
    const theirs = existing(
      '{"rules": {"competitions": {"$compId": {".validate": "newData.hasChildren([\'config\'])"}}}}',
    );
    expect(conflictsOf('strict', theirs)).toEqual([
      `theirs.json:1:41: rules/competitions/$compId/.validate validates a node above vmpool’s rules, so it would refuse or pass vmpool’s writes below it ${ours(['competitions', '$compId'])}`,
    ]);
  });

  it('a differently named wildcard beside vmpool’s', () => {
    const theirs = existing(
      '{"rules": {"competitions": {"$id": {"currentGraphic": {".read": true}}}}}',
    );
    expect(conflictsOf('strict', theirs)).toEqual([
      `theirs.json:1:29: rules/competitions/$id is a second wildcard beside vmpool’s $compId; rename it to $compId (and in its expressions) ${ours(['competitions', '$compId'])}`,
    ]);
  });

  it('a literal key beside vmpool’s wildcard (it would take that key out of vmpool’s rules)', () => {
    const theirs = existing(
      '{"rules": {"competitions": {"demo": {".read": true, ".write": true}}}}',
    );
    expect(conflictsOf('compat', theirs)).toEqual([
      `theirs.json:1:29: rules/competitions/demo is a literal key beside vmpool’s $compId: RTDB would apply only its rules to "demo", and vmpool’s rules under $compId would stop applying there ${ours(['competitions', '$compId'])}`,
    ]);
  });
});

describe('mergeRules accepts what cannot change vmpool’s rules', () => {
  it('the same rule at a shared node, a neutral rule, and indexes (united)', () => {
    const theirs = existing(
      JSON.stringify({
        rules: {
          '.read': false,
          '.write': false,
          competitions: { '.read': true, '.indexOn': ['eventName'], $compId: { '.write': false } },
        },
      }),
    );
    const merged = merge('compat', theirs);
    expect(merged.ok, merged.ok ? '' : merged.conflicts.join('\n')).toBe(true);
    if (!merged.ok) return;
    expect(at(merged.rules, 'competitions')['.read']).toBe(true);
    // Both sides' indexes: vmpool's schedule query on config/endsAt and theirs.
    expect(at(merged.rules, 'competitions')['.indexOn']).toEqual(['config/endsAt', 'eventName']);
    expect(at(merged.rules, 'competitions', '$compId')['.write']).toBeUndefined();
    expect(merged.added).toEqual([]);
  });

  it('new top-level keys, including a root wildcard beside vmpool’s literal keys', () => {
    const theirs = existing('{"rules": {"$other": {".read": true}, "teams": {".read": true}}}');
    const merged = merge('strict', theirs);
    expect(merged.ok).toBe(true);
    if (!merged.ok) return;
    expect(merged.added).toEqual(['rules/$other', 'rules/teams']);
    expect(Object.keys(merged.rules).slice(0, 7)).toEqual(Object.keys(strict.rules));
  });
});
