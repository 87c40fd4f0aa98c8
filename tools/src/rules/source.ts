// Reading a Realtime Database rules file: JSON with comments (the Firebase CLI and console
// accept `//` and `/* */`), one `rules` root, only the four rule kinds, at most one wildcard
// per level. Every problem is reported at once, each as `file:line:col: what`.
import {
  getNodeValue,
  parseTree,
  printParseErrorCode,
  type Node as JsonNode,
  type ParseError,
} from 'jsonc-parser';

export type RuleValue = boolean | string | string[];
/** One node of a rules tree: rule kinds (`.read`, …) and child keys (`vmPool`, `$vmId`, …). */
export interface RuleNode {
  [key: string]: RuleNode | RuleValue;
}
export interface RulesFile {
  rules: RuleNode;
}

export const ACCESS_KINDS = ['.read', '.write'] as const;
export const RULE_KINDS = ['.read', '.write', '.validate', '.indexOn'] as const;
export type RuleKind = (typeof RULE_KINDS)[number];

/** A rules tree and where each of its nodes came from. */
export interface LoadedRules {
  /** The name used in messages (a path relative to where the tool runs, or a label). */
  readonly name: string;
  readonly rules: RuleNode;
  /** `file:line:col` of the key at `path` (segments below `rules`), or the file name. */
  locate(path: readonly string[]): string;
}

export type Loaded = { ok: true; value: LoadedRules } | { ok: false; errors: string[] };

const ILLEGAL_KEY = /[.#$[\]/]/;

export function isRuleKind(key: string): key is RuleKind {
  return (RULE_KINDS as readonly string[]).includes(key);
}

export function isWildcard(key: string): boolean {
  return key.startsWith('$');
}

/** The child nodes of a rule node (everything that is not a rule kind). */
export function childKeys(node: RuleNode): string[] {
  return Object.keys(node).filter((key) => !key.startsWith('.'));
}

export function child(node: RuleNode, key: string): RuleNode | undefined {
  const value = node[key];
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? value : undefined;
}

/** `rules/vmPool/$vmId/.read`: how messages name a place in a rules tree. */
export function describePath(path: readonly string[]): string {
  return ['rules', ...path].join('/');
}

function lineStarts(text: string): number[] {
  const starts = [0];
  for (let index = 0; index < text.length; index += 1) {
    if (text[index] === '\n') starts.push(index + 1);
  }
  return starts;
}

function position(starts: readonly number[], offset: number): string {
  let low = 0;
  let high = starts.length - 1;
  while (low < high) {
    const middle = Math.ceil((low + high) / 2);
    if ((starts[middle] ?? 0) <= offset) low = middle;
    else high = middle - 1;
  }
  return `${low + 1}:${offset - (starts[low] ?? 0) + 1}`;
}

/** Parses and checks the text of a rules file; `name` is used in every message. */
export function parseRulesText(text: string, name: string): Loaded {
  const starts = lineStarts(text);
  const at = (offset: number) => `${name}:${position(starts, offset)}`;
  const parseErrors: ParseError[] = [];
  const root = parseTree(text, parseErrors, {
    disallowComments: false,
    allowTrailingComma: false,
    allowEmptyContent: false,
  });
  if (parseErrors.length > 0 || root === undefined) {
    // One message per place: the parser often reports two codes for one mistake.
    const seen = new Set<number>();
    const errors = parseErrors
      .filter((error) => !seen.has(error.offset) && seen.add(error.offset) !== undefined)
      .map((error) => `${at(error.offset)}: invalid JSON: ${printParseErrorCode(error.error)}`);
    return { ok: false, errors: errors.length > 0 ? errors : [`${name}: invalid JSON: empty`] };
  }

  const errors: string[] = [];
  const offsets = new Map<string, number>();
  const key = (path: readonly string[]) => path.join('/');

  const readNode = (node: JsonNode, path: string[]): RuleNode => {
    const out: RuleNode = {};
    if (node.type !== 'object') {
      errors.push(`${at(node.offset)}: ${describePath(path)} must be an object of rules`);
      return out;
    }
    let wildcard: string | undefined;
    for (const property of node.children ?? []) {
      const [keyNode, valueNode] = property.children ?? [];
      if (keyNode === undefined || valueNode === undefined) continue;
      const name = String(keyNode.value);
      const childPath = [...path, name];
      const where = at(keyNode.offset);
      if (offsets.has(key(childPath))) {
        errors.push(`${where}: ${describePath(childPath)} appears twice`);
        continue;
      }
      offsets.set(key(childPath), keyNode.offset);
      if (name.startsWith('.')) {
        if (!isRuleKind(name)) {
          errors.push(
            `${where}: ${describePath(childPath)}: unknown rule kind (only ${RULE_KINDS.join(', ')})`,
          );
          continue;
        }
        const value: unknown = getNodeValue(valueNode);
        if (name === '.indexOn') {
          const valid =
            typeof value === 'string' ||
            (Array.isArray(value) && value.every((entry) => typeof entry === 'string'));
          if (!valid) {
            errors.push(`${where}: ${describePath(childPath)} must be a string or strings`);
            continue;
          }
          out[name] = Array.isArray(value) ? (value as string[]) : (value as string);
        } else if (typeof value === 'boolean' || typeof value === 'string') {
          out[name] = value;
        } else {
          errors.push(`${where}: ${describePath(childPath)} must be true, false or an expression`);
        }
        continue;
      }
      const plain = isWildcard(name) ? name.slice(1) : name;
      if (plain === '' || ILLEGAL_KEY.test(plain)) {
        errors.push(`${where}: ${describePath(childPath)}: not a valid key`);
        continue;
      }
      if (isWildcard(name)) {
        if (wildcard !== undefined) {
          errors.push(
            `${where}: ${describePath(childPath)}: a second wildcard beside ${wildcard} (one per level)`,
          );
          continue;
        }
        wildcard = name;
      }
      out[name] = readNode(valueNode, childPath);
    }
    return out;
  };

  let rules: RuleNode = {};
  if (root.type !== 'object') {
    errors.push(`${at(root.offset)}: a rules file is an object with a "rules" key`);
  } else {
    const properties = root.children ?? [];
    for (const property of properties) {
      const keyNode = property.children?.[0];
      if (keyNode !== undefined && keyNode.value !== 'rules') {
        errors.push(`${at(keyNode.offset)}: unexpected top-level key "${String(keyNode.value)}"`);
      }
    }
    const rulesProperty = properties.find((property) => property.children?.[0]?.value === 'rules');
    const rulesValue = rulesProperty?.children?.[1];
    if (rulesValue === undefined) errors.push(`${name}: no "rules" key`);
    else {
      offsets.set('', rulesProperty?.children?.[0]?.offset ?? 0);
      rules = readNode(rulesValue, []);
    }
  }
  if (errors.length > 0) return { ok: false, errors };
  return {
    ok: true,
    value: {
      name,
      rules,
      locate: (path) => {
        for (let depth = path.length; depth >= 0; depth -= 1) {
          const offset = offsets.get(key(path.slice(0, depth)));
          if (offset !== undefined) return at(offset);
        }
        return name;
      },
    },
  };
}

/** A rules tree that was built in memory (no file positions). */
export function inMemoryRules(rules: RuleNode, name: string): LoadedRules {
  return { name, rules, locate: () => name };
}
