import type { Database } from 'firebase-admin/database';
import {
  parseBootStats,
  parseScheduleMark,
  parseStatusHistory,
  paths,
  withBootSample,
  type BootKind,
  type BootStats,
  type BootStatsTree,
  type MonthlyCost,
  type PoolRequest,
  type ScheduleMark,
  type StatusHistoryEntry,
  type VmStatusHistory,
} from '@vmpool/core';
import type { ScheduleStore, ScheduledCompetition } from '../pool-store';
import { isRecord, toRtdbValue } from '../rtdb-values';
import { guardedTransaction } from './transaction';

/**
 * The id of a status history entry: `at` in base 36 (fixed width, so ids sort by time), then
 * the status and the EC2 state. Deterministic, so writing the same entry twice (a retried
 * handler, reconcile's repair) keeps one.
 */
export function statusHistoryEntryId(
  entry: Pick<StatusHistoryEntry, 'at' | 'status' | 'ec2State'>,
): string {
  return `${entry.at.toString(36).padStart(10, '0')}-${entry.status}-${entry.ec2State}`;
}

/** Paths per multi-path delete of status history entries (well under RTDB's update limits). */
export const STATUS_HISTORY_DELETE_PATHS = 100;

/**
 * The schedule's and the bill's paths: scheduled competitions, schedule marks, the schedule's
 * request rows, status history, boot stats and monthly costs.
 */
export function rtdbScheduleStore(db: Database): ScheduleStore {
  const ref = (path: string) => db.ref(path);
  const read = async (path: string): Promise<unknown> => (await ref(path).get()).val() as unknown;

  return {
    async listScheduledCompetitions(endedAfter) {
      // Served by the ".indexOn" on "config/endsAt" that database.rules.json declares for
      // competitions: only shows that have not ended long ago are read, not every competition.
      const snapshot = await db
        .ref(paths.competitions())
        .orderByChild('config/endsAt')
        .startAt(endedAfter)
        .get();
      const shows: ScheduledCompetition[] = [];
      snapshot.forEach((child) => {
        const config = (child.val() as Record<string, unknown> | null)?.config;
        if (child.key === null || !isRecord(config)) return;
        const { startsAt, endsAt } = config;
        if (typeof startsAt !== 'number' || typeof endsAt !== 'number') return;
        const name = typeof config.eventName === 'string' ? config.eventName : undefined;
        shows.push({ competitionId: child.key, startsAt, endsAt, ...(name ? { name } : {}) });
      });
      return shows;
    },

    async listScheduleMarks() {
      const raw = await read(paths.scheduleMarks());
      const marks = new Map<string, ScheduleMark>();
      for (const [competitionId, value] of Object.entries(isRecord(raw) ? raw : {})) {
        const parsed = parseScheduleMark(value);
        if (parsed.ok) marks.set(competitionId, parsed.value);
      }
      return marks;
    },

    async createScheduleRequest(requestId, request: PoolRequest, mark) {
      // Field by field, so that a repeated write never touches a result already written; the
      // mark goes in the same multi-path update as the request it names.
      const update: Record<string, unknown> = {};
      for (const [field, value] of Object.entries(
        toRtdbValue(request) as Record<string, unknown>,
      )) {
        update[`${paths.request(requestId)}/${field}`] = value;
      }
      if (mark !== null) update[paths.scheduleMark(mark.competitionId)] = toRtdbValue(mark.mark);
      await ref('/').update(update);
    },

    async setScheduleMark(competitionId, mark) {
      await ref(paths.scheduleMark(competitionId)).set(toRtdbValue(mark));
    },

    async appendStatusHistory(vmId, entry) {
      await ref(paths.statusHistoryEntry(vmId, statusHistoryEntryId(entry))).set(
        toRtdbValue(entry),
      );
    },

    async listStatusHistory(): Promise<{ vms: VmStatusHistory[]; errors: string[] }> {
      return parseStatusHistory(await read(paths.statusHistory()));
    },

    async readBootStats(): Promise<BootStatsTree> {
      const raw = await read(paths.bootStats());
      const tree: Record<string, Record<string, BootStats>> = {};
      for (const [region, byType] of Object.entries(isRecord(raw) ? raw : {})) {
        for (const [key, value] of Object.entries(isRecord(byType) ? byType : {})) {
          const parsed = parseBootStats(value);
          if (parsed.ok) (tree[region] ??= {})[key] = parsed.value;
        }
      }
      return tree;
    },

    async recordBootSample(region, instanceType, kind: BootKind, seconds, at) {
      await guardedTransaction(ref(paths.bootStatsFor(region, instanceType)), (current) => {
        const parsed = current === null ? null : parseBootStats(current);
        return toRtdbValue(withBootSample(parsed?.ok ? parsed.value : null, kind, seconds, at));
      });
    },

    async writeMonthlyCost(cost: MonthlyCost) {
      await ref(paths.monthlyCost(cost.month)).set(toRtdbValue(cost));
    },

    async readMonthlyCostThrough(month) {
      const raw = await read(`${paths.monthlyCost(month)}/through`);
      return typeof raw === 'number' ? raw : null;
    },

    // --- Status history retention (issue 13)
    async deleteStatusHistoryEntries(entries) {
      // Multi-path updates of at most STATUS_HISTORY_DELETE_PATHS paths each.
      for (let i = 0; i < entries.length; i += STATUS_HISTORY_DELETE_PATHS) {
        const update: Record<string, null> = {};
        for (const { vmId, entry } of entries.slice(i, i + STATUS_HISTORY_DELETE_PATHS)) {
          update[paths.statusHistoryEntry(vmId, statusHistoryEntryId(entry))] = null;
        }
        await ref('/').update(update);
      }
    },
    // ---
  };
}
