// Issue 11: the schedule runs one reconcile at a time, so a run that never finishes stops the
// schedule. One once did in stack chaos (an RTDB transaction @firebase/database 1.1.5 dropped,
// see tests/store-transaction.test.ts) and nothing said so. The host now says it while the run lasts,
// and the schedule goes on once the run ends.
import { afterAll, describe, expect, it } from 'vitest';
import type { LocalFunctionsHost } from '../../src/host';
import { startTestHost, useHostDatabase } from '../support/functions-host';
import { heldDescribe } from '../support/held-describe';
import { waitFor } from '../support/wait';

const env = useHostDatabase({ config: { minWarmVMs: 0, autoStopAfterHours: 0 } });
const hosts: LocalFunctionsHost[] = [];
afterAll(async () => {
  for (const host of hosts) await host.stop();
});

describe('the local host schedule', () => {
  it('says when a reconcile outlasts three intervals, and reconciles again once it ends', async () => {
    // The cloud's describe does not answer until the test lets it: the first run hangs there.
    const cloud = heldDescribe(env.compute, (n) => n === 1);
    const host = await startTestHost(env, { compute: cloud.compute, reconcileIntervalMs: 100 });
    hosts.push(host);
    const stalled = () =>
      env.hostLog.lines.filter((line) => line.message.startsWith('reconcile still running'));
    const said = await waitFor(async () => stalled()[0], 'the stalled reconcile said', 30_000);
    expect(said.level).toBe('warn');
    expect(Number(said.fields.runningMs)).toBeGreaterThanOrEqual(300);
    expect(cloud.asks()).toBe(1);
    cloud.release();
    await waitFor(
      async () => (cloud.asks() >= 2 ? true : undefined),
      'a reconcile after the stalled one',
      30_000,
    );
  });
});
