// The show schedule and its cost: competitions/{compId}/config/startsAt|endsAt, the pool
// config's schedule and price fields, the schedule's own requests, and the control plane's
// status history, cost rollups and boot statistics.
import { NOW, ROOT, SERVER_TIMESTAMP, UID } from './fixture';
import { forRoles, withQuotaSlots, type Role, type RuleCase } from './matrix';

const HOUR = 3_600_000;
const startsA = ROOT.competitions['comp-a'].config.startsAt;
const endsA = ROOT.competitions['comp-a'].config.endsAt;
const NOT_ADMIN: readonly Role[] = ['anonymous', 'anonymousSignIn', 'noClaim', 'producer', 'agent'];
const EVERYONE: readonly Role[] = [...NOT_ADMIN, 'admin'];

export const showTimeCases: RuleCase[] = [
  ...forRoles(['producer', 'admin'], {
    op: 'read',
    path: 'competitions/comp-a/config/startsAt',
    expect: 'allow',
    why: 'the show’s times are read with its config',
  }),
  ...forRoles(['anonymous', 'anonymousSignIn', 'noClaim', 'agent'], {
    op: 'read',
    path: 'competitions/comp-a/config/endsAt',
    expect: 'deny',
    why: 'no claim for this competition',
  }),
  {
    who: 'producer',
    op: 'update',
    path: 'competitions/comp-a/config',
    data: { startsAt: NOW + 24 * HOUR, endsAt: NOW + 27 * HOUR },
    expect: 'allow',
    why: 'a producer schedules its own show',
  },
  {
    who: 'producer',
    op: 'write',
    path: 'competitions/comp-a/config/startsAt',
    data: startsA - HOUR,
    expect: 'allow',
    why: 'a producer moves its show’s start (still before its end)',
  },
  {
    who: 'producer',
    op: 'write',
    path: 'competitions/comp-a/config/endsAt',
    data: null,
    expect: 'allow',
    why: 'the times are optional: a producer may take them away',
  },
  {
    who: 'admin',
    op: 'update',
    path: 'competitions/comp-b/config',
    data: { startsAt: NOW + HOUR, endsAt: NOW + 3 * HOUR },
    expect: 'allow',
    why: 'admins schedule any show',
  },
  {
    who: 'admin',
    op: 'write',
    path: 'competitions/comp-a/config/startsAt',
    data: startsA + HOUR,
    expect: 'allow',
    why: 'admins move a show’s start',
  },
  {
    who: 'producer',
    op: 'write',
    path: 'competitions/comp-b/config/startsAt',
    data: NOW + HOUR,
    expect: 'deny',
    why: 'comp-b is not this producer’s',
  },
  {
    who: 'producer',
    op: 'write',
    path: 'competitions/comp-new/config/startsAt',
    data: NOW + HOUR,
    expect: 'deny',
    why: 'no schedule for a competition that does not exist (nor access to it)',
  },
  ...forRoles(['anonymous', 'anonymousSignIn', 'noClaim', 'agent'], {
    op: 'write',
    path: 'competitions/comp-a/config/startsAt',
    data: NOW + HOUR,
    expect: 'deny',
    why: 'only admins and the show’s producers schedule it',
  }),
  ...forRoles(['anonymous', 'anonymousSignIn', 'noClaim', 'agent'], {
    op: 'write',
    path: 'competitions/comp-a/config/endsAt',
    data: null,
    expect: 'deny',
    why: 'only admins and the show’s producers unschedule it',
  }),
  {
    who: 'producer',
    op: 'update',
    path: 'competitions/comp-a/config',
    data: { startsAt: NOW + HOUR, vmId: 'vm-002' },
    expect: 'deny',
    why: 'a producer may not touch vmId, even beside its show times',
  },
  {
    who: 'producer',
    op: 'update',
    path: 'competitions/comp-a/config',
    data: { endsAt: endsA + HOUR, vmAddress: '198.51.100.7:3003' },
    expect: 'deny',
    why: 'a producer may not touch vmAddress, even beside its show times',
  },
  {
    who: 'producer',
    op: 'write',
    path: 'competitions/comp-a/config/vmId',
    data: null,
    expect: 'deny',
    why: 'producers may drop no VM field',
  },
  {
    who: 'producer',
    op: 'update',
    path: 'competitions/comp-a/config',
    data: { startsAt: NOW + HOUR, venue: 'Elsewhere' },
    expect: 'deny',
    why: 'the show times are all a producer edits',
  },
  {
    who: 'producer',
    op: 'write',
    path: 'competitions/comp-a/config/endsAt',
    data: startsA,
    deniedBy: 'validation',
    expect: 'deny',
    why: 'endsAt must be after startsAt',
  },
  {
    who: 'admin',
    op: 'update',
    path: 'competitions/comp-b/config',
    data: { startsAt: NOW + 3 * HOUR, endsAt: NOW + HOUR },
    deniedBy: 'validation',
    expect: 'deny',
    why: 'a show cannot end before it starts',
  },
  {
    who: 'producer',
    op: 'write',
    path: 'competitions/comp-a/config/startsAt',
    data: endsA + HOUR,
    deniedBy: 'validation',
    expect: 'deny',
    why: 'moving the start past the end',
  },
  {
    who: 'producer',
    op: 'write',
    path: 'competitions/comp-a/config/startsAt',
    data: '2026-11-28T18:00',
    deniedBy: 'validation',
    expect: 'deny',
    why: 'times are ms epoch numbers',
  },
  {
    who: 'producer',
    op: 'write',
    path: 'competitions/comp-a/config/startsAt',
    data: NOW + 0.5,
    deniedBy: 'validation',
    expect: 'deny',
    why: 'times are whole milliseconds',
  },
  {
    who: 'admin',
    op: 'write',
    path: 'competitions/comp-a/config/endsAt',
    data: -1,
    deniedBy: 'validation',
    expect: 'deny',
    why: 'times are not negative',
  },
];

