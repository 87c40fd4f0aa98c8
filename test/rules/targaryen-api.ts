// targaryen 3.1.0 ships no types. It is loaded through require with the part of its
// database API the matrix uses spelled out here (lib/database/index.js), rather than an
// ambient `declare module`, so it never clashes with another workspace's declaration.
import { createRequire } from 'node:module';

export interface TargaryenAuth {
  uid: string;
  provider?: string;
  token: Record<string, unknown>;
}

export interface TargaryenQuery {
  orderByChild?: string;
  orderByKey?: boolean;
  orderByValue?: boolean;
  startAt?: string | number | boolean | null;
  endAt?: string | number | boolean | null;
  equalTo?: string | number | boolean | null;
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

interface Targaryen {
  /** Throws when the rules would not deploy (unknown rule kind, parse error, …). */
  database(rules: unknown, data: unknown, now?: number): TargaryenDatabase;
}

export const targaryen = createRequire(import.meta.url)('targaryen') as Targaryen;
