// The local compute provider's memory: which "instances" exist, their state, tags and the
// processes behind them. Kept in one JSON file so that a restarted stack finds its pool again.
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { EC2_STATES, type Ec2State } from '@vmpool/core';

export interface LocalInstanceRecord {
  instanceId: string;
  vmId: string;
  region: string;
  state: Ec2State;
  instanceType: string;
  tags: Record<string, string>;
  /** ms epoch of the last launch or start */
  launchTime: number;
  clientToken: string | null;
  /** the loopback address the VM's show server listens on (its "public IP") */
  address: string;
  showServerPort: number;
  agentPid: number | null;
  showServerPid: number | null;
  /** ms epoch; terminated instances stay visible for a while, as on EC2 */
  terminatedAt: number | null;
}

export interface LocalComputeState {
  version: 1;
  instances: LocalInstanceRecord[];
}

/** Reads the state file; a missing file is an empty pool, a corrupt one is an error. */
export async function readState(path: string): Promise<LocalComputeState> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { version: 1, instances: [] };
    throw error;
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new Error(`local compute state ${path} is not valid JSON; move it away to start afresh`);
  }
  const errors = validateState(raw);
  if (errors.length > 0) {
    throw new Error(`local compute state ${path} is invalid:\n  ${errors.join('\n  ')}`);
  }
  return raw as LocalComputeState;
}

/** Writes atomically (temp file + rename), so a crash never leaves half a file. */
export async function writeState(path: string, state: LocalComputeState): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temp = `${path}.${process.pid}.tmp`;
  await writeFile(temp, `${JSON.stringify(state, null, 2)}\n`);
  await rename(temp, path);
}

function validateState(raw: unknown): string[] {
  if (typeof raw !== 'object' || raw === null) return ['not an object'];
  const state = raw as { version?: unknown; instances?: unknown };
  if (state.version !== 1) return [`unsupported version ${String(state.version)}`];
  if (!Array.isArray(state.instances)) return ['instances is not a list'];
  const errors: string[] = [];
  state.instances.forEach((item: unknown, index) => {
    const where = `instances[${index}]`;
    if (typeof item !== 'object' || item === null) {
      errors.push(`${where} is not an object`);
      return;
    }
    const record = item as Record<string, unknown>;
    for (const key of ['instanceId', 'vmId', 'region', 'instanceType', 'address'] as const) {
      if (typeof record[key] !== 'string') errors.push(`${where}.${key} is not a string`);
    }
    if (!EC2_STATES.includes(record.state as Ec2State))
      errors.push(`${where}.state ${String(record.state)} is not an instance state`);
    if (!Number.isInteger(record.showServerPort))
      errors.push(`${where}.showServerPort is not an integer`);
    if (typeof record.launchTime !== 'number') errors.push(`${where}.launchTime is not a number`);
    if (typeof record.tags !== 'object' || record.tags === null)
      errors.push(`${where}.tags is not an object`);
  });
  return errors;
}
