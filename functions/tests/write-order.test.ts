// Issue 11: a reconcile of the local functions host once never finished (no reconcile ran
// again, Ctrl-C waited for it). The cause, in @firebase/database 1.1.5: two writes of one
// instance at or below a node while a transaction of the same instance on that node is in
// flight dropped the transaction from the SDK's queue; when the server answered it `datastale`
// its promise never settled (these tests hung on 1.1.5 without the order; 1.1.6, pinned by
// the root package.json's overrides, fixes the SDK). The store's writes are ordered against
// its transactions (orderWrites), so they never abort them whatever the SDK version.
import { describe, expect, it } from 'vitest';
import type { Database } from 'firebase-admin/database';
import { guardedTransaction } from '../src/store/rtdb/transaction';
import { orderWrites } from '../src/store/rtdb/write-order';
import { useTestDatabase } from './support/rtdb';

const env = useTestDatabase();

const bump = (current: unknown) =>
  current === null ? null : { ...(current as { n: number }), n: (current as { n: number }).n + 1 };

/** Settles with the outcome, or 'never settled' after `ms` (far beyond a local round trip). */
function within<T>(promise: Promise<T>, ms = 15_000): Promise<T | 'never settled'> {
  return Promise.race([
    promise,
    new Promise<'never settled'>((resolve) => setTimeout(() => resolve('never settled'), ms)),
  ]);
}

/**
 * A transaction whose first try the server answers `datastale` (this instance has not read the
 * node, so it sends its hash of nothing), and two writes below it before that answer.
 */
async function twoWritesBelowATransaction(db: Database) {
  await db.ref('counter').set({ n: 1 });
  const other = orderWrites(db); // the same order however often it is wrapped
  const bumped = guardedTransaction(db.ref('counter'), bump);
  const writes = Promise.all([
    other.ref('counter/a').set('one'),
    db.ref('counter').child('b').set('two'),
  ]);
  return { bumped, writes };
}

describe('orderWrites', () => {
  it('two writes below a transaction in flight: it settles, and every change lands', async () => {
    const db = orderWrites(env.admin.db);
    const { bumped, writes } = await twoWritesBelowATransaction(db);
    const outcome = await within(bumped);
    expect(outcome).not.toBe('never settled');
    expect(outcome).toMatchObject({ committed: true });
    await writes;
    expect((await db.ref('counter').get()).val()).toEqual({ n: 2, a: 'one', b: 'two' });
  });

  it('a multi-path update above it and a remove of it: the transaction settles, writes keep their order', async () => {
    const db = orderWrites(env.admin.db);
    await db.ref('quota/u1').set({ n: 5, open: { r1: 1 } });
    const bumped = guardedTransaction(db.ref('quota/u1'), bump);
    const update = db.ref().update({ 'quota/u1/open/r1': null, 'audit/r1': 'closed' });
    const removed = db.ref('quota/u1/open').remove();
    const written = db.ref('quota/u1/note').set('last');
    expect(await within(bumped)).toMatchObject({ committed: true });
    await Promise.all([update, removed, written]);
    expect((await db.ref('quota/u1').get()).val()).toEqual({ n: 6, note: 'last' });
    expect((await db.ref('audit/r1').get()).val()).toBe('closed');
  });

  it('writes with no transaction in flight start at once, in order', async () => {
    const db = orderWrites(env.admin.db);
    const first = db.ref('plain').set({ a: 1 });
    const second = db.ref('plain/a').set(2);
    const pushed = db.ref('log').push({ line: 'x' });
    await Promise.all([first, second, pushed]);
    expect((await db.ref('plain').get()).val()).toEqual({ a: 2 });
    expect(Object.values((await db.ref('log').get()).val() as object)).toEqual([{ line: 'x' }]);
  });
});
