// Failover (issue 12): vmPool/failovers/{compId}, the "Switch to vm-00X" request, and the
// failover's own assign requests.
import { NOW, SERVER_TIMESTAMP, UID } from './fixture';
import { forRoles, withQuotaSlots, type Role, type RuleCase } from './matrix';

const EVERYONE: readonly Role[] = [
  'anonymous',
  'anonymousSignIn',
  'noClaim',
  'producer',
  'admin',
  'agent',
  'strayAgent',
];

const record = {
  competitionId: 'comp-a',
  failedVmId: 'vm-001',
  state: 'offered',
  since: NOW,
  reason: 'agent offline and the show server does not answer',
  mode: 'confirm',
  updatedAt: NOW,
};

function switchRequest(requestedBy: string, fields: Record<string, unknown>) {
  return { action: 'failover', requestedBy, requestedAt: SERVER_TIMESTAMP, ...fields };
}

export const failoverRecordCases: RuleCase[] = [
  ...forRoles(['producer', 'admin'], {
    op: 'read',
    path: 'vmPool/failovers/comp-a',
    expect: 'allow',
    why: 'a producer follows the failover of its own show',
  }),
  {
    who: 'producer',
    op: 'read',
    path: 'vmPool/failovers/comp-b',
    expect: 'deny',
    why: 'not another producer’s show',
  },
  {
    who: 'admin',
    op: 'read',
    path: 'vmPool/failovers',
    expect: 'allow',
    why: 'admins list every failover',
  },
  {
    who: 'producer',
    op: 'read',
    path: 'vmPool/failovers',
    expect: 'deny',
    why: 'the list of every show’s failover is for admins',
  },
  ...forRoles(['anonymous', 'anonymousSignIn', 'noClaim', 'agent', 'strayAgent'], {
    op: 'read',
    path: 'vmPool/failovers/comp-a',
    expect: 'deny',
    why: 'no claim for this competition',
  }),
  ...forRoles(EVERYONE, {
    op: 'write',
    path: 'vmPool/failovers/comp-a',
    data: record,
    expect: 'deny',
    deniedBy: 'permission',
    why: 'only the control plane writes failovers',
  }),
];

export const failoverRequestCases: RuleCase[] = withQuotaSlots([
  {
    who: 'producer',
    op: 'write',
    path: 'vmPool/requests/req-switch',
    data: switchRequest(UID.producerA, { competitionId: 'comp-a', failedVmId: 'vm-001' }),
    expect: 'allow',
    why: '"Switch to vm-00X": the producer of the show confirms the failover',
  },
  {
    who: 'admin',
    op: 'write',
    path: 'vmPool/requests/req-switch',
    data: switchRequest(UID.admin, { competitionId: 'comp-b', failedVmId: 'vm-003' }),
    expect: 'allow',
    why: 'an admin confirms any show’s failover',
  },
  {
    who: 'producer',
    op: 'write',
    path: 'vmPool/requests/req-switch',
    data: switchRequest(UID.producerA, { competitionId: 'comp-b', failedVmId: 'vm-003' }),
    expect: 'deny',
    why: 'not for another producer’s show',
  },
  {
    who: 'producer',
    op: 'write',
    path: 'vmPool/requests/req-switch',
    data: switchRequest(UID.producerA, { competitionId: 'comp-a' }),
    expect: 'deny',
    deniedBy: 'validation',
    why: 'a switch names the failed VM',
  },
  {
    who: 'admin',
    op: 'write',
    path: 'vmPool/requests/req-switch',
    data: {
      action: 'assign',
      competitionId: 'comp-a',
      failedVmId: 'vm-001',
      requestedBy: UID.admin,
      requestedAt: SERVER_TIMESTAMP,
    },
    expect: 'deny',
    deniedBy: 'validation',
    why: 'failedVmId belongs to a failover request only',
  },
  ...forRoles(['producer', 'admin'], {
    op: 'write',
    path: 'vmPool/requests/req-forged',
    data: {
      action: 'assign',
      competitionId: 'comp-a',
      requestedBy: 'failover',
      requestedAt: SERVER_TIMESTAMP,
    },
    expect: 'deny',
    deniedBy: 'validation',
    why: 'nobody writes a request in the failover’s name',
  }),
  {
    who: 'producer',
    op: 'read',
    path: 'vmPool/requests/req-failover-a',
    expect: 'allow',
    why: 'a producer follows the failover’s assign for its show',
  },
  ...forRoles(['anonymous', 'noClaim', 'agent'], {
    op: 'read',
    path: 'vmPool/requests/req-failover-a',
    expect: 'deny',
    why: 'no claim for this competition',
  }),
]);