export const scheduleConfigCases: RuleCase[] = [
  {
    who: 'admin',
    op: 'update',
    path: 'vmPool/config',
    data: {
      preWarmMinutes: 45,
      autoReleaseAfterMinutes: 0,
      minWarmVMsOffSchedule: 0,
      hourlyPrices: { t3_large: 0.0832, c5_xlarge: 0.17 },
      updatedAt: SERVER_TIMESTAMP,
      updatedBy: UID.admin,
    },
    expect: 'allow',
    why: 'admins set the schedule settings and price overrides',
  },
  {
    who: 'admin',
    op: 'write',
    path: 'vmPool/config/preWarmMinutes',
    data: 720,
    expect: 'allow',
    why: 'pre-warm up to 12 hours',
  },
  {
    who: 'producer',
    op: 'write',
    path: 'vmPool/config/preWarmMinutes',
    data: 10,
    expect: 'deny',
    why: 'only admins change config',
  },
  {
    who: 'admin',
    op: 'write',
    path: 'vmPool/config/preWarmMinutes',
    data: 0,
    deniedBy: 'validation',
    expect: 'deny',
    why: 'pre-warm is 1..720 minutes',
  },
  {
    who: 'admin',
    op: 'write',
    path: 'vmPool/config/preWarmMinutes',
    data: 721,
    deniedBy: 'validation',
    expect: 'deny',
    why: 'pre-warm is 1..720 minutes',
  },
  {
    who: 'admin',
    op: 'write',
    path: 'vmPool/config/autoReleaseAfterMinutes',
    data: 1.5,
    deniedBy: 'validation',
    expect: 'deny',
    why: 'auto-release is whole minutes',
  },
  {
    who: 'admin',
    op: 'write',
    path: 'vmPool/config/autoReleaseAfterMinutes',
    data: 1441,
    deniedBy: 'validation',
    expect: 'deny',
    why: 'auto-release is 0 (off) to 1440 minutes',
  },
  {
    who: 'admin',
    op: 'write',
    path: 'vmPool/config/minWarmVMsOffSchedule',
    data: 6,
    deniedBy: 'validation',
    expect: 'deny',
    why: 'the off-schedule minimum may not exceed maxTotalVMs (5)',
  },
  {
    who: 'admin',
    op: 'write',
    path: 'vmPool/config/hourlyPrices/T3_large',
    data: 0.08,
    deniedBy: 'validation',
    expect: 'deny',
    why: 'price keys are instance types with _ for the dot',
  },
  {
    who: 'admin',
    op: 'write',
    path: 'vmPool/config/hourlyPrices/t3_large',
    data: -0.08,
    deniedBy: 'validation',
    expect: 'deny',
    why: 'prices are not negative',
  },
  {
    who: 'admin',
    op: 'write',
    path: 'vmPool/config/hourlyPrices/t3_large',
    data: 'cheap',
    deniedBy: 'validation',
    expect: 'deny',
    why: 'prices are numbers (USD per hour)',
  },
];

const scheduleRequest = {
  action: 'assign',
  competitionId: 'comp-a',
  requestedAt: SERVER_TIMESTAMP,
};

