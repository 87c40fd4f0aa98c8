// vmpool's rules merged with rules modelled on the show-controller project's (the fixture
// of the merge tool): the show-controller keeps its own data, vmpool keeps its guarantees.
import { readFileSync } from 'node:fs';
import {
  applyProfile,
  loadStrictRules,
  mergeRules,
  parseRulesText,
  type RulesProfile,
} from '@vmpool/tools/rules';
import { describe, expect, it } from 'vitest';
import { NOW, ROOT } from './fixture';
import { ROLES, type Role } from './matrix';
import { targaryen, type TargaryenDatabase } from './targaryen-api';

const THEIRS = new URL(
  '../../tools/src/rules/fixtures/show-controller-project.rules.json',
  import.meta.url,
);

function mergedDatabase(profile: RulesProfile): TargaryenDatabase {
  const strict = loadStrictRules();
  const theirs = parseRulesText(readFileSync(THEIRS, 'utf8'), 'show-controller-project');
  if (!strict.ok || !theirs.ok) throw new Error('fixtures do not load');
  const merged = mergeRules(
    { ...strict.value, rules: applyProfile(strict.value.rules, profile) },
    theirs.value,
  );
  if (!merged.ok) throw new Error(merged.conflicts.join('\n'));
  const data = {
    ...ROOT,
    competitions: {
      ...ROOT.competitions,
      'comp-a': { ...ROOT.competitions['comp-a'], currentGraphic: { graphic: 'clear' } },
    },
    teamsDatabase: { teams: { 'team-1': { name: 'Team One' } } },
  };
  return targaryen.database({ rules: merged.rules }, data, NOW);
}

const as = (db: TargaryenDatabase, role: Role) => {
  const auth = ROLES[role];
  return auth === null ? db : db.as(auth);
};

describe('vmpool’s rules merged with the show-controller project’s', () => {
  for (const profile of ['strict', 'compat'] as const) {
    const db = mergedDatabase(profile);
    const anonymous = as(db, 'anonymous');

    it(`${profile}: the show-controller still reads and writes its own data without sign-in`, () => {
      expect(anonymous.read('competitions/comp-a/currentGraphic').allowed).toBe(true);
      expect(
        anonymous.write('competitions/comp-a/currentGraphic', { graphic: 'lower-third' }).allowed,
      ).toBe(true);
      expect(anonymous.read('teamsDatabase/teams').allowed).toBe(true);
      expect(anonymous.write('rtnCache/womens', null).allowed).toBe(true);
    });

    it(`${profile}: vmpool's own paths keep their rules`, () => {
      expect(
        anonymous.write('competitions/comp-a/config/vmAddress', '198.51.100.7:3003').allowed,
      ).toBe(false);
      expect(as(db, 'admin').write('competitions/comp-a/config/vmId', 'vm-002').allowed).toBe(
        false,
      );
      expect(anonymous.read('vmPool/vms').allowed).toBe(false);
      expect(anonymous.read('producerAccess').allowed).toBe(false);
      expect(anonymous.read('alerts/pool').allowed).toBe(false);
      expect(as(db, 'producer').read('vmPool/vms').allowed).toBe(false);
      expect(as(db, 'producer').read('vmPool/vms/vm-001').allowed).toBe(true);
      expect(as(db, 'producer').read('vmPool/summary').allowed).toBe(true);
    });

    it(`${profile}: the producer page's vmpool reads`, () => {
      const open = profile === 'compat';
      expect(anonymous.read('competitions/comp-a/config').allowed).toBe(open);
      expect(anonymous.read('alerts/comp-a').allowed).toBe(open);
      expect(anonymous.read('competitions').allowed).toBe(open);
      expect(as(db, 'producer').read('competitions/comp-a/config').allowed).toBe(true);
      expect(as(db, 'producer').read('alerts/comp-a').allowed).toBe(true);
    });
  }
});
