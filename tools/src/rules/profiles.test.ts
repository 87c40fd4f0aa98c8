import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { rulesForProfile, STRICT_RULES_PATH } from './build';
import { applyProfile, COMPAT_READS, isRulesProfile } from './profiles';
import { SHOW_CONTROLLER_ACCESS } from './show-controller';
import { childKeys, RULE_KINDS, type RuleNode } from './source';

const committed = JSON.parse(readFileSync(STRICT_RULES_PATH, 'utf8')) as { rules: RuleNode };

/** Every rule of a tree as `path/.kind` → value. */
function flatten(node: RuleNode, path: string[] = []): Map<string, unknown> {
  const out = new Map<string, unknown>();
  for (const kind of RULE_KINDS) {
    if (node[kind] !== undefined) out.set([...path, kind].join('/'), node[kind]);
  }
  for (const key of childKeys(node)) {
    for (const [rule, value] of flatten(node[key] as RuleNode, [...path, key]))
      out.set(rule, value);
  }
  return out;
}

describe('rules profiles', () => {
  it('strict is the committed database.rules.json, rule for rule', () => {
    expect(rulesForProfile('strict')).toEqual(committed);
  });

  it('compat differs from strict only in the .read of the compat paths', () => {
    const strict = flatten(committed.rules);
    const compat = flatten(rulesForProfile('compat').rules);
    const changed = [...new Set([...strict.keys(), ...compat.keys()])].filter(
      (rule) => JSON.stringify(strict.get(rule)) !== JSON.stringify(compat.get(rule)),
    );
    expect(changed).toEqual(['competitions/.read', 'alerts/$scope/.read']);
    expect(compat.get('competitions/.read')).toBe(true);
    expect(compat.get('alerts/$scope/.read')).toBe(
      `(${String(strict.get('alerts/$scope/.read'))}) || ($scope !== 'pool')`,
    );
  });

  it('compat opens no write and nothing of vmpool’s own paths', () => {
    for (const grant of COMPAT_READS) {
      expect(['vmPool', 'producerAccess', 'audit']).not.toContain(grant.path[0]);
    }
    const compat = rulesForProfile('compat').rules;
    for (const key of ['vmPool', 'producerAccess', 'audit']) {
      expect(compat[key], key).toEqual(committed.rules[key]);
    }
  });

  it('every compat read serves a read the show-controller makes, and every such read is served', () => {
    const reads = SHOW_CONTROLLER_ACCESS.filter((access) => access.op === 'read');
    const served = new Set(COMPAT_READS.flatMap((grant) => grant.serves));
    for (const grant of COMPAT_READS) {
      for (const source of grant.serves) {
        expect(
          reads.map((read) => read.source),
          source,
        ).toContain(source);
      }
    }
    const unserved = reads.filter((read) => !served.has(read.source)).map((read) => read.path);
    // The show-controller's own VM pool page: vmpool's admin page replaces it (docs).
    expect(unserved).toEqual(['vmPool/vms', 'vmPool/config']);
  });

  it('refuses a profile that is not one, and a compat path the source lacks', () => {
    expect(isRulesProfile('compat')).toBe(true);
    expect(isRulesProfile('open')).toBe(false);
    expect(() => rulesForProfile('open' as 'strict')).toThrow('unknown rules profile "open"');
    expect(() => applyProfile({ '.read': false }, 'compat')).toThrow(
      'the compat profile reads rules/competitions, which database.rules.json does not define',
    );
  });
});
