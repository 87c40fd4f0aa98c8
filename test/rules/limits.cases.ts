// Issue 9, design gaps: rate limits on requests (`vmPool/requestQuota/{uid}`) and what
// producers read of the pool (`vmPool/summary`; their competitions' VMs are in pool.cases.ts).
import { REQUEST_LIMITS } from '@vmpool/core';
import { NOW, SERVER_TIMESTAMP, UID } from './fixture';
import { forRoles, quotaClaim, type RuleCase } from './matrix';

const QUOTA_A = `vmPool/requestQuota/${UID.producerA}`;
const QUOTA_ADMIN = `vmPool/requestQuota/${UID.admin}`;

function row(requestedBy: string, fields: Record<string, unknown> = {}) {
  return {
    action: 'assign',
    competitionId: 'comp-a',
    ...fields,
    requestedBy,
    requestedAt: SERVER_TIMESTAMP,
  };
}

const adminRow = (fields: Record<string, unknown> = {}) => ({
  action: 'start',
  vmId: 'vm-002',
  ...fields,
  requestedBy: UID.admin,
  requestedAt: SERVER_TIMESTAMP,
});

/** The highest slot key a role may use, and the first it may not. */
const lastSlot = (perMinute: number) => `s${String(perMinute - 1)}`;
const pastSlot = (perMinute: number) => `s${String(perMinute)}`;

