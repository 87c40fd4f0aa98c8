// Demo data for a fresh stack, written so that a second start changes nothing that exists:
// users are created or brought back to the demo password and claims; config and competitions
// are written only where missing; the pool is created only when the compute state is empty.
import {
  DEFAULT_POOL_CONFIG,
  paths,
  parsePoolConfig,
  SHOW_SERVER_PORT,
  type PoolConfig,
} from '@vmpool/core';
import type { Auth } from 'firebase-admin/auth';
import type { Database } from 'firebase-admin/database';
import { readState, writeState, type LocalInstanceRecord } from '../compute/state-store';

export const DEMO_PASSWORD = 'vmpool-demo';

export interface DemoUser {
  uid: string;
  email: string;
  displayName: string;
  claims: Record<string, boolean>;
  role: 'admin' | 'producer';
}

export const DEMO_USERS: readonly DemoUser[] = [
  {
    uid: 'demo-admin',
    email: 'admin@vmpool.local',
    displayName: 'Demo Admin',
    claims: { admin: true },
    role: 'admin',
  },
  {
    uid: 'demo-producer',
    email: 'producer@vmpool.local',
    displayName: 'Demo Producer',
    claims: { producer: true },
    role: 'producer',
  },
];

export interface DemoCompetition {
  id: string;
  eventName: string;
  gender: string;
  meetDate: string;
  venue: string;
  /** the demo producer may work on it */
  producer: boolean;
}

export const DEMO_COMPETITIONS: readonly DemoCompetition[] = [
  {
    id: 'state-champs-w-2026',
    eventName: 'State Championships',
    gender: 'womens',
    meetDate: '2026-12-05',
    venue: 'Capital Arena',
    producer: true,
  },
  {
    id: 'winter-invitational-m-2026',
    eventName: 'Winter Invitational',
    gender: 'mens',
    meetDate: '2026-12-12',
    venue: 'Northside Gym',
    producer: true,
  },
  {
    id: 'elite-qualifier-w-2027',
    eventName: 'Elite Qualifier',
    gender: 'womens',
    meetDate: '2027-01-16',
    venue: 'Lakeside Center',
    producer: false,
  },
  {
    id: 'college-dual-m-2027',
    eventName: 'College Dual Meet',
    gender: 'mens',
    meetDate: '2027-01-23',
    venue: 'University Fieldhouse',
    producer: false,
  },
];

/** The PRD's pool: two warm VMs and three cold ones. */
export const DEMO_POOL = [
  { vmId: 'vm-001', running: true },
  { vmId: 'vm-002', running: true },
  { vmId: 'vm-003', running: false },
  { vmId: 'vm-004', running: false },
  { vmId: 'vm-005', running: false },
] as const;

export const LOCAL_REGION = DEFAULT_POOL_CONFIG.awsRegion;

/** Local agents heartbeat this often: well inside the seeded `agentStaleSeconds`. */
export const AGENT_HEARTBEAT_MS = 4000;
const AGENT_STALE_SECONDS = 20;

/** Pool config for the local stack: short health intervals so a dead agent shows quickly. */
export function demoPoolConfig(bootDelayMs: number, now: number): PoolConfig {
  const parsed = parsePoolConfig({
    ...DEFAULT_POOL_CONFIG,
    minWarmVMs: 2,
    maxTotalVMs: 5,
    maxConcurrent: 4,
    // a local "AMI": launches are refused while amiId is empty
    amiId: 'ami-0123456789abcdef0',
    // The boot plus the agent's own start: a node process that takes tens of seconds on a
    // loaded machine (CI saw a warm VM time out at +10 s and a third VM started in its place).
    warmupTimeSeconds: Math.min(1800, Math.max(10, Math.ceil(bootDelayMs / 1000) + 30)),
    agentStaleSeconds: AGENT_STALE_SECONDS,
    updatedAt: now,
    updatedBy: 'local-stack',
  });
  if (!parsed.ok) throw new Error(`demo pool config is invalid: ${parsed.errors.join('; ')}`);
  return parsed.value;
}

export async function seedUsers(auth: Auth): Promise<void> {
  for (const user of DEMO_USERS) {
    const fields = {
      email: user.email,
      password: DEMO_PASSWORD,
      displayName: user.displayName,
      emailVerified: true,
    };
    try {
      await auth.updateUser(user.uid, fields);
    } catch (error) {
      if ((error as { code?: string }).code !== 'auth/user-not-found') throw error;
      await auth.createUser({ uid: user.uid, ...fields });
    }
    await auth.setCustomUserClaims(user.uid, user.claims);
  }
}

/** Writes `value` at `path` unless something is already there. */
async function setIfMissing(db: Database, path: string, value: unknown): Promise<boolean> {
  const result = await db
    .ref(path)
    .transaction((current: unknown) => (current === null ? value : undefined));
  return result.committed;
}

export async function seedDatabase(db: Database, bootDelayMs: number, now: number): Promise<void> {
  await setIfMissing(db, paths.poolConfig(), demoPoolConfig(bootDelayMs, now));
  const producer = DEMO_USERS.find((user) => user.role === 'producer');
  for (const competition of DEMO_COMPETITIONS) {
    const { id, producer: forProducer, ...config } = competition;
    await setIfMissing(db, paths.competitionConfig(id), config);
    if (forProducer && producer) await db.ref(paths.producerAccessFor(producer.uid, id)).set(true);
  }
}

/**
 * Creates the demo pool in the compute state when it holds no instances yet: running ones
 * boot when the provider opens, stopped ones wait for a cold start.
 */
export async function seedPool(
  stateFile: string,
  addressPrefix: string,
  poolTags: Record<string, string>,
  now: number,
): Promise<boolean> {
  const state = await readState(stateFile);
  if (state.instances.length > 0) return false;
  const instances: LocalInstanceRecord[] = DEMO_POOL.map(({ vmId, running }, index) => ({
    instanceId: `local-${vmId}`,
    vmId,
    region: LOCAL_REGION,
    state: running ? 'running' : 'stopped',
    instanceType: DEFAULT_POOL_CONFIG.instanceType,
    tags: { ...poolTags, Name: `vmpool-${vmId}`, VmId: vmId },
    launchTime: now,
    clientToken: `seed-${vmId}`,
    address: `${addressPrefix}.${index + 2}`,
    showServerPort: SHOW_SERVER_PORT,
    agentPid: null,
    showServerPid: null,
    terminatedAt: null,
  }));
  await writeState(stateFile, { version: 1, instances });
  return true;
}
