// The compat profile: database.rules.json plus the reads the producers' show-controller makes
// without signing in (tools/src/rules/show-controller.ts lists them with their source lines).
// Under compat every strict case keeps its verdict except the reads of COMPAT_OPENED, which
// anyone may make; compatCases add what an anonymous reader can and cannot do.
import { NOW, SERVER_TIMESTAMP, UID } from './fixture';
import { forRoles, type RuleCase } from './matrix';

/** Paths of the fixture that compat opens to every reader (exactly these, hand-written). */
export const COMPAT_OPENED: readonly string[] = [
  'competitions',
  'competitions/comp-a',
  'competitions/comp-a/config',
  'competitions/comp-a/config/vmAddress',
  'competitions/comp-a/config/endsAt',
  'competitions/comp-b',
  'competitions/comp-b/config',
  'alerts/comp-a',
  'alerts/comp-a/alert-a1',
  'alerts/comp-b',
  'alerts/comp-b/alert-b1',
];

/** A strict case as it stands under compat. */
export function underCompat(ruleCase: RuleCase): RuleCase {
  if (ruleCase.op !== 'read' || !COMPAT_OPENED.includes(ruleCase.path)) return ruleCase;
  return { ...ruleCase, expect: 'allow', why: `compat opens it (strict: ${ruleCase.why})` };
}

/** The acknowledgement exactly as the show-controller writes it (hooks/useAlerts.js:84). */
const showControllerAck = {
  acknowledged: true,
  acknowledgedAt: new Date(NOW).toISOString(),
  acknowledgedBy: 'producer',
};

const ANYONE_UNCLAIMED = ['anonymous', 'anonymousSignIn', 'noClaim', 'agent'] as const;

export const compatCases: RuleCase[] = [
  ...forRoles(ANYONE_UNCLAIMED, {
    op: 'read',
    path: 'competitions',
    expect: 'allow',
    why: 'the show-controller’s home page lists competitions (useCompetitions.js:341)',
  }),
  ...forRoles(ANYONE_UNCLAIMED, {
    op: 'read',
    path: 'competitions/comp-a/config',
    expect: 'allow',
    why: 'a competition page loads its config (CompetitionContext.jsx:105)',
  }),
  {
    who: 'anonymous',
    op: 'read',
    path: 'competitions/comp-b/config',
    expect: 'allow',
    why: 'every competition, with or without a VM',
  },
  ...forRoles(ANYONE_UNCLAIMED, {
    op: 'read',
    path: 'alerts/comp-a',
    expect: 'allow',
    why: 'the producer page’s alert panel (useAlerts.js:46)',
  }),
  {
    who: 'anonymous',
    op: 'read',
    path: 'alerts/comp-a',
    query: { orderByChild: 'resolved', equalTo: false },
    expect: 'allow',
    why: 'queries on a competition’s alerts as well',
  },
  ...forRoles(ANYONE_UNCLAIMED, {
    op: 'read',
    path: 'alerts/pool',
    expect: 'deny',
    why: 'pool-wide alerts are not the show-controller’s',
  }),
  ...forRoles(ANYONE_UNCLAIMED, {
    op: 'read',
    path: 'alerts',
    expect: 'deny',
    why: 'all scopes at once stays admin-only',
  }),
  ...[
    'vmPool',
    'vmPool/vms',
    'vmPool/vms/vm-001',
    'vmPool/vms/vm-001/agent',
    'vmPool/config',
    'vmPool/requests',
    'vmPool/requests/req-a-assign',
    'vmPool/commands/vm-001',
    'vmPool/identity',
    'vmPool/assignments',
    'vmPool/openRequests',
    'vmPool/alertIndex',
    'producerAccess',
    `producerAccess/${UID.producerA}`,
    'audit',
    'audit/audit-1',
  ].map((path): RuleCase => ({
    who: 'anonymous',
    op: 'read',
    path,
    expect: 'deny',
    why: 'compat opens nothing of vmpool’s own paths (useVMPool.js:32 stays refused)',
  })),
  ...forRoles(['anonymous', 'anonymousSignIn', 'noClaim'], {
    op: 'update',
    path: 'alerts/comp-a/alert-a1',
    data: showControllerAck,
    expect: 'deny',
    why: 'compat opens no write: the show-controller’s acknowledgement without sign-in',
  }),
  {
    who: 'producer',
    op: 'update',
    path: 'alerts/comp-a/alert-a1',
    data: showControllerAck,
    deniedBy: 'validation',
    expect: 'deny',
    why: 'its acknowledgement shape (acknowledgedBy "producer", an ISO time) fails validation',
  },
  {
    who: 'producer',
    op: 'update',
    path: 'alerts/comp-a/alert-a1',
    data: { acknowledged: true, acknowledgedBy: UID.producerA, acknowledgedAt: SERVER_TIMESTAMP },
    expect: 'allow',
    why: 'the acknowledgement of the sign-in patch (uid, server time)',
  },
  ...forRoles(ANYONE_UNCLAIMED, {
    op: 'update',
    path: 'competitions/comp-a/config',
    data: { venue: 'Elsewhere' },
    expect: 'deny',
    why: 'editing a competition (useCompetitions.js:377) needs an admin',
  }),
  {
    who: 'anonymous',
    op: 'write',
    path: 'competitions/comp-a/config/vmAddress',
    data: '198.51.100.7:3003',
    expect: 'deny',
    why: 'nobody but the control plane points a show at a VM',
  },
  {
    who: 'anonymous',
    op: 'write',
    path: 'competitions/comp-a',
    data: null,
    expect: 'deny',
    why: 'deleting a competition (useCompetitions.js:471)',
  },
  {
    who: 'anonymous',
    op: 'write',
    path: 'competitions/comp-a/currentGraphic',
    data: { graphic: 'clear', timestamp: NOW },
    expect: 'deny',
    why: 'the show-controller’s own data needs its own rules, merged in',
  },
];
