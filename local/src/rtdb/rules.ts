/**
 * Security rules, evaluated with targaryen. The engine works on a targaryen
 * copy of a namespace's data (a `RulesMirror`) that the namespace keeps in step
 * with its own tree while rules are in force.
 */
import { readFileSync } from 'node:fs';
import targaryen, { type DataNode, type Ruleset } from 'targaryen';
import type { AuthVariable } from './auth';
import { pathToString, type Path } from './paths';
import type { RulesQuery } from './query';
import type { Json } from './tree';

export type RulesSource = string | object;

export interface Verdict {
  readonly allowed: boolean;
  readonly info: string;
  /** The mirror after the write (only for allowed writes). */
  readonly newRoot: DataNode | null;
}

/** Strips // and /* *\/ comments outside strings (rules files may carry them). */
export function stripJsonComments(text: string): string {
  let out = '';
  let i = 0;
  while (i < text.length) {
    const ch = text[i] as string;
    if (ch === '"') {
      const start = i++;
      while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
      out += text.slice(start, ++i);
    } else if (ch === '/' && text[i + 1] === '/') {
      while (i < text.length && text[i] !== '\n') i++;
    } else if (ch === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      i = end < 0 ? text.length : end + 2;
    } else {
      out += ch;
      i++;
    }
  }
  return out;
}

/** Loads a rules definition from a file path or takes a parsed object. */
export function loadRulesDefinition(source: RulesSource): object {
  if (typeof source !== 'string') return source;
  const parsed: unknown = JSON.parse(stripJsonComments(readFileSync(source, 'utf8')));
  if (typeof parsed !== 'object' || parsed === null) throw new Error('rules must be an object');
  return parsed;
}

export class RulesEngine {
  private constructor(
    private readonly ruleset: Ruleset,
    private readonly log: (message: string) => void,
  ) {}

  /** Throws when the definition is not a valid rule set. */
  static create(definition: object, log: (message: string) => void = () => undefined): RulesEngine {
    return new RulesEngine(targaryen.ruleset(definition), log);
  }

  /** Rules that fail to evaluate (a targaryen error) deny the operation, and say why in the log. */
  private guarded(what: string, path: Path, evaluate: () => Verdict): Verdict {
    try {
      return evaluate();
    } catch (e) {
      const info = `rules evaluation failed for ${what} at ${pathToString(path)}: ${String(e)}`;
      this.log(info);
      return { allowed: false, info, newRoot: null };
    }
  }

  static mirrorOf(data: Json): DataNode {
    return targaryen.store(data);
  }

  static setInMirror(mirror: DataNode, path: Path, value: Json, now: number): DataNode {
    return mirror.$set(pathToString(path), value, undefined, now);
  }

  canRead(
    mirror: DataNode,
    path: Path,
    auth: AuthVariable,
    now: number,
    query?: RulesQuery,
  ): Verdict {
    return this.guarded('read', path, () => {
      const db = targaryen.database(this.ruleset, mirror, now).as(auth);
      const result = db.read(pathToString(path), query === undefined ? { now } : { now, query });
      return { allowed: result.allowed, info: result.info, newRoot: null };
    });
  }

  checkSet(mirror: DataNode, path: Path, value: Json, auth: AuthVariable, now: number): Verdict {
    return this.guarded('write', path, () => {
      const db = targaryen.database(this.ruleset, mirror, now).as(auth);
      const result = db.write(pathToString(path), value, { now });
      return {
        allowed: result.allowed,
        info: result.info,
        newRoot: result.allowed ? result.newDatabase.root : null,
      };
    });
  }

  checkUpdate(
    mirror: DataNode,
    path: Path,
    patch: Record<string, Json>,
    auth: AuthVariable,
    now: number,
  ): Verdict {
    return this.guarded('update', path, () => {
      const db = targaryen.database(this.ruleset, mirror, now).as(auth);
      const result = db.update(pathToString(path), patch, { now });
      return {
        allowed: result.allowed,
        info: result.info,
        newRoot: result.allowed ? result.newDatabase.root : null,
      };
    });
  }
}
