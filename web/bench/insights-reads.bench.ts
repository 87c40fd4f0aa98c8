/**
 * `npm run bench:insights`: the bytes the admin's pool insights page reads from RTDB, with one
 * and with three seasons of data (NCAA women's gymnastics shape, the season bench's seeded
 * schedule): before issue 13's change (the whole `vmPool/requests` and `vmPool/statusHistory`
 * trees, as the page read them) and now (the window's requests by the `requestedAt` index, the
 * window's monthly cost rollups, boot stats), through the page's own api functions. The web SDK
 * runs as an admin against the local RTDB server with the project's rules, through a proxy that
 * counts the bytes on the wire.
 */
import os from 'node:os';
import { join } from 'node:path';
import { deleteApp, initializeApp, setLogLevel } from 'firebase/app';
import {
  connectDatabaseEmulator,
  get,
  getDatabase,
  goOffline,
  ref,
  type Database,
} from 'firebase/database';
// The admin SDK seeds the data as the control plane would write it.
// eslint-disable-next-line no-restricted-imports
import {
  deleteApp as deleteAdminApp,
  initializeApp as initializeAdminApp,
} from 'firebase-admin/app';
// eslint-disable-next-line no-restricted-imports
import {
  getDatabase as getAdminDatabase,
  type Database as AdminDatabase,
} from 'firebase-admin/database';
import {
  costMonthsBetween,
  monthlyCost,
  paths,
  priceLookup,
  REQUEST_STEPS as STEP,
  type StatusHistoryEntry,
  type VmStatusHistory,
} from '@vmpool/core';
import { startRtdbServer } from '@vmpool/local/rtdb';
// The benches' shared byte-counting proxy (a bench tool, not part of the app).
// eslint-disable-next-line no-restricted-imports
import { startCountingProxy } from '../../agent/bench/byte-counting-proxy';
import { Rng } from '../../core/bench/season/rng';
import { generateSeason } from '../../core/bench/season/season';
import {
  watchBootStats,
  watchMonthlyCost,
  watchRequestRows,
} from '../src/features/costs/api/costs';
import { daysBetween } from '../src/features/costs/lib/insights';

const NS = 'demo-vmpool';
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const WINDOW_DAYS = 30;
const RULES = join(import.meta.dirname, '../../database.rules.json');
const VMS = ['vm-001', 'vm-002', 'vm-003', 'vm-004', 'vm-005'];

interface Seeded {
  shows: number;
  requests: number;
  historyEntries: number;
  to: number;
}

