import type { Database } from 'firebase-admin/database';
import { paths } from '@vmpool/core';
import { isRecord } from '../rtdb-values';
import { guardedTransaction } from '../rtdb/transaction';

export const AGENT_PULSE_MIGRATION = 'agent-pulse';

export interface MigrationOutcome {
  /** False when the migration had already run (its mark exists). */
  ran: boolean;
  /** VMs whose stored metrics were moved into their pulse. */
  moved: number;
}

/**
 * One-shot: before the agent's heartbeat and metrics moved to `vmPool/pulse/{vmId}`, metrics
 * lived at `vmPool/vms/{vmId}/agent/metrics`. For every VM whose report still has them, the
 * pulse is created from the report (`bootId`, `lastSeen`, `metrics`) unless the agent already
 * wrote one, then `agent/metrics` is removed; the mark `vmPool/migrations/agent-pulse` is
 * written last. Every step is idempotent, so a run that crashed midway is simply run again.
 */
export async function migrateAgentPulse(db: Database, now: number): Promise<MigrationOutcome> {
  const markRef = db.ref(paths.migration(AGENT_PULSE_MIGRATION));
  if ((await markRef.get()).exists()) return { ran: false, moved: 0 };
  const vms = (await db.ref(paths.vms()).get()).val() as unknown;
  let moved = 0;
  for (const [vmId, node] of Object.entries(isRecord(vms) ? vms : {})) {
    const agent = isRecord(node) ? node.agent : null;
    if (!isRecord(agent) || !isRecord(agent.metrics)) continue;
    const { metrics } = agent;
    const lastSeen = typeof agent.lastSeen === 'number' ? agent.lastSeen : now;
    const bootId = typeof agent.bootId === 'string' ? agent.bootId : '';
    await guardedTransaction(db.ref(paths.vmPulse(vmId)), (current) => {
      if (current === null) return { bootId, lastSeen, metrics };
      // The agent of this run already writes its pulse: add the metrics only if it has none.
      if (isRecord(current) && current.metrics === undefined && current.bootId === bootId) {
        return { ...current, metrics };
      }
      return undefined;
    });
    await db.ref(`${paths.vmAgent(vmId)}/metrics`).remove();
    moved += 1;
  }
  await markRef.set({ at: now, moved });
  return { ran: true, moved };
}
