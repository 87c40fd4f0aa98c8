// Builds the rules to deploy: a profile of database.rules.json, optionally merged with an
// existing rules file, written as plain JSON. `npm run rules:build` and `npm run deploy` both
// call buildRules; rulesForProfile gives the same rules in memory (tests, the local stack).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { mergeRules } from './merge';
import {
  applyProfile,
  DEFAULT_RULES_PROFILE,
  isRulesProfile,
  RULES_PROFILES,
  type RulesProfile,
} from './profiles';
import { parseRulesText, type LoadedRules, type RulesFile } from './source';

export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
/** The strict rules: the one source of every profile. */
export const STRICT_RULES_PATH = resolve(REPO_ROOT, 'database.rules.json');
export const DEFAULT_RULES_OUT = 'build/database.rules.json';

export interface BuildRulesOptions {
  /** `strict` (default) or `compat`. */
  profile?: string;
  /** An existing rules file to combine with (JSON with comments). */
  mergeWith?: string;
  /** Where to write; default build/database.rules.json under the repository. */
  out?: string;
  /** Relative paths are resolved against it; default the current directory. */
  cwd?: string;
  /** The strict rules file; default database.rules.json of this repository. */
  source?: string;
}

export type BuildRulesResult =
  | {
      ok: true;
      profile: RulesProfile;
      /** Absolute path of the written file. */
      out: string;
      rules: RulesFile;
      /** One line saying what was written. */
      summary: string;
    }
  | { ok: false; errors: string[] };

function displayName(path: string, cwd: string): string {
  const shown = relative(cwd, path);
  return shown === '' || shown.startsWith('..') || isAbsolute(shown) ? path : shown;
}

function load(
  path: string,
  cwd: string,
): { ok: true; value: LoadedRules } | { ok: false; errors: string[] } {
  const name = displayName(path, cwd);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? 'no such file'
        : code === 'EISDIR'
          ? 'is a directory'
          : String(code ?? error);
    return { ok: false, errors: [`${name}: cannot read: ${why}`] };
  }
  return parseRulesText(text, name);
}

/** The strict rules, parsed with their positions (for messages that point into them). */
export function loadStrictRules(source = STRICT_RULES_PATH, cwd = process.cwd()) {
  return load(source, cwd);
}

/** The rules of a profile, in memory. Throws on an unknown profile or a broken source. */
export function rulesForProfile(profile: RulesProfile, source = STRICT_RULES_PATH): RulesFile {
  if (!isRulesProfile(profile)) throw new Error(`unknown rules profile "${String(profile)}"`);
  const strict = loadStrictRules(source);
  if (!strict.ok) throw new Error(strict.errors.join('\n'));
  return { rules: applyProfile(strict.value.rules, profile) };
}

/** Builds and writes the rules; every problem is returned, one line each. */
export function buildRules(options: BuildRulesOptions = {}): BuildRulesResult {
  const cwd = options.cwd ?? process.cwd();
  const errors: string[] = [];
  const profile = options.profile ?? DEFAULT_RULES_PROFILE;
  if (!isRulesProfile(profile)) {
    errors.push(`unknown profile "${profile}": use ${RULES_PROFILES.join(' or ')}`);
  }
  const strict = load(resolve(cwd, options.source ?? STRICT_RULES_PATH), cwd);
  if (!strict.ok) errors.push(...strict.errors);
  const existing =
    options.mergeWith === undefined ? undefined : load(resolve(cwd, options.mergeWith), cwd);
  if (existing !== undefined && !existing.ok) errors.push(...existing.errors);
  if (errors.length > 0 || !strict.ok || !isRulesProfile(profile)) return { ok: false, errors };

  let rules;
  try {
    rules = applyProfile(strict.value.rules, profile);
  } catch (error) {
    return { ok: false, errors: [(error as Error).message] };
  }
  let mergedNote = '';
  if (existing?.ok) {
    const ours: LoadedRules = { ...strict.value, rules };
    const merged = mergeRules(ours, existing.value);
    if (!merged.ok) return { ok: false, errors: merged.conflicts };
    rules = merged.rules;
    mergedNote = `, merged with ${existing.value.name} (${merged.added.length} of its paths added)`;
  }

  const out = resolve(cwd, options.out ?? resolve(REPO_ROOT, DEFAULT_RULES_OUT));
  const file: RulesFile = { rules };
  try {
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, `${JSON.stringify(file, null, 2)}\n`);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return {
      ok: false,
      errors: [`${displayName(out, cwd)}: cannot write: ${String(code ?? error)}`],
    };
  }
  return {
    ok: true,
    profile,
    out,
    rules: file,
    summary: `wrote ${displayName(out, cwd)}: ${profile} rules${mergedNote}`,
  };
}
