// Issue 11: the schedule runs one reconcile at a time, so a run that never finishes stops the
// schedule. One once did in stack chaos (an RTDB transaction the SDK dropped, see
// store/rtdb/write-order.ts) and nothing said so. The host now says it while the run lasts,
// and the schedule goes on once the run ends.
import { afterAll, describe, expect, it } from 'vitest';
import type { ComputePort } from '@vmpool/core/ports';
import type { LocalFunctionsHost } from '../../src/host';
import { startTestHost, useHostDatabase } from '../support/functions-host';
import { waitFor } from '../support/wait';

const env = useHostDatabase({ config: { minWarmVMs: 0, autoStopAfterHours: 0 } });
const hosts: LocalFunctionsHost[] = [];
afterAll(async () => {
  for (const host of hosts) await host.stop();
});

describe('the local host schedule', () => {
  it('says when a reconcile outlasts three intervals, and reconciles again once it ends', async () => {
    let release = () => undefined as void;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    let describes = 0;
    // The cloud's describe does not answer until the test lets it: the first run hangs there.
    const compute = new Proxy(env.compute, {
      get(target, property) {
        if (property === 'describePoolInstances')
          return async (...args: Parameters<ComputePort['describePoolInstances']>) => {
            describes += 1;
            if (describes === 1) await held;
            return target.describePoolInstances(...args);
          };
        const value = Reflect.get(target, property, target) as unknown;
        return typeof value === 'function' ? (value as () => unknown).bind(target) : value;
      },
    });
    const host = await startTestHost(env, { compute, reconcileIntervalMs: 100 });
    hosts.push(host);
    const stalled = () =>
      env.hostLog.lines.filter((line) => line.message.startsWith('reconcile still running'));
    const said = await waitFor(async () => stalled()[0], 'the stalled reconcile said', 30_000);
    expect(said.level).toBe('warn');
    expect(Number(said.fields.runningMs)).toBeGreaterThanOrEqual(300);
    expect(describes).toBe(1);
    release();
    await waitFor(
      async () => (describes >= 2 ? true : undefined),
      'a reconcile after the stalled one',
      30_000,
    );
  });
});
