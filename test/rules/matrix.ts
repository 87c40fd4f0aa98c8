// The rules matrix: each case is data (who, what operation, which path, expected verdict,
// why), evaluated offline by targaryen against a rules profile (strict: database.rules.json;
// compat: strict plus the show-controller's anonymous reads) and the fixture.
import { rulesForProfile, type RulesProfile } from '@vmpool/tools/rules';
import { describe, expect, it } from 'vitest';
import { INSTANCE, NOW, ROOT, UID } from './fixture';
import {
  targaryen,
  type TargaryenAuth,
  type TargaryenDatabase,
  type TargaryenQuery,
  type TargaryenResult,
} from './targaryen-api';

export const RULES_PATH = new URL('../../database.rules.json', import.meta.url);

export type { RulesProfile };

/** The rules of a profile as the tools build them (strict is database.rules.json as is). */
export function loadRules(profile: RulesProfile = 'strict'): unknown {
  return rulesForProfile(profile);
}

/** Firebase Auth users as the rules see them (`auth`), one per role. */
export const ROLES = {
  /** Not signed in: `auth` is null. */
  anonymous: null,
  /** Signed in with Firebase anonymous auth: a uid, no claim. */
  anonymousSignIn: {
    uid: 'u-anonymous',
    provider: 'anonymous',
    token: { firebase: { sign_in_provider: 'anonymous' } },
  },
  noClaim: {
    uid: UID.noClaim,
    provider: 'password',
    token: { email: 'plain@example.com', firebase: { sign_in_provider: 'password' } },
  },
  /** Producer of comp-a (not comp-b). */
  producer: {
    uid: UID.producerA,
    provider: 'password',
    token: { producer: true, firebase: { sign_in_provider: 'password' } },
  },
  admin: {
    uid: UID.admin,
    provider: 'password',
    token: { admin: true, firebase: { sign_in_provider: 'password' } },
  },
  /** An admin whose uid happens to be the schedule's requester name. */
  scheduleLookalike: {
    uid: UID.scheduleLookalike,
    provider: 'password',
    token: { admin: true, firebase: { sign_in_provider: 'password' } },
  },
  /** The agent on vm-001 (custom token minted for that VM's instance). */
  agent: {
    uid: UID.agent,
    provider: 'custom',
    token: {
      vmId: 'vm-001',
      instanceId: INSTANCE.vm001,
      firebase: { sign_in_provider: 'custom' },
    },
  },
  /** An agent whose VM is not (or no longer) in the pool. */
  strayAgent: {
    uid: 'agent-i-0a1b2c3d4e5f60009',
    provider: 'custom',
    token: {
      vmId: 'vm-009',
      instanceId: 'i-0a1b2c3d4e5f60009',
      firebase: { sign_in_provider: 'custom' },
    },
  },
  /**
   * The agent of a terminated instance that was vm-001 before the id was given to the
   * instance vm-001 is now: its token still names vm-001, but another instance.
   */
  formerAgent: {
    uid: UID.formerAgent,
    provider: 'custom',
    token: {
      vmId: 'vm-001',
      instanceId: INSTANCE.formerVm001,
      firebase: { sign_in_provider: 'custom' },
    },
  },
  /** A token minted before agent tokens named their instance: only the vmId claim. */
  legacyAgent: {
    uid: 'agent-vm-001',
    provider: 'custom',
    token: { vmId: 'vm-001', firebase: { sign_in_provider: 'custom' } },
  },
} as const satisfies Record<string, TargaryenAuth | null>;

export type Role = keyof typeof ROLES;
/** The roles every contract path is checked against for both read and write. */
export const CORE_ROLES: readonly Role[] = [
  'anonymous',
  'anonymousSignIn',
  'noClaim',
  'producer',
  'admin',
  'agent',
];

export type Op = 'read' | 'write' | 'update';

export interface RuleCase {
  who: Role;
  op: Op;
  path: string;
  /** Value for `write`; for `update`, the patch (keys relative to `path`). */
  data?: unknown;
  /** Query parameters for a `read` (rules can inspect them as `query.*`). */
  query?: TargaryenQuery;
  expect: 'allow' | 'deny';
  /**
   * For a write denial: 'validation' asserts the writer was permitted and a .validate rule
   * refused the data, so the case proves the validation rather than a missing permission.
   */
  deniedBy?: 'permission' | 'validation';
  /**
   * Other paths (absolute) written in the same multi-path update as a `write`: a request row
   * goes with its rate-limit slot (`vmPool/requestQuota/{uid}`).
   */
  alsoWrites?: Record<string, unknown>;
  why: string;
}

