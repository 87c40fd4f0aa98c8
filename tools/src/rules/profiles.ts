// The two rules profiles. `strict` is database.rules.json as committed (the only source of
// the rules); `compat` is strict plus the few anonymous reads the producers' show-controller
// makes while it does not sign in (show-controller.ts lists them with their source lines).
// compat adds reads only: no write, and nothing under vmPool, producerAccess or audit.
import { child, describePath, type RuleNode } from './source';

export const RULES_PROFILES = ['strict', 'compat'] as const;
export type RulesProfile = (typeof RULES_PROFILES)[number];
export const DEFAULT_RULES_PROFILE: RulesProfile = 'strict';

export function isRulesProfile(value: string): value is RulesProfile {
  return (RULES_PROFILES as readonly string[]).includes(value);
}

export interface CompatRead {
  /** Segments below `rules`; wildcards named as in database.rules.json. */
  readonly path: readonly string[];
  /** Who else may read: `true`, or an expression OR-ed with the strict rule. */
  readonly read: true | string;
  /** The show-controller's reads it serves (SHOW_CONTROLLER_ACCESS sources). */
  readonly serves: readonly string[];
}

export const COMPAT_READS: readonly CompatRead[] = [
  {
    // The list of competitions, and with it each competition's config (vmId, vmAddress).
    path: ['competitions'],
    read: true,
    serves: [
      'context/CompetitionContext.jsx:105',
      'components/GraphicsControl.jsx:187',
      'hooks/useCompetitions.js:341',
      'hooks/useCompetitions.js:592',
      'hooks/useCompetitions.js:426 and :480',
    ],
  },
  {
    // A competition's alerts; pool-wide alerts (`alerts/pool`) stay signed-in only.
    path: ['alerts', '$scope'],
    read: "$scope !== 'pool'",
    serves: ['hooks/useAlerts.js:46'],
  },
];

function orRule(existing: unknown, extra: true | string): boolean | string {
  if (extra === true || existing === true) return true;
  if (typeof existing === 'string' && existing.trim() !== '') return `(${existing}) || (${extra})`;
  return extra;
}

/**
 * The rules of `profile`, built from the strict rules (database.rules.json). Throws when a
 * compat path is not in the strict rules (a renamed node or wildcard): the profile must
 * follow the source, never grow a tree of its own.
 */
export function applyProfile(strict: RuleNode, profile: RulesProfile): RuleNode {
  const rules = structuredClone(strict);
  if (profile === 'strict') return rules;
  for (const grant of COMPAT_READS) {
    let node: RuleNode | undefined = rules;
    for (const segment of grant.path) node = node === undefined ? undefined : child(node, segment);
    if (node === undefined) {
      throw new Error(
        `the compat profile reads ${describePath(grant.path)}, which database.rules.json does not define`,
      );
    }
    node['.read'] = orRule(node['.read'], grant.read);
  }
  return rules;
}
