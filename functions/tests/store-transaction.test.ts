// Issue 17: plain writes of the control plane (an assign's links, a request's closing entries)
// may touch a node a concurrent handler in the same instance is changing in a transaction. The
// SDK then aborts that transaction ("set"); guardedTransaction runs it again on the new value.
import { describe, expect, it } from 'vitest';
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
