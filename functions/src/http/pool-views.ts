import type { Database } from 'firebase-admin/database';
import {
  healthVerdict,
  parseCompetitionConfig,
  parsePoolConfig,
  parseVmEntry,
  paths,
  pulseOrNull,
  readVmList,
  VM_STATUSES,
  vmWithPulse,
  warmPoolStatus,
  type PoolConfig,
  type VmRecord,
  type VmStatus,
} from '@vmpool/core';
import type { Clock } from '@vmpool/core/ports';
import { isRecord } from '../store/rtdb-values';
import { HttpError } from './caller';

export async function readPoolConfig(db: Database): Promise<PoolConfig> {
  const raw: unknown = (await db.ref(paths.poolConfig()).get()).val();
  const parsed = parsePoolConfig(raw ?? {});
  if (!parsed.ok) {
    throw new HttpError(
      500,
      'INVALID_CONFIG',
      'The stored vmPool/config is invalid',
      parsed.errors,
    );
  }
  return parsed.value;
}

/** One VM through core's parse rule: an unreadable agent report reads as none. */
export async function readVm(db: Database, vmId: string): Promise<VmRecord> {
  const [raw, pulse] = await Promise.all([
    db
      .ref(paths.vm(vmId))
      .get()
      .then((snapshot) => snapshot.val() as unknown),
    db
      .ref(paths.vmPulse(vmId))
      .get()
      .then((snapshot) => pulseOrNull(snapshot.val())),
  ]);
  if (!isRecord(raw)) throw new HttpError(404, 'VM_NOT_FOUND', `There is no VM ${vmId}`);
  const parsed = parseVmEntry(vmId, raw);
  if (!parsed.ok) {
    throw new HttpError(500, 'INVALID_RECORD', `The record of ${vmId} is invalid`, parsed.errors);
  }
  // With its agent's heartbeat and metrics (vmPool/pulse), as the store and the web app read it.
  return vmWithPulse(parsed.value, pulse);
}

/**
 * The whole pool: valid records, the ones that are not (with why), the VMs whose agent report
 * is unreadable (listed, with `agent: null`), counts per status.
 */
export async function listPool(db: Database) {
  const [raw, rawPulses, config] = await Promise.all([
    db
      .ref(paths.vms())
      .get()
      .then((snapshot) => snapshot.val() as unknown),
    db
      .ref(paths.pulses())
      .get()
      .then((snapshot) => snapshot.val() as unknown),
    readPoolConfig(db),
  ]);
  const { vms, invalid, agentProblems } = readVmList(raw, rawPulses);
  const counts = Object.fromEntries(VM_STATUSES.map((status) => [status, 0])) as Record<
    VmStatus,
    number
  >;
  for (const vm of vms) counts[vm.status] += 1;
  const warm = warmPoolStatus(vms, config);
  return {
    vms,
    invalid,
    agentProblems,
    summary: { total: vms.length, counts, warm: warm.warm, warmTarget: warm.target },
  };
}

async function readCompetitionVmFields(db: Database, competitionId: string) {
  const raw: unknown = (await db.ref(paths.competitionConfig(competitionId)).get()).val();
  if (!isRecord(raw)) {
    throw new HttpError(404, 'COMPETITION_NOT_FOUND', `There is no competition ${competitionId}`);
  }
  const parsed = parseCompetitionConfig(raw);
  if (!parsed.ok) {
    throw new HttpError(
      500,
      'INVALID_RECORD',
      `The config of competition ${competitionId} is invalid`,
      parsed.errors,
    );
  }
  return { vmId: parsed.value.vmId, vmAddress: parsed.value.vmAddress };
}

/** GET /api/competitions/:compId/vm — the VM serving the competition, or null. */
export async function competitionVm(db: Database, competitionId: string) {
  const { vmId, vmAddress } = await readCompetitionVmFields(db, competitionId);
  if (vmId === null) return { competitionId, vmId: null, vmAddress: null, vm: null };
  const vm = await readVm(db, vmId).catch((error: unknown) => {
    if (error instanceof HttpError && error.status === 404) return null;
    throw error;
  });
  return { competitionId, vmId, vmAddress, vm };
}

/**
 * POST /api/competitions/:compId/vm/test — can the show reach its VM? Judged from what the
 * VM's agent reported last (it probes the show server on the VM every few seconds) and how
 * fresh that report is; the function never connects to the VM itself.
 */
export async function testCompetitionVm(db: Database, clock: Clock, competitionId: string) {
  const { vmId, vmAddress } = await readCompetitionVmFields(db, competitionId);
  if (vmId === null) {
    throw new HttpError(409, 'NOT_ASSIGNED', `Competition ${competitionId} has no VM assigned`);
  }
  const [vm, config] = await Promise.all([readVm(db, vmId), readPoolConfig(db)]);
  const now = clock.now();
  const verdict = healthVerdict(vm.agent, config, now);
  const show = vm.agent?.show ?? null;
  return {
    competitionId,
    vmId,
    vmAddress,
    reachable: !verdict.agentStale && show?.reachable === true,
    health: verdict.status,
    reasons: verdict.reasons,
    show,
    reportedAt: vm.agent?.lastSeen ?? null,
    checkedAt: now,
  };
}
