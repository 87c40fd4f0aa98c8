// Issue 9, design gap "rate limits", through the real rules, the web SDK and the local
// functions host: a producer wrote 1,000 request rows in 1.5 s and all were accepted. Now the
// rules admit one row per free per-minute slot, and the control plane admits at most
// REQUEST_LIMITS.*.open open requests per user and counts rows that bypassed the rules.
import { beforeAll, describe, expect, it } from 'vitest';
import { get, push, ref, serverTimestamp, set, update, type Database } from 'firebase/database';
import {
  paths,
  readRequestQuota,
  REQUEST_LIMITS,
  requestRowWrite,
  type RequestLimits,
} from '@vmpool/core';
import { addCompetition, readResult, request, seedVm, writeRequest } from '../support/fixtures';
import { waitFor } from '../support/wait';
import { clientRequest as writeAsWebApp, useWebHost } from '../support/web-host';

const env = useWebHost(async (admin, compute) => {
  for (const competitionId of ['meet-1', 'meet-2']) {
    await addCompetition(admin.db, competitionId, 'producer-attacker');
  }
  await addCompetition(admin.db, 'meet-3', 'producer-normal');
  await addCompetition(admin.db, 'meet-4', 'producer-bypass');
  await seedVm(admin.db, compute, 'vm-001', 'available', Date.now());
  await seedVm(admin.db, compute, 'vm-002', 'available', Date.now());
});
const { as, finalResult } = env;
let admin: typeof env.admin;
let host: typeof env.host;

beforeAll(() => {
  admin = env.admin;
  host = env.host;
});

/** A request written as the web app writes it; the id, or null when the rules refused it. */
async function clientRequest(
  db: Database,
  uid: string,
  limits: RequestLimits,
  fields: Record<string, unknown>,
): Promise<string | null> {
  try {
    return await writeAsWebApp(db, uid, fields, limits);
  } catch {
    return null;
  }
}

async function rowsBy(uid: string): Promise<string[]> {
  const rows = ((await admin.db.ref(paths.requests()).get()).val() ?? {}) as Record<
    string,
    { requestedBy?: string }
  >;
  return Object.keys(rows).filter((id) => rows[id]?.requestedBy === uid);
}

