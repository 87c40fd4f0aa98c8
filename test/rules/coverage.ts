// Which contract paths a set of cases tries, with which roles, for reads and for writes.
import { readFileSync } from 'node:fs';
import { CORE_ROLES, type RuleCase } from './matrix';

/** Paths of the contract's "Paths" table, e.g. `vmPool/vms/{vmId}`. */
export function contractPaths(): string[] {
  const markdown = readFileSync(new URL('../../docs/contract.md', import.meta.url), 'utf8');
  const section = markdown.split('## Paths')[1]?.split('\n### ')[0] ?? '';
  return [...section.matchAll(/^\| `([^`]+)`/gm)].map((match) => match[1] ?? '');
}

function matchesPattern(casePath: string[], pattern: string[]): boolean {
  return casePath.every((segment, index) => {
    const expected = pattern[index];
    if (expected === undefined) return true;
    if (expected.startsWith('{')) return true;
    if (expected.endsWith('*')) return segment.startsWith(expected.slice(0, -1));
    return segment === expected;
  });
}

/**
 * The contract paths a case exercises: the most specific pattern it lies under, or, for a
 * listing above the patterns (`vmPool/vms`), every pattern below it.
 */
function patternsOf(casePath: string, patterns: string[]): string[] {
  const segments = casePath.split('/');
  const candidates = patterns.filter((pattern) => matchesPattern(segments, pattern.split('/')));
  const containing = candidates.filter((pattern) => pattern.split('/').length <= segments.length);
  if (containing.length === 0) return candidates;
  const depth = Math.max(...containing.map((pattern) => pattern.split('/').length));
  return containing.filter((pattern) => pattern.split('/').length === depth);
}

/** `pattern role read|write` for every contract path × core role × kind no case tries. */
export function missingCoverage(cases: readonly RuleCase[]): string[] {
  const patterns = contractPaths().map((entry) => entry.replace(/ \(except.*$/, ''));
  const covered = new Set<string>();
  for (const ruleCase of cases) {
    const kind = ruleCase.op === 'read' ? 'read' : 'write';
    for (const pattern of patternsOf(ruleCase.path, patterns)) {
      covered.add(`${pattern} ${ruleCase.who} ${kind}`);
    }
  }
  return patterns.flatMap((pattern) =>
    CORE_ROLES.flatMap((role) =>
      (['read', 'write'] as const)
        .map((kind) => `${pattern} ${role} ${kind}`)
        .filter((key) => !covered.has(key)),
    ),
  );
}
