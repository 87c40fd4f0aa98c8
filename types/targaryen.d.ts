// The part of targaryen 3.1.0's API that local/rtdb uses (it ships no types); shared so that every
// workspace importing @vmpool/local/rtdb type-checks.
declare module 'targaryen' {
  export interface DataNode {
    $set(path: string, value: unknown, priority?: unknown, now?: number): DataNode;
    $child(path: string): DataNode;
    $isPrimitive(): boolean;
    $priority(): string | number | null | undefined;
    $value(): unknown;
  }
  /** A parsed `.read`/`.write`/`.validate` expression. */
  export interface Rule {
    toString(): string;
  }
  /** One level of the rules tree; its named children are its own keys. */
  export interface RulesetNode {
    readonly $read: Rule | null;
    readonly $write: Rule | null;
    readonly $wildchild: RulesetNode | null;
    $child(name: string): { rules: RulesetNode } | undefined;
  }
  export interface Ruleset {
    readonly root: RulesetNode;
    tryWrite(path: string, data: Database, newData: Database, newValue: unknown): Result;
  }
  export interface Result {
    readonly allowed: boolean;
    readonly info: string;
    readonly newDatabase: Database;
  }
  export interface Database {
    readonly root: DataNode;
    readonly rules: Ruleset;
    with(updates: { data?: DataNode; now?: number }): Database;
    as(auth: unknown): Database;
    read(path: string, options?: { now: number; query?: object }): Result;
    write(path: string, value: unknown, options?: { now: number }): Result;
    update(path: string, patch: Record<string, unknown>, options?: { now: number }): Result;
  }
  export function database(rules: object | Ruleset, data: unknown, now?: number): Database;
  export function store(data: unknown, options?: { now?: number }): DataNode;
  export function ruleset(definition: object): Ruleset;
  const targaryen: {
    database: typeof database;
    store: typeof store;
    ruleset: typeof ruleset;
  };
  export default targaryen;
}