describe('rate limits on request rows (rules, web SDK, functions host)', () => {
  it('the reproduced attack: 1,000 rows in a burst leave at most a minute’s worth', async () => {
    const uid = 'producer-attacker';
    // Ten connections of the attacker, a hundred writes each (one SDK instance with a thousand
    // pending writes spends most of the time rolling back its own refused writes).
    const connections = Array.from({ length: 10 }, () => as(uid, { producer: true }));
    const attacker = connections[0] ?? as(uid, { producer: true });
    const started = Date.now();
    // Half the way the attack was made (bare rows), half claiming slots as the web app does,
    // each attempt on the slot it saw free and all at once.
    const quota = readRequestQuota((await get(ref(attacker, paths.requestQuota(uid)))).val());
    const attempts = Array.from({ length: 1000 }, (_, index) => {
      const requestId = push(ref(attacker, paths.requests())).key ?? '';
      const row = {
        action: 'release',
        competitionId: index % 2 === 0 ? 'meet-1' : 'meet-2',
        requestedBy: uid,
        requestedAt: serverTimestamp(),
      };
      const db = connections[index % connections.length] ?? attacker;
      if (index % 2 === 0) return set(ref(db, paths.request(requestId)), row);
      const write = requestRowWrite(
        quota,
        REQUEST_LIMITS.producer,
        uid,
        requestId,
        row,
        Date.now(),
        serverTimestamp(),
      );
      if (!write.ok) throw new Error('a fresh quota has free slots');
      // Spread over every slot, so that each slot is tried by many rows.
      const slot = `s${String(index % REQUEST_LIMITS.producer.perMinute)}`;
      const spread = Object.fromEntries(
        Object.entries(write.update).map(([path, value]) => [
          path.replace(/\/slots\/s\d+$/, `/slots/${slot}`),
          path.endsWith('/last') ? { requestId, slot } : value,
        ]),
      );
      return update(ref(db), spread);
    });
    const outcomes = await Promise.allSettled(attempts);
    const elapsed = Date.now() - started;
    const accepted = outcomes.filter((outcome) => outcome.status === 'fulfilled').length;
    console.info(
      `1,000 request writes answered in ${String(elapsed)} ms; ${String(accepted)} accepted`,
    );
    expect(accepted).toBeGreaterThan(0);
    expect(accepted).toBeLessThanOrEqual(REQUEST_LIMITS.producer.perMinute);
    const rows = await rowsBy(uid);
    expect(rows.length).toBe(accepted);
    // Each accepted row ends (a release of a competition without a VM), none left running.
    for (const requestId of rows) {
      const result = await finalResult(requestId);
      expect(['NOT_ASSIGNED', 'RATE_LIMITED']).toContain(result.error?.code);
    }
    // What is left of the minute, and then nothing until a slot leaves it.
    let more = 0;
    while (
      (await clientRequest(attacker, uid, REQUEST_LIMITS.producer, {
        action: 'release',
        competitionId: 'meet-1',
      })) !== null
    ) {
      more += 1;
      expect(more).toBeLessThanOrEqual(REQUEST_LIMITS.producer.perMinute);
    }
    expect(accepted + more).toBe(REQUEST_LIMITS.producer.perMinute);
  }, 240_000);

  it('normal use is not hindered: a producer assigns and releases its show', async () => {
    const uid = 'producer-normal';
    const producer = as(uid, { producer: true });
    const assign = await clientRequest(producer, uid, REQUEST_LIMITS.producer, {
      action: 'assign',
      competitionId: 'meet-3',
    });
    expect(assign).not.toBeNull();
    expect(await finalResult(assign ?? '')).toMatchObject({ state: 'succeeded' });
    const release = await clientRequest(producer, uid, REQUEST_LIMITS.producer, {
      action: 'release',
      competitionId: 'meet-3',
      options: { archiveRecordings: false },
    });
    expect(release).not.toBeNull();
    // The release waits for the VM's cleanup commands; it is running, not refused.
    const running = await waitFor(async () => {
      const result = await readResult(admin.db, release ?? '');
      return result !== null && result.state !== 'queued' ? result : undefined;
    }, 'the release to start');
    expect(running.error?.code).not.toBe('RATE_LIMITED');
  });

  it('an admin doing many actions in a row is not hindered', async () => {
    const uid = 'admin-many';
    const adminDb = as(uid, { admin: true });
    const ids: string[] = [];
    for (let index = 0; index < 24; index += 1) {
      const id = await clientRequest(adminDb, uid, REQUEST_LIMITS.admin, {
        action: 'maintenance',
        vmId: 'vm-002',
        options: { enabled: index % 2 === 0 },
      });
      expect(id).not.toBeNull();
      ids.push(id ?? '');
    }
    for (const id of ids) {
      // Each is put into or out of maintenance, or refused as a no-op; none is rate limited.
      const code = (await finalResult(id)).error?.code;
      expect([undefined, 'INVALID_STATE']).toContain(code);
    }
  });

  it('rows that bypass the rules (admin SDK) are counted by the control plane', async () => {
    const uid = 'producer-bypass';
    const ids = Array.from({ length: 16 }, (_, index) => `bypass-${String(index)}`);
    await Promise.all(
      ids.map((id) =>
        writeRequest(admin.db, id, request('release', { competitionId: 'meet-4' }, uid)),
      ),
    );
    const results = await Promise.all(ids.map((id) => finalResult(id)));
    const limited = results.filter((result) => result.error?.code === 'RATE_LIMITED');
    const admitted = results.length - limited.length;
    expect(admitted).toBeGreaterThan(0);
    expect(admitted).toBeLessThanOrEqual(REQUEST_LIMITS.producer.perMinute);
    for (const result of limited) {
      expect(result.error?.message).toMatch(/^Too many (requests|open requests)/);
    }
  });

  it('the open requests of a user are bounded, and a finished one makes room', async () => {
    const uid = 'producer-open';
    await addCompetition(admin.db, 'meet-5', uid);
    // Five requests of this user count as open (admitted, not final): only their entries, so
    // that no trigger finishes them meanwhile.
    const open = Object.fromEntries(
      Array.from({ length: REQUEST_LIMITS.producer.open }, (_, index) => [
        `open-${String(index)}`,
        Date.now(),
      ]),
    );
    await admin.db.ref(`${paths.requestQuota(uid)}/open`).set(open);
    await writeRequest(admin.db, 'one-more', request('release', { competitionId: 'meet-5' }, uid));
    const refused = await finalResult('one-more');
    expect(refused.error).toMatchObject({ code: 'RATE_LIMITED' });
    expect(refused.error?.message).toBe(
      'Too many open requests: at most 5 may run at once; wait until one finishes',
    );

    // Their requests are gone (or final): reconcile closes the entries, which makes room.
    await host.reconcileNow();
    const quota = readRequestQuota((await admin.db.ref(paths.requestQuota(uid)).get()).val());
    expect(Object.keys(quota.open)).toEqual([]);
    await writeRequest(admin.db, 'now-fits', request('release', { competitionId: 'meet-5' }, uid));
    expect((await finalResult('now-fits')).error?.code).toBe('NOT_ASSIGNED');
  });
});