/** A season as the control plane leaves it: requests with results, status history, rollups. */
async function seedSeasons(db: AdminDatabase, seasons: number): Promise<Seeded> {
  const histories = new Map<string, StatusHistoryEntry[]>(VMS.map((vmId) => [vmId, []]));
  const update: Record<string, unknown> = {};
  let shows = 0;
  let requests = 0;
  let to = 0;
  const free = new Map<string, number>(VMS.map((vmId) => [vmId, 0]));
  const entry = (
    vmId: string,
    at: number,
    status: StatusHistoryEntry['status'],
    assignedTo: string | null,
    cause: string,
  ) =>
    histories.get(vmId)?.push({
      at,
      status,
      ec2State: status === 'stopped' ? 'stopped' : status === 'starting' ? 'pending' : 'running',
      assignedTo,
      instanceType: 't3.large',
      region: 'us-east-1',
      cause,
    });
  const result = (steps: string[], requestedAt: number, seconds: number, vmId: string) => ({
    state: 'succeeded',
    step: 'Done',
    progress: 1,
    message: `${vmId} is ready`,
    steps: steps.map((name) => ({ name, state: 'done', at: requestedAt + seconds * 1000 })),
    vmId,
    vmAddress: '203.0.113.10:3003',
    updatedAt: requestedAt + seconds * 1000,
  });
  for (let s = 0; s < seasons; s += 1) {
    const year = 2027 - (seasons - 1 - s);
    const season = generateSeason(new Rng(13 + (seasons - 1 - s)), {
      firstDay: `${year}-01-01`,
      lastDay: `${year}-04-19`,
      maxBooked: 4,
    });
    to = Math.max(to, Date.parse(`${year}-04-20T00:00:00Z`));
    for (const show of season.shows) {
      const vmId = VMS.find((id) => (free.get(id) ?? 0) <= show.startsAt - 2 * HOUR) ?? 'vm-005';
      const coldAt = show.startsAt - 30 * MINUTE - 5 * MINUTE;
      const assignId = `sched-a1-${show.competitionId}-${show.startsAt.toString(36)}`;
      const releaseId = `sched-r1-${show.competitionId}-${show.endsAt.toString(36)}`;
      const cold = [STEP.check, STEP.claim, STEP.start, STEP.waitAgent, STEP.handOver];
      update[paths.request(assignId)] = {
        action: 'assign',
        competitionId: show.competitionId,
        options: { preferredVmId: vmId },
        requestedBy: 'schedule',
        requestedAt: coldAt,
        result: result(cold, coldAt, 140, vmId),
      };
      const releaseAt = show.actualEnd + 60 * MINUTE;
      const release = [STEP.check, STEP.release, STEP.cleanup, STEP.unlink, STEP.returnVm];
      update[paths.request(releaseId)] = {
        action: 'release',
        competitionId: show.competitionId,
        options: { archiveRecordings: true, stopVM: true },
        requestedBy: 'schedule',
        requestedAt: releaseAt,
        result: result(release, releaseAt, 45, vmId),
      };
      requests += 2;
      entry(vmId, coldAt, 'starting', show.competitionId, 'start_for_assign');
      entry(vmId, coldAt + 140_000, 'assigned', show.competitionId, 'agent_ready');
      entry(vmId, show.startsAt, 'in_use', show.competitionId, 'go_live');
      entry(vmId, show.actualEnd, 'assigned', show.competitionId, 'go_off_air');
      entry(vmId, releaseAt, 'releasing', show.competitionId, 'release');
      entry(vmId, releaseAt + 40_000, 'available', null, 'cleanup_done');
      entry(vmId, releaseAt + 45_000, 'stopping', null, 'stop');
      entry(vmId, releaseAt + 90_000, 'stopped', null, 'ec2_stopped');
      free.set(vmId, releaseAt + 90_000);
      shows += 1;
    }
  }
  let historyEntries = 0;
  const all: VmStatusHistory[] = [];
  for (const [vmId, entries] of histories) {
    entries.sort((a, b) => a.at - b.at);
    all.push({ vmId, entries });
    for (const e of entries) {
      update[
        paths.statusHistoryEntry(
          vmId,
          `${e.at.toString(36).padStart(10, '0')}-${e.status}-${e.ec2State}`,
        )
      ] = e;
      historyEntries += 1;
    }
  }
  const prices = priceLookup({ hourlyPrices: {} });
  const first = Math.min(...all.flatMap((h) => h.entries.map((e) => e.at)));
  for (const month of costMonthsBetween(first, to)) {
    update[paths.monthlyCost(month)] = monthlyCost({
      month,
      histories: all,
      prices,
      through: to,
      updatedAt: to,
    });
  }
  update[paths.bootStatsFor('us-east-1', 't3.large')] = {
    start: [130, 140, 150],
    launch: [300],
    updatedAt: to,
  };
  const keys = Object.keys(update);
  for (let i = 0; i < keys.length; i += 100) {
    await db.ref('/').update(Object.fromEntries(keys.slice(i, i + 100).map((k) => [k, update[k]])));
  }
  return { shows, requests, historyEntries, to };
}

