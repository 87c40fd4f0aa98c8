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
});
