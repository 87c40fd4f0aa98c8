// Issue 17: plain writes of the control plane (an assign's links, a request's closing entries)
// may touch a node a concurrent handler in the same instance is changing in a transaction. The
// SDK then aborts that transaction ("set"); guardedTransaction runs it again on the new value.
import { describe, expect, it } from 'vitest';
import { deleteApp, initializeApp } from 'firebase-admin/app';
import { getDatabase, type Database } from 'firebase-admin/database';
import { guardedTransaction } from '../src/store/rtdb/transaction';
import { useTestDatabase } from './support/rtdb';

const env = useTestDatabase();

const bump = (current: unknown) =>
  current === null ? null : { ...(current as { n: number }), n: (current as { n: number }).n + 1 };

describe('guardedTransaction', () => {
  it('runs again when a write of the same instance below its node aborted it', async () => {
    const { db } = env.admin;
    await db.ref('counter').set({ n: 1 });
    const bumped = guardedTransaction(db.ref('counter'), bump);
    // Sent before the transaction's answer: the SDK aborts the transaction in flight.
    await db.ref('counter/note').set('written meanwhile');
    const outcome = await bumped;
    expect(outcome.committed).toBe(true);
    expect((await db.ref('counter').get()).val()).toEqual({ n: 2, note: 'written meanwhile' });
  });

  it('runs again when a multi-path update of the same instance above its node aborted it', async () => {
    const { db } = env.admin;
    await db.ref('quota/u1').set({ n: 5, open: { r1: 1 } });
    const bumped = guardedTransaction(db.ref('quota/u1'), bump);
    await db.ref().update({ 'quota/u1/open/r1': null, 'audit/r1': 'closed' });
    expect((await bumped).committed).toBe(true);
    expect((await db.ref('quota/u1').get()).val()).toEqual({ n: 6 });
  });

  // The CI hang (a failover property run that never ended): two writes of the same instance
  // touching a node whose transaction was in flight. @firebase/database 1.1.5 (bundled in
  // database-compat 2.1.7, which firebase-admin loads) dropped the sent transaction from its
  // queue at the second write: its promise never settled and its unsent value stayed in the
  // local cache, so every later transaction on the node failed with "maxretry". Fixed upstream
  // in 1.1.6 / 2.1.8 (package.json overrides); this fails on the old versions.
  it('settles when two writes of the same instance hit its node while it is in flight', async () => {
    const { db } = env.admin;
    await db.ref('vms/vm-001').set({ n: 0, watchers: { w1: true } });
    const node = db.ref('vms/vm-001');
    const clear = () => db.ref().update({ 'vms/vm-001/watchers': null, 'previews/vm-001': null });
    // Sent at once, before the node's value reached this instance: answered "datastale".
    const first = guardedTransaction(node, bump);
    const writes = [clear()];
    const second = guardedTransaction(node, bump);
    writes.push(clear());
    const third = guardedTransaction(node, bump);
    const outcomes = await Promise.all([first, second, third]);
    await Promise.all(writes);
    expect(outcomes.map((o) => o.committed)).toEqual([true, true, true]);
    expect((await node.get()).val()).toEqual({ n: 3 });
    // and the instance's cache is sound: a later transaction commits at once
    expect((await guardedTransaction(node, bump)).committed).toBe(true);
    expect((await node.get()).val()).toEqual({ n: 4 });
  });
});

/** A second admin-SDK instance on the test's namespace (its own cache, its own connection). */
async function withOtherInstance(work: (other: Database) => Promise<void>): Promise<void> {
  const app = initializeApp(
    { databaseURL: env.admin.databaseUrl, projectId: env.admin.ns },
    `other-${env.admin.ns}-${Math.random().toString(36).slice(2)}`,
  );
  try {
    await work(getDatabase(app));
  } finally {
    await deleteApp(app);
  }
}

// Issue 17: a transaction on a node that exists starts on its stored value (prefetch).
describe('guardedTransaction with prefetch', () => {
  it('runs its update on the stored value from the first run, and commits it', async () => {
    await withOtherInstance(async (other) => {
      await other.ref('vm/a').set({ n: 1, status: 'available' });
      const seen: unknown[] = [];
      const outcome = await guardedTransaction(
        env.admin.db.ref('vm/a'),
        (current) => {
          seen.push(current);
          return bump(current);
        },
        { prefetch: true },
      );
      expect(seen[0]).toEqual({ n: 1, status: 'available' });
      expect(seen).not.toContain(null);
      expect(outcome).toEqual({ committed: true, value: { n: 2, status: 'available' } });
      expect((await other.ref('vm/a').get()).val()).toEqual({ n: 2, status: 'available' });
    });
  });

  it('runs on nothing when the node does not exist', async () => {
    const seen: unknown[] = [];
    const outcome = await guardedTransaction(
      env.admin.db.ref('vm/none'),
      (current) => {
        seen.push(current);
        return current === null ? { n: 0 } : undefined;
      },
      { prefetch: true },
    );
    expect(seen).toEqual([null]);
    expect(outcome).toEqual({ committed: true, value: { n: 0 } });
  });

  it('never loses an update when two instances change the node at once', async () => {
    await withOtherInstance(async (other) => {
      await env.admin.db.ref('counter').set({ n: 0 });
      const bumps = (db: Database) =>
        Array.from({ length: 10 }, () =>
          guardedTransaction(db.ref('counter'), bump, { prefetch: true }),
        );
      const outcomes = await Promise.all([...bumps(env.admin.db), ...bumps(other)]);
      expect(outcomes.every((outcome) => outcome.committed)).toBe(true);
      expect((await other.ref('counter').get()).val()).toEqual({ n: 20 });
    });
  });

  it('declining writes nothing and reports the stored value', async () => {
    await withOtherInstance(async (other) => {
      await other.ref('result/r1').set({ state: 'succeeded' });
      const outcome = await guardedTransaction(
        env.admin.db.ref('result/r1'),
        (current) =>
          (current as { state?: string } | null)?.state === 'succeeded'
            ? undefined
            : { state: 'queued' },
        { prefetch: true },
      );
      expect(outcome).toEqual({ committed: false, value: { state: 'succeeded' } });
      expect((await other.ref('result/r1').get()).val()).toEqual({ state: 'succeeded' });
    });
  });
});
