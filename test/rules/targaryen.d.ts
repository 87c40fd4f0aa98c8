// targaryen 3.1.0 ships no types; this declares the part of its database API the rules
// matrix uses (lib/database/index.js).
declare module 'targaryen' {
  export interface TargaryenAuth {
    uid: string;
    provider?: string;
    token: Record<string, unknown>;
  }

  export interface TargaryenQuery {
    orderByChild?: string;
    orderByKey?: boolean;
    orderByValue?: boolean;
    startAt?: unknown;
    endAt?: unknown;
    equalTo?: unknown;
    limitToFirst?: number;
    limitToLast?: number;
  }

  export interface TargaryenResult {
    readonly allowed: boolean;
    /** A .read/.write rule granted the operation. */
    readonly permitted: boolean;
    /** No .validate rule rejected the new data. */
    readonly validated: boolean;
    /** Every rule evaluated on the way, with its outcome: the reason behind a verdict. */
    readonly info: string;
  }

  export interface TargaryenDatabase {
    /** Note: `as(null)` keeps the current user; start from an unauthenticated database. */
    as(auth: TargaryenAuth): TargaryenDatabase;
    read(path: string, options?: { now?: number; query?: TargaryenQuery }): TargaryenResult;
    write(path: string, value: unknown, options?: { now?: number }): TargaryenResult;
    update(path: string, patch: Record<string, unknown>, now?: number): TargaryenResult;
  }

  /** Throws when the rules would not deploy (unknown rule kind, parse error, …). */
  export function database(rules: unknown, data?: unknown, now?: number): TargaryenDatabase;

  const targaryen: { database: typeof database };
  export default targaryen;
}
