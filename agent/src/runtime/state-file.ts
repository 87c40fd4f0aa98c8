// Small state kept across agent restarts: the nonce the token function trusts on first use
// for this instance. A restarted agent presents the same nonce and so proves it is the same
// agent; a copied disk on another instance gets a fresh one.
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface AgentState {
  instanceId: string;
  nonce: string;
  createdAt: number;
}

const FILE = 'agent-state.json';

export async function loadOrCreateState(
  stateDir: string,
  instanceId: string,
  now: number,
): Promise<AgentState> {
  const path = join(stateDir, FILE);
  const existing = await readState(path);
  if (existing && existing.instanceId === instanceId) return existing;
  const state: AgentState = { instanceId, nonce: randomBytes(32).toString('hex'), createdAt: now };
  await mkdir(stateDir, { recursive: true, mode: 0o700 });
  // Write then rename, so that a crash never leaves half a file behind.
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, JSON.stringify(state), { mode: 0o600 });
  await rename(temporary, path);
  return state;
}

async function readState(path: string): Promise<AgentState | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return undefined;
  }
  try {
    const parsed = JSON.parse(text) as Partial<AgentState>;
    if (
      typeof parsed.instanceId === 'string' &&
      typeof parsed.nonce === 'string' &&
      parsed.nonce.length >= 32 &&
      typeof parsed.createdAt === 'number'
    ) {
      return parsed as AgentState;
    }
  } catch {
    // A corrupt file is replaced by a fresh state below.
  }
  return undefined;
}