export const requestQuotaCases: RuleCase[] = [
  // What a request row needs: one free slot, claimed in the same update, naming the row.
  {
    who: 'producer',
    op: 'write',
    path: 'vmPool/requests/req-q1',
    data: row(UID.producerA),
    alsoWrites: quotaClaim(UID.producerA, 'req-q1', 's0'),
    expect: 'allow',
    why: 'a request with a never used slot',
  },
  {
    who: 'producer',
    op: 'write',
    path: 'vmPool/requests/req-q1',
    data: row(UID.producerA),
    alsoWrites: quotaClaim(UID.producerA, 'req-q1', 's9'),
    expect: 'allow',
    why: 'a slot older than the window is free again',
  },
  {
    who: 'producer',
    op: 'write',
    path: 'vmPool/requests/req-q1',
    data: row(UID.producerA),
    expect: 'deny',
    why: 'the reproduced attack: a bare request row, no slot claimed, is refused',
  },
  {
    who: 'producer',
    op: 'write',
    path: 'vmPool/requests/req-q1',
    data: row(UID.producerA),
    alsoWrites: quotaClaim(UID.producerA, 'req-q1', 's3'),
    expect: 'deny',
    why: 'a slot used 15 s ago is still inside the minute',
  },
  {
    who: 'producer',
    op: 'write',
    path: 'vmPool/requests/req-q1',
    data: row(UID.producerA),
    alsoWrites: quotaClaim(UID.producerA, 'req-q1', pastSlot(REQUEST_LIMITS.producer.perMinute)),
    expect: 'deny',
    why: `a producer has ${String(REQUEST_LIMITS.producer.perMinute)} slots a minute, no more`,
  },
  {
    who: 'producer',
    op: 'write',
    path: 'vmPool/requests/req-q1',
    data: row(UID.producerA),
    alsoWrites: {
      ...quotaClaim(UID.producerA, 'req-q1', 's0'),
      [`vmPool/requestQuota/${UID.producerA}/last`]: { requestId: 'req-q2', slot: 's0' },
    },
    expect: 'deny',
    why: 'the pointer must name this row',
  },
  {
    who: 'producer',
    op: 'update',
    path: 'vmPool',
    data: {
      'requests/req-q1': row(UID.producerA),
      'requests/req-q2': row(UID.producerA),
      [`requestQuota/${UID.producerA}/slots/s0`]: { at: SERVER_TIMESTAMP, requestId: 'req-q1' },
      [`requestQuota/${UID.producerA}/last`]: { requestId: 'req-q1', slot: 's0' },
    },
    expect: 'deny',
    why: 'one slot admits one row: two rows in one update are refused',
  },
  {
    who: 'producer',
    op: 'write',
    path: 'vmPool/requests/req-q1',
    data: row(UID.producerA),
    alsoWrites: {
      [`${QUOTA_A}/slots/s0`]: { at: NOW - 1000, requestId: 'req-q1' },
      [`${QUOTA_A}/last`]: { requestId: 'req-q1', slot: 's0' },
    },
    expect: 'deny',
    why: 'a slot is stamped with the server time',
  },
  {
    who: 'producer',
    op: 'write',
    path: 'vmPool/requests/req-q1',
    data: row(UID.producerA),
    alsoWrites: {
      [`vmPool/requestQuota/${UID.producerB}/slots/s0`]: {
        at: SERVER_TIMESTAMP,
        requestId: 'req-q1',
      },
      [`vmPool/requestQuota/${UID.producerB}/last`]: { requestId: 'req-q1', slot: 's0' },
    },
    expect: 'deny',
    why: 'nobody spends another user’s slots',
  },
  {
    who: 'admin',
    op: 'write',
    path: 'vmPool/requests/req-q1',
    data: adminRow(),
    alsoWrites: quotaClaim(UID.admin, 'req-q1', lastSlot(REQUEST_LIMITS.admin.perMinute)),
    expect: 'allow',
    why: `an admin has ${String(REQUEST_LIMITS.admin.perMinute)} slots a minute`,
  },
  {
    who: 'admin',
    op: 'write',
    path: 'vmPool/requests/req-q1',
    data: adminRow(),
    alsoWrites: quotaClaim(UID.admin, 'req-q1', pastSlot(REQUEST_LIMITS.admin.perMinute)),
    expect: 'deny',
    why: 'and no more',
  },
  {
    who: 'admin',
    op: 'write',
    path: 'vmPool/requests/req-q1',
    data: adminRow(),
    expect: 'deny',
    why: 'admins claim a slot too',
  },
  // The quota node itself.
  ...forRoles(['producer'], {
    op: 'read',
    path: QUOTA_A,
    expect: 'allow',
    why: 'a user reads its own quota (to pick a free slot)',
  }),
  ...forRoles(['anonymous', 'anonymousSignIn', 'noClaim', 'admin', 'agent'], {
    op: 'read',
    path: QUOTA_A,
    expect: 'deny',
    why: 'a quota is its user’s only',
  }),
  ...forRoles(['anonymous', 'anonymousSignIn', 'noClaim', 'producer', 'admin', 'agent'], {
    op: 'read',
    path: 'vmPool/requestQuota',
    expect: 'deny',
    why: 'nobody lists the quotas',
  }),
  {
    who: 'admin',
    op: 'read',
    path: QUOTA_ADMIN,
    expect: 'allow',
    why: 'an admin reads its own quota',
  },
  {
    who: 'producer',
    op: 'write',
    path: `${QUOTA_A}/slots/s3`,
    data: null,
    expect: 'deny',
    why: 'a used slot cannot be deleted to make room',
  },
  {
    who: 'producer',
    op: 'write',
    path: QUOTA_A,
    data: null,
    expect: 'deny',
    why: 'nor the whole quota',
  },
  {
    who: 'producer',
    op: 'write',
    path: `${QUOTA_A}/slots/s3`,
    data: { at: SERVER_TIMESTAMP, requestId: 'req-q1' },
    expect: 'deny',
    deniedBy: 'permission',
    why: 'nor overwritten inside the minute',
  },
  {
    who: 'producer',
    op: 'write',
    path: `${QUOTA_A}/open/req-recent-1`,
    data: null,
    expect: 'deny',
    why: 'open requests are counted by the control plane only',
  },
  ...forRoles(['anonymous', 'anonymousSignIn', 'noClaim', 'agent'], {
    op: 'write',
    path: `${QUOTA_A}/slots/s0`,
    data: { at: SERVER_TIMESTAMP, requestId: 'req-q1' },
    expect: 'deny',
    why: 'no claim, no slot',
  }),
  {
    who: 'admin',
    op: 'write',
    path: `${QUOTA_A}/slots/s0`,
    data: { at: SERVER_TIMESTAMP, requestId: 'req-q1' },
    expect: 'deny',
    why: 'not even an admin writes another user’s quota',
  },
];

export const poolSummaryCases: RuleCase[] = [
  ...forRoles(['producer', 'admin'], {
    op: 'read',
    path: 'vmPool/summary',
    expect: 'allow',
    why: 'producers see the pool as counts',
  }),
  ...forRoles(['anonymous', 'anonymousSignIn', 'noClaim', 'agent'], {
    op: 'read',
    path: 'vmPool/summary',
    expect: 'deny',
    why: 'no claim, no pool',
  }),
  ...forRoles(['anonymous', 'anonymousSignIn', 'noClaim', 'producer', 'admin', 'agent'], {
    op: 'write',
    path: 'vmPool/summary/ready',
    data: 5,
    expect: 'deny',
    why: 'the control plane alone writes the summary',
  }),
];
