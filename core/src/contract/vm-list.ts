import { pulseOrNull, withPulse, type AgentPulse } from './agent-pulse';
import { parseVmEntry, type VmRecord } from './vm-record';

/**
 * The pool as every reader reads it (the control plane's store and HTTP API, the web app, the
 * CLI): each `vmPool/vms/{vmId}` node through core's one parse rule (`parseVmEntry`), with its
 * agent's pulse (`vmPool/pulse/{vmId}`: heartbeat and metrics) merged by `withPulse`.
 */

/** A VM node that failed validation, or whose agent report did: reported, never hidden. */
export interface VmProblem {
  vmId: string;
  errors: string[];
}

export interface VmList {
  /** The usable records, by `vmId` (`localeCompare`). */
  vms: VmRecord[];
  /** Nodes that are no valid VM record (left out of `vms`). */
  invalid: VmProblem[];
  /** VMs listed with `agent: null` because only their agent report is unreadable. */
  agentProblems: VmProblem[];
}

/** A VM with its agent's pulse merged into its agent report (none: the VM as it is). */
export function vmWithPulse(vm: VmRecord, pulse: AgentPulse | null): VmRecord {
  return pulse === null ? vm : { ...vm, agent: withPulse(vm.agent, pulse) };
}

function entriesOf(raw: unknown): [string, unknown][] {
  return typeof raw === 'object' && raw !== null && !Array.isArray(raw)
    ? Object.entries(raw as Record<string, unknown>)
    : [];
}

/**
 * Reads `vmPool/vms` (`rawVms`) with the pulses of `vmPool/pulse` (`rawPulses`: that node, or
 * an object of the pulses one may read, by vmId). An absent or unreadable pulse counts as none.
 */
export function readVmList(rawVms: unknown, rawPulses: unknown = null): VmList {
  const pulses = new Map(entriesOf(rawPulses));
  const vms: VmRecord[] = [];
  const invalid: VmProblem[] = [];
  const agentProblems: VmProblem[] = [];
  for (const [vmId, value] of entriesOf(rawVms)) {
    const entry = parseVmEntry(vmId, value);
    if (!entry.ok) {
      invalid.push({ vmId, errors: entry.errors });
      continue;
    }
    vms.push(vmWithPulse(entry.value, pulseOrNull(pulses.get(vmId))));
    if (entry.agentErrors.length > 0) agentProblems.push({ vmId, errors: entry.agentErrors });
  }
  vms.sort((a, b) => a.vmId.localeCompare(b.vmId));
  return { vms, invalid, agentProblems };
}
