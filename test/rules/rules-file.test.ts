// The rules file as a whole: it parses, targaryen (like the Firebase deployer) accepts it,
// every path of docs/contract.md is addressed by it, the queries the apps make are indexed,
// and the matrix tries every contract path with every role for both reads and writes.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ALL_CASES } from './all.cases';
import { contractPaths, missingCoverage } from './coverage';
import { RULES_PATH, loadRules } from './matrix';
import { targaryen } from './targaryen-api';

type RuleNode = { [key: string]: RuleNode | string | boolean | string[] };

function rulesTree(): RuleNode {
  const parsed = loadRules() as { rules: RuleNode };
  return parsed.rules;
}

/** The rule nodes along a contract path (root excluded) and the segments left unresolved. */
function resolve(tree: RuleNode, contractPath: string) {
  const chain: RuleNode[] = [];
  let node = tree;
  const segments = contractPath.split('/');
  for (const [index, segment] of segments.entries()) {
    const wildcard = Object.keys(node).find((key) => key.startsWith('$'));
    const literal = segment.startsWith('{') ? undefined : node[segment];
    const next = typeof literal === 'object' && !Array.isArray(literal) ? literal : undefined;
    const child = next ?? (wildcard ? (node[wildcard] as RuleNode) : undefined);
    if (child === undefined) return { chain, unresolved: segments.slice(index) };
    chain.push(child);
    node = child;
  }
  return { chain, unresolved: [] as string[] };
}

const hasRule = (node: RuleNode, kind: string) => node[kind] !== undefined;

describe('database.rules.json', () => {
  it('is valid JSON with a single "rules" root', () => {
    const parsed = JSON.parse(readFileSync(RULES_PATH, 'utf8')) as Record<string, unknown>;
    expect(Object.keys(parsed)).toEqual(['rules']);
  });

  it('is accepted by targaryen (every rule parses, no unknown rule kinds)', () => {
    expect(() => targaryen.database(loadRules(), null)).not.toThrow();
  });

  it('denies everything not granted explicitly at the root', () => {
    const tree = rulesTree();
    expect(tree['.read']).toBe(false);
    expect(tree['.write']).toBe(false);
  });

  it('addresses every path of docs/contract.md', () => {
    const tree = rulesTree();
    const paths = contractPaths();
    expect(paths.length).toBeGreaterThanOrEqual(12);
    for (const entry of paths) {
      const contractPath = entry.replace(/ \(except.*$/, '');
      const { chain, unresolved } = resolve(tree, contractPath);
      const last = chain.at(-1);
      expect(last, `${contractPath}: no rules on the way`).toBeDefined();
      if (last === undefined) continue;
      const explicit = chain.some((node) =>
        ['.read', '.write', '.validate'].some((kind) => hasRule(node, kind)),
      );
      expect(explicit, `${contractPath}: no rule along the path`).toBe(true);
      if (unresolved.length === 0) continue;
      const [field] = unresolved;
      if (unresolved.length === 1 && field?.endsWith('*')) {
        // `config/vm*`: the parent's write rule must pin both control-plane fields.
        expect(String(last['.write']), contractPath).toContain("'vmId'");
        expect(String(last['.write']), contractPath).toContain("'vmAddress'");
      } else {
        // A subtree without children rules must say explicitly who reads and writes it.
        expect(hasRule(last, '.read') && hasRule(last, '.write'), contractPath).toBe(true);
      }
    }
  });

  it('indexes the fields the apps query by', () => {
    const tree = rulesTree();
    const indexOf = (contractPath: string) => {
      const { chain, unresolved } = resolve(tree, contractPath);
      expect(unresolved, contractPath).toEqual([]);
      return chain.at(-1)?.['.indexOn'];
    };
    expect(indexOf('vmPool/vms')).toEqual(
      expect.arrayContaining(['status', 'assignedTo', 'instanceId']),
    );
    // result/state: reconcile finds requests no handler has begun (orderByChild equalTo null).
    expect(indexOf('vmPool/requests')).toEqual(
      expect.arrayContaining(['requestedBy', 'competitionId', 'result/state']),
    );
    expect(indexOf('alerts/{scope}')).toEqual(expect.arrayContaining(['sourceId', 'resolved']));
    expect(indexOf('audit')).toEqual(expect.arrayContaining(['at']));
    // config/endsAt: the schedule reads only competitions whose show has not long ended.
    expect(indexOf('competitions')).toEqual(expect.arrayContaining(['config/endsAt']));
    // requestedAt: the pool insights read only their window's requests (issue 13).
    expect(indexOf('vmPool/requests')).toEqual(expect.arrayContaining(['requestedAt']));
  });
});

describe('the rules matrix', () => {
  it('has at least 80 cases with allows and denials', () => {
    expect(ALL_CASES.length).toBeGreaterThanOrEqual(80);
    expect(ALL_CASES.some((ruleCase) => ruleCase.expect === 'allow')).toBe(true);
    expect(ALL_CASES.filter((ruleCase) => ruleCase.expect === 'deny').length).toBeGreaterThan(
      ALL_CASES.length / 2,
    );
  });

  it('tries every contract path with every role, for reads and for writes', () => {
    expect(missingCoverage(ALL_CASES)).toEqual([]);
  });
});
