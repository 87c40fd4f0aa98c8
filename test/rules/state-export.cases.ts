// Saved show state (issue 12): vmPool/stateExports/{compId}, written by the agent of the VM
// that holds the competition, read back by it and by admins (the control plane uses the admin
// SDK); everyone else is refused.
import { SERVER_TIMESTAMP } from './fixture';
import { forRoles, type RuleCase } from './matrix';

const digest = 'ab'.repeat(32);
const record = {
  competitionId: 'comp-a',
  vmId: 'vm-001',
  at: SERVER_TIMESTAMP,
  bucket: 'vmpool-recordings',
  key: `state/comp-a/${digest}.json`,
  digest,
  bytes: 5120,
  obs: { sceneCollection: 'Gymnastics', profile: 'Broadcast' },
  showServer: false,
  trigger: 'change',
};

export const stateExportCases: RuleCase[] = [
  ...forRoles(['admin', 'agent'], {
    op: 'read',
    path: 'vmPool/stateExports/comp-a',
    expect: 'allow',
    why: 'admins, and the agent of the VM that holds comp-a (it compares before uploading)',
  }),
  ...forRoles(
    ['anonymous', 'anonymousSignIn', 'noClaim', 'producer', 'strayAgent', 'formerAgent'],
    {
      op: 'read',
      path: 'vmPool/stateExports/comp-a',
      expect: 'deny',
      why: 'saved show state names archive keys: not for producers or other agents',
    },
  ),
  {
    who: 'agent',
    op: 'read',
    path: 'vmPool/stateExports/comp-b',
    expect: 'deny',
    why: 'vm-001 does not hold comp-b',
  },
  {
    who: 'admin',
    op: 'read',
    path: 'vmPool/stateExports',
    expect: 'allow',
    why: 'admins list every export',
  },
  {
    who: 'agent',
    op: 'read',
    path: 'vmPool/stateExports',
    expect: 'deny',
    why: 'an agent reads only its own competition’s export',
  },
  {
    who: 'agent',
    op: 'write',
    path: 'vmPool/stateExports/comp-a',
    data: record,
    expect: 'allow',
    why: 'the agent of the VM that holds comp-a records its latest export',
  },
  {
    who: 'agent',
    op: 'write',
    path: 'vmPool/stateExports/comp-a',
    data: { ...record, obs: { sceneCollection: 'Gymnastics' } },
    expect: 'allow',
    why: 'an export without a profile',
  },
  ...forRoles(
    [
      'anonymous',
      'anonymousSignIn',
      'noClaim',
      'producer',
      'admin',
      'strayAgent',
      'formerAgent',
      'legacyAgent',
    ],
    {
      op: 'write',
      path: 'vmPool/stateExports/comp-a',
      data: record,
      expect: 'deny',
      deniedBy: 'permission',
      why: 'only the agent of the VM that holds the competition writes it',
    },
  ),
  {
    who: 'agent',
    op: 'write',
    path: 'vmPool/stateExports/comp-b',
    data: { ...record, competitionId: 'comp-b', key: `state/comp-b/${digest}.json` },
    expect: 'deny',
    deniedBy: 'permission',
    why: 'vm-001 does not hold comp-b',
  },
  ...(
    [
      ['vmId', { vmId: 'vm-002' }, 'names another VM'],
      ['key', { key: 'recordings/comp-a/x.mp4' }, 'a key that is not the digest’s'],
      ['competitionId', { competitionId: 'comp-b' }, 'another competition'],
      ['digest', { digest: 'XYZ', key: 'state/comp-a/XYZ.json' }, 'not a sha-256'],
      ['trigger', { trigger: 'manual' }, 'an unknown trigger'],
      ['at', { at: 1 }, 'a client-chosen time'],
      ['extra', { shell: 'rm -rf /' }, 'an unknown field'],
      ['obs', { obs: { sceneCollection: 'G', path: '/etc' } }, 'an unknown obs field'],
    ] as const
  ).map(([field, patch, what]): RuleCase => ({
    who: 'agent',
    op: 'write',
    path: 'vmPool/stateExports/comp-a',
    data: { ...record, ...patch },
    expect: 'deny',
    deniedBy: 'validation',
    why: `${field}: ${what}`,
  })),
  {
    who: 'agent',
    op: 'write',
    path: 'vmPool/stateExports/comp-a',
    data: null,
    expect: 'deny',
    deniedBy: 'permission',
    why: 'an agent never deletes the record',
  },
];