/** The same operation tried by several roles. */
export function forRoles(roles: readonly Role[], template: Omit<RuleCase, 'who'>): RuleCase[] {
  return roles.map((who) => ({ ...template, who }));
}

const baseDatabases = new Map<RulesProfile, TargaryenDatabase>();

/** The fixture database under a rules profile as seen by `role`. */
export function databaseAs(role: Role, profile: RulesProfile = 'strict'): TargaryenDatabase {
  let base = baseDatabases.get(profile);
  if (base === undefined) {
    base = targaryen.database(loadRules(profile), ROOT, NOW);
    baseDatabases.set(profile, base);
  }
  const auth = ROLES[role];
  return auth === null ? base : base.as(auth);
}

export function evaluate(ruleCase: RuleCase, profile: RulesProfile = 'strict'): TargaryenResult {
  const db = databaseAs(ruleCase.who, profile);
  switch (ruleCase.op) {
    case 'read':
      return db.read(ruleCase.path, {
        now: NOW,
        ...(ruleCase.query ? { query: ruleCase.query } : {}),
      });
    case 'write':
      if (ruleCase.alsoWrites !== undefined) {
        return db.update(
          '/',
          { [ruleCase.path]: ruleCase.data ?? null, ...ruleCase.alsoWrites },
          NOW,
        );
      }
      return db.write(ruleCase.path, ruleCase.data ?? null, { now: NOW });
    case 'update':
      if (typeof ruleCase.data !== 'object' || ruleCase.data === null) {
        throw new Error(`update case on ${ruleCase.path} needs a patch object`);
      }
      return db.update(ruleCase.path, ruleCase.data as Record<string, unknown>, NOW);
  }
}

export function caseName(ruleCase: RuleCase): string {
  const query = ruleCase.query ? ` ?${JSON.stringify(ruleCase.query)}` : '';
  return `${ruleCase.who} ${ruleCase.op} ${ruleCase.path}${query}: ${ruleCase.expect} (${ruleCase.why})`;
}

/** One test per case; a failure prints every rule targaryen evaluated. */
export function defineMatrix(
  title: string,
  cases: readonly RuleCase[],
  profile: RulesProfile = 'strict',
): void {
  describe(title, () => {
    for (const ruleCase of cases) {
      it(caseName(ruleCase), () => {
        const result = evaluate(ruleCase, profile);
        expect(result.allowed, result.info).toBe(ruleCase.expect === 'allow');
        if (ruleCase.deniedBy !== undefined) {
          expect(result.permitted, result.info).toBe(ruleCase.deniedBy === 'validation');
        }
      });
    }
  });
}

/** What a client writes beside a request row: a rate-limit slot and the pointer to the row. */
export function quotaClaim(uid: string, requestId: string, slot = 's0'): Record<string, unknown> {
  return {
    [`vmPool/requestQuota/${uid}/slots/${slot}`]: { at: { '.sv': 'timestamp' }, requestId },
    [`vmPool/requestQuota/${uid}/last`]: { requestId, slot },
  };
}

/**
 * Request-row writes as every client makes them: with the writer's rate-limit slot in the same
 * update (`alsoWrites`), so that each case still tests what it names. Cases that set their own
 * `alsoWrites`, and writers without a uid, are left as they are.
 */
export function withQuotaSlots(cases: readonly RuleCase[]): RuleCase[] {
  return cases.map((ruleCase) => {
    const segments = ruleCase.path.split('/');
    const auth = ROLES[ruleCase.who];
    if (
      ruleCase.op !== 'write' ||
      ruleCase.alsoWrites !== undefined ||
      auth === null ||
      segments.length !== 3 ||
      segments[0] !== 'vmPool' ||
      segments[1] !== 'requests'
    ) {
      return ruleCase;
    }
    return { ...ruleCase, alsoWrites: quotaClaim(auth.uid, segments[2] ?? '') };
  });
}
