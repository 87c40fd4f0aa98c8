// Combining vmpool's rules with an existing rules file (the show-controller's project has
// its own top-level keys and its own data under competitions/{compId}).
//
// vmpool shares three nodes with such a file, the containers: the root, `competitions` and
// `competitions/$compId`. Everything else vmpool's rules define is vmpool's own subtree
// (vmPool, producerAccess, alerts, audit, competitions/$compId/config). The existing file may
// add any key beside those; it is refused, with the place of each problem, when it
//  - defines anything inside one of vmpool's subtrees,
//  - grants .read/.write or adds a .validate at a container (RTDB rules cascade: a grant on
//    `competitions` would reach every competition's config and override vmpool's rules),
//    unless it is the very rule vmpool has there,
//  - names a container's wildcard differently (one wildcard per level), or
//  - puts a literal key beside vmpool's wildcard (RTDB applies only the literal's rules to
//    that key, so vmpool's rules for it would silently stop applying).
// `.indexOn` lists are united: indexes change no access.
import {
  RULE_KINDS,
  child,
  childKeys,
  describePath,
  isWildcard,
  type LoadedRules,
  type RuleKind,
  type RuleNode,
  type RuleValue,
} from './source';

export type Merged =
  { ok: true; rules: RuleNode; added: string[] } | { ok: false; conflicts: string[] };

/** The nodes vmpool's rules share with an existing rules file. */
export function isSharedContainer(path: readonly string[]): boolean {
  if (path.length === 0) return true;
  if (path[0] !== 'competitions') return false;
  return path.length === 1 || (path.length === 2 && isWildcard(path[1] ?? ''));
}

function sameRule(a: RuleValue | RuleNode | undefined, b: RuleValue | RuleNode | undefined) {
  const normal = (value: unknown) =>
    typeof value === 'string' ? value.replace(/\s+/g, ' ').trim() : JSON.stringify(value);
  if (a === undefined || b === undefined) return a === b;
  if (typeof a === 'boolean' || typeof b === 'boolean') return String(a) === String(b).trim();
  return normal(a) === normal(b);
}

/** A rule that changes nothing where it stands: a `.read`/`.write` false, a `.validate` true. */
function isNeutral(kind: RuleKind, value: RuleValue): boolean {
  const text = String(value).trim();
  if (kind === '.read' || kind === '.write') return text === 'false';
  if (kind === '.validate') return text === 'true';
  return true;
}

function unite(a: RuleValue, b: RuleValue): string[] {
  const list = (value: RuleValue) => (Array.isArray(value) ? value : [String(value)]);
  return [...new Set([...list(a), ...list(b)])];
}

/** The first place inside `node` that holds a rule, for pointing at a conflict. */
function firstRulePath(node: RuleNode, path: string[]): string[] {
  if (RULE_KINDS.some((kind) => node[kind] !== undefined)) return path;
  for (const key of childKeys(node)) {
    const next = child(node, key);
    if (next !== undefined) return firstRulePath(next, [...path, key]);
  }
  return path;
}

export function mergeRules(vmpool: LoadedRules, existing: LoadedRules): Merged {
  const conflicts: string[] = [];
  const added: string[] = [];
  const conflict = (theirs: string[], ours: string[], what: string) =>
    conflicts.push(
      `${existing.locate(theirs)}: ${describePath(theirs)} ${what} (vmpool: ${vmpool.locate(ours)})`,
    );

  const mergeContainer = (a: RuleNode, b: RuleNode, path: string[]): RuleNode => {
    const out: RuleNode = {};
    for (const kind of RULE_KINDS) {
      const ours = a[kind] as RuleValue | undefined;
      const theirs = b[kind] as RuleValue | undefined;
      if (theirs === undefined) {
        if (ours !== undefined) out[kind] = ours;
      } else if (kind === '.indexOn') {
        out[kind] = ours === undefined ? theirs : unite(ours, theirs);
      } else if (ours !== undefined && sameRule(ours, theirs)) {
        out[kind] = ours;
      } else if (ours === undefined && isNeutral(kind, theirs)) {
        // `.read: false` and the like grant nothing.
      } else {
        if (ours !== undefined) out[kind] = ours;
        const what =
          ours === undefined
            ? kind === '.validate'
              ? 'validates a node above vmpool’s rules, so it would refuse or pass vmpool’s writes below it'
              : `grants ${kind.slice(1)} above vmpool’s rules, and rules cascade: it would override vmpool’s rules below it`
            : `differs from vmpool’s ${describePath([...path, kind])}; only one rule can stand there`;
        conflict([...path, kind], ours === undefined ? path : [...path, kind], what);
      }
    }

    const ourWildcard = childKeys(a).find(isWildcard);
    for (const key of childKeys(a)) {
      const ours = child(a, key);
      if (ours !== undefined) out[key] = ours;
    }
    for (const key of childKeys(b)) {
      const theirs = child(b, key);
      if (theirs === undefined) continue;
      const keyPath = [...path, key];
      const ours = child(a, key);
      if (isWildcard(key) && ourWildcard !== undefined && key !== ourWildcard) {
        conflict(
          keyPath,
          [...path, ourWildcard],
          `is a second wildcard beside vmpool’s ${ourWildcard}; rename it to ${ourWildcard} (and in its expressions)`,
        );
      } else if (ours === undefined) {
        if (!isWildcard(key) && ourWildcard !== undefined) {
          conflict(
            keyPath,
            [...path, ourWildcard],
            `is a literal key beside vmpool’s ${ourWildcard}: RTDB would apply only its rules to "${key}", and vmpool’s rules under ${ourWildcard} would stop applying there`,
          );
        } else {
          out[key] = theirs;
          added.push(describePath(keyPath));
        }
      } else if (isSharedContainer(keyPath)) {
        out[key] = mergeContainer(ours, theirs, keyPath);
      } else {
        const at = firstRulePath(theirs, keyPath);
        conflict(at, keyPath, `is inside ${describePath(keyPath)}, which vmpool’s rules own`);
      }
    }
    return out;
  };

  const rules = mergeContainer(vmpool.rules, existing.rules, []);
  return conflicts.length > 0 ? { ok: false, conflicts } : { ok: true, rules, added };
}
