import { describe, expect, it } from 'vitest';
import { paths } from '@vmpool/core';
import { POOL_TAGS, REGION } from '../support/fixtures';
import { useFunctionsHost } from '../support/functions-host';
import { waitFor } from '../support/wait';

const env = useFunctionsHost({
  config: { minWarmVMs: 0, autoStopAfterHours: 0 },
  host: { reconcileIntervalMs: 100 },
});
const { compute } = env;

describe('the scheduled reconcile in the local host', () => {
  it('runs on its interval: a newly tagged instance is adopted without anyone asking', async () => {
    const instance = compute.seed({
      region: REGION,
      state: 'stopped',
      tags: { ...POOL_TAGS, VmId: 'vm-042' },
    });
    const vm = await waitFor(async () => {
      const value = (await env.admin.db.ref(paths.vm('vm-042')).get()).val() as {
        instanceId: string;
      } | null;
      return value ?? undefined;
    }, 'adoption by the scheduled reconcile');
    expect(vm.instanceId).toBe(instance.instanceId);
  });

  it('reconcileNow waits for a full pass', async () => {
    compute.seed({ region: REGION, state: 'stopped', tags: { ...POOL_TAGS, VmId: 'vm-043' } });
    await env.host.reconcileNow();
    expect((await env.admin.db.ref(paths.vm('vm-043')).get()).exists()).toBe(true);
  });
});
