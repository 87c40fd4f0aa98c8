import { z } from 'zod';
import { INSTANCE_TYPE_PATTERN, VM_ID_PATTERN } from './ids';
import { parseWith, type Parsed } from './parsed';
import { nullable, timestamp } from './rtdb-shapes';
import { EC2_STATES, VM_STATUSES, type Ec2State, type VmRecord, type VmStatus } from './vm-record';

/**
 * What made a VM enter a status when it was not an edge of the state machine: its creation
 * (launch), its adoption, EC2's state changing under `error`/`maintenance`, the record's
 * removal (an entry with `ec2State: terminated` closes its history, so nothing bills after), and
 * `repaired` (reconcile found the VM's status newer than its last entry: a crash between the
 * status change and the history write).
 */
export const STATUS_HISTORY_CAUSES = [
  'created',
  'adopted',
  'ec2_state',
  'removed',
  'repaired',
] as const;

/**
 * `vmPool/statusHistory/{vmId}/{entryId}` (push ids, so they sort by time): one entry each
 * time a VM enters a status, written by the control plane in the same guarded transaction
 * (multi-path update) as the status change, and one when EC2's state changes while the
 * status is `error` or `maintenance` (whose billing follows EC2). Cost and pool insights are
 * computed from it.
 */
export interface StatusHistoryEntry {
  /** When the VM entered this status (ms epoch; the statusChangedAt written with it). */
  at: number;
  status: VmStatus;
  ec2State: Ec2State;
  /** The competition holding the VM from this moment, or null. */
  assignedTo: string | null;
  /** What the VM bills as, e.g. t3.large. */
  instanceType: string;
  region: string;
  /** The state-machine event (VmEvent) or one of STATUS_HISTORY_CAUSES. */
  cause: string;
}

export const statusHistoryEntrySchema = z.object({
  at: timestamp,
  status: z.enum(VM_STATUSES),
  ec2State: z.enum(EC2_STATES).default('unknown'),
  assignedTo: nullable(z.string().min(1).max(256)),
  instanceType: z
    .string()
    .max(64)
    .regex(INSTANCE_TYPE_PATTERN, { error: 'must look like family.size, e.g. t3.large' }),
  region: z.string().max(64).default(''),
  cause: z.string().min(1).max(64),
});

/**
 * The entry to write with a status change, from the record as it is after the change (so `at`
 * is its new statusChangedAt). `cause` is the VmEvent, or one of STATUS_HISTORY_CAUSES.
 */
export function statusHistoryEntryOf(
  vm: Pick<VmRecord, 'status' | 'statusChangedAt' | 'ec2State' | 'assignedTo' | 'region'>,
  cause: string,
  instanceType: string,
): StatusHistoryEntry {
  return {
    at: vm.statusChangedAt,
    status: vm.status,
    ec2State: vm.ec2State,
    assignedTo: vm.assignedTo,
    instanceType,
    region: vm.region,
    cause,
  };
}

/** Validates one status history entry. */
export function parseStatusHistoryEntry(raw: unknown): Parsed<StatusHistoryEntry> {
  return parseWith<StatusHistoryEntry>(statusHistoryEntrySchema, raw);
}

export interface VmStatusHistory {
  vmId: string;
  entries: StatusHistoryEntry[];
}

/**
 * Reads `vmPool/statusHistory` (every VM) into per-VM lists sorted by time. Entries that do
 * not match the contract are returned as errors (`vmId/entryId: problem`) and left out, so one
 * bad entry never hides the rest of the bill.
 */
export function parseStatusHistory(raw: unknown): { vms: VmStatusHistory[]; errors: string[] } {
  const vms: VmStatusHistory[] = [];
  const errors: string[] = [];
  if (typeof raw !== 'object' || raw === null) return { vms, errors };
  for (const [vmId, node] of Object.entries(raw as Record<string, unknown>)) {
    if (!VM_ID_PATTERN.test(vmId)) {
      errors.push(`${vmId}: not a VM id`);
      continue;
    }
    const entries: StatusHistoryEntry[] = [];
    if (typeof node === 'object' && node !== null) {
      for (const [entryId, value] of Object.entries(node as Record<string, unknown>)) {
        const parsed = parseStatusHistoryEntry(value);
        if (parsed.ok) entries.push(parsed.value);
        else errors.push(...parsed.errors.map((error) => `${vmId}/${entryId}: ${error}`));
      }
    }
    entries.sort((a, b) => a.at - b.at);
    vms.push({ vmId, entries });
  }
  vms.sort((a, b) => a.vmId.localeCompare(b.vmId));
  return { vms, errors };
}