let appCounter = 0;
/** A fresh admin web client (its own connection, nothing cached) through the counting proxy. */
function adminClient(port: number): { db: Database; close: () => Promise<void> } {
  const app = initializeApp(
    { projectId: NS, databaseURL: `https://${NS}.firebaseio.com` },
    `insights-bench-${++appCounter}`,
  );
  const db = getDatabase(app);
  connectDatabaseEmulator(db, '127.0.0.1', port, {
    mockUserToken: { user_id: 'bench-admin', sub: 'bench-admin', admin: true },
  });
  return {
    db,
    close: async () => {
      goOffline(db);
      await deleteApp(app);
    },
  };
}

/** The first value of each watch, then every watch stopped. */
function firstValues(
  starts: ((done: () => void, fail: (message: string) => void) => () => void)[],
): Promise<void> {
  return new Promise((resolve, reject) => {
    let left = starts.length;
    const stops: (() => void)[] = [];
    for (const start of starts) {
      let seen = false;
      stops.push(
        start(
          () => {
            if (seen) return;
            seen = true;
            left -= 1;
            if (left === 0) {
              stops.forEach((stop) => stop());
              resolve();
            }
          },
          (message) => reject(new Error(message)),
        ),
      );
    }
  });
}

async function measure(seasons: number): Promise<void> {
  const server = await startRtdbServer({ port: 0, quiet: true, rules: RULES });
  const admin = initializeAdminApp(
    { databaseURL: server.databaseUrl(NS), projectId: NS },
    `insights-seed-${seasons}`,
  );
  const proxy = await startCountingProxy(server.port);
  try {
    const seeded = await seedSeasons(getAdminDatabase(admin), seasons);
    const now = seeded.to - DAY;
    const days = daysBetween(now - (WINDOW_DAYS - 1) * DAY, now);
    const from = Date.parse(`${days[0]}T00:00:00Z`);
    const months = costMonthsBetween(from, now + 1);

    // Before: what the page read until now (whole trees).
    const before = adminClient(proxy.port);
    await get(ref(before.db, paths.poolConfig())); // connected and signed in
    let start = proxy.bytesDown();
    await Promise.all(
      [paths.requests(), paths.statusHistory(), paths.bootStats()].map((path) =>
        get(ref(before.db, path)),
      ),
    );
    const beforeBytes = proxy.bytesDown() - start;
    await before.close();

    // Now: the page's own api functions.
    const after = adminClient(proxy.port);
    await get(ref(after.db, paths.poolConfig())); // connected and signed in
    start = proxy.bytesDown();
    let rows = 0;
    await firstValues([
      (done, fail) =>
        watchRequestRows(
          after.db,
          from,
          (list) => {
            rows = list.length;
            done();
          },
          fail,
        ),
      (done, fail) => watchBootStats(after.db, done, fail),
      ...months.map(
        (month) => (done: () => void, fail: (m: string) => void) =>
          watchMonthlyCost(after.db, month, done, fail),
      ),
    ]);
    const afterBytes = proxy.bytesDown() - start;
    await after.close();
    console.log(
      `  ${seasons} season${seasons === 1 ? '' : 's'}: ${seeded.shows} meets, ${seeded.requests} requests, ${seeded.historyEntries} status history entries`,
    );
    console.log(`    before (whole requests + statusHistory + bootStats): ${beforeBytes} bytes`);
    console.log(
      `    now (${rows} requests since ${days[0]} by requestedAt, rollups ${months.join(', ')}, bootStats): ${afterBytes} bytes (${((afterBytes / beforeBytes) * 100).toFixed(1)}%)`,
    );
  } finally {
    await proxy.close();
    await deleteAdminApp(admin);
    await server.stop();
  }
}

setLogLevel('error');
const cpus = os.cpus();
console.log(
  `machine: ${cpus[0]?.model ?? 'unknown'} x${cpus.length}, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB, ${os.platform()} ${os.release()}, node ${process.version}`,
);
console.log(`pool insights page (${WINDOW_DAYS}-day window), bytes read from RTDB on the wire:`);
await measure(1);
await measure(3);
process.exit(0);