export const scheduleRequestCases: RuleCase[] = withQuotaSlots([
  {
    who: 'producer',
    op: 'read',
    path: 'vmPool/requests/req-sched-a',
    expect: 'allow',
    why: 'a producer follows the schedule’s request for its show',
  },
  {
    who: 'producer',
    op: 'read',
    path: 'vmPool/requests/req-sched-a/result',
    expect: 'allow',
    why: 'and its progress',
  },
  {
    who: 'producer',
    op: 'read',
    path: 'vmPool/requests/req-sched-b',
    expect: 'deny',
    why: 'the schedule’s request for another producer’s show',
  },
  ...forRoles(['anonymous', 'anonymousSignIn', 'noClaim', 'agent'], {
    op: 'read',
    path: 'vmPool/requests/req-sched-a',
    expect: 'deny',
    why: 'no claim for this competition',
  }),
  {
    who: 'producer',
    op: 'write',
    path: 'vmPool/requests/req-forged',
    data: { ...scheduleRequest, requestedBy: 'schedule' },
    deniedBy: 'validation',
    expect: 'deny',
    why: 'nobody writes a request in the schedule’s name',
  },
  {
    who: 'admin',
    op: 'write',
    path: 'vmPool/requests/req-forged',
    data: { ...scheduleRequest, requestedBy: 'schedule' },
    deniedBy: 'validation',
    expect: 'deny',
    why: 'not even an admin: requestedBy is the writer',
  },
  {
    who: 'scheduleLookalike',
    op: 'write',
    path: 'vmPool/requests/req-forged',
    data: { ...scheduleRequest, requestedBy: 'schedule' },
    deniedBy: 'validation',
    expect: 'deny',
    why: 'an account whose uid is "schedule" cannot pass as the schedule either',
  },
]);

const historyEntry = {
  at: NOW,
  status: 'available',
  ec2State: 'running',
  instanceType: 't3.large',
  region: 'us-east-1',
  cause: 'release_done',
};

/** Admin-readable, control-plane-written: every role tries to read and to write. */
function adminReadOnly(label: string, entry: string, data: unknown): RuleCase[] {
  return [
    {
      who: 'admin',
      op: 'read',
      path: entry,
      expect: 'allow',
      why: `admins read ${label}`,
    },
    ...forRoles(NOT_ADMIN, {
      op: 'read',
      path: entry,
      expect: 'deny',
      why: `${label} is for admins`,
    }),
    ...forRoles(EVERYONE, {
      op: 'write',
      path: entry,
      data,
      expect: 'deny',
      deniedBy: 'permission',
      why: `only the control plane writes ${label}`,
    }),
    ...forRoles(EVERYONE, {
      op: 'write',
      path: entry,
      data: null,
      expect: 'deny',
      deniedBy: 'permission',
      why: `nobody erases ${label}`,
    }),
  ];
}

export const statusHistoryCases: RuleCase[] = [
  ...adminReadOnly('the status history', 'vmPool/statusHistory/vm-001/h-002', historyEntry),
  {
    who: 'admin',
    op: 'read',
    path: 'vmPool/statusHistory',
    expect: 'allow',
    why: 'the cost rollup and the insights page read every VM’s history',
  },
  {
    who: 'producer',
    op: 'read',
    path: 'vmPool/statusHistory',
    expect: 'deny',
    why: 'the history is for admins',
  },
];

export const monthlyCostCases: RuleCase[] = [
  ...adminReadOnly('the monthly cost', 'vmPool/costs/2026-11', { total: { usd: 0 } }),
  {
    who: 'admin',
    op: 'read',
    path: 'vmPool/costs',
    expect: 'allow',
    why: 'admins list every month',
  },
  {
    who: 'producer',
    op: 'read',
    path: 'vmPool/costs/2026-11/vms',
    expect: 'deny',
    why: 'per-VM and idle figures are for admins',
  },
];

export const competitionCostCases: RuleCase[] = [
  ...forRoles(['producer', 'admin'], {
    op: 'read',
    path: 'vmPool/costs/2026-11/competitions/comp-a',
    expect: 'allow',
    why: 'a producer reads what its own show cost',
  }),
  {
    who: 'producer',
    op: 'read',
    path: 'vmPool/costs/2026-11/competitions/comp-b',
    expect: 'deny',
    why: 'not another producer’s show',
  },
  {
    who: 'producer',
    op: 'read',
    path: 'vmPool/costs/2026-11/competitions',
    expect: 'deny',
    why: 'the list of every show’s cost is for admins',
  },
  ...forRoles(['anonymous', 'anonymousSignIn', 'noClaim', 'agent'], {
    op: 'read',
    path: 'vmPool/costs/2026-11/competitions/comp-a',
    expect: 'deny',
    why: 'no claim for this competition',
  }),
  ...forRoles(EVERYONE, {
    op: 'write',
    path: 'vmPool/costs/2026-11/competitions/comp-a',
    data: { usd: 0, billableSeconds: 0 },
    expect: 'deny',
    deniedBy: 'permission',
    why: 'only the control plane writes costs',
  }),
];

export const bootStatsCases: RuleCase[] = adminReadOnly(
  'the measured boot times',
  'vmPool/bootStats/us-east-1/t3_large',
  { start: [1], launch: [], updatedAt: NOW },
);
