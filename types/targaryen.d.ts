// The part of targaryen 3.1.0's API that local/rtdb uses (it ships no types); shared so that every
// workspace importing @vmpool/local/rtdb type-checks.
declare module 'targaryen' {
  export interface DataNode {
    $set(path: string, value: unknown, priority?: unknown, now?: number): DataNode;
  }
  export interface Ruleset {
    readonly root: unknown;
  }
  export interface Result {
    readonly allowed: boolean;
    readonly info: string;
    readonly newDatabase: Database;
  }
  export interface Database {
    readonly root: DataNode;
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
