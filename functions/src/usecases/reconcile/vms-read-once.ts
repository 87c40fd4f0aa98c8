import type { VmRecord } from '@vmpool/core';
import type { PoolStore } from '../../store/pool-store';
import type { UseCaseDeps } from '../deps';

type Listed = Awaited<ReturnType<PoolStore['listVms']>>;

/**
 * Issue 17: one reconcile reads `vmPool/vms` (and the pulses) once. The deps it passes along
 * answer every later `listVms()` from that read, kept up to date with each change made through
 * them (`updateVm`, `createVm`, `deleteVm`: the only ways the control plane writes a record), so
 * each step still sees the pool as the steps before it left it. The view is a hint as a fresh
 * read would be: every change is a guarded transaction on the record as it is.
 */
export function withVmsReadOnce(deps: UseCaseDeps): UseCaseDeps {
  const inner = deps.store;
  let listed: Listed | null = null;
  const view = new Map<string, VmRecord>();
  const note = (vmId: string, vm: VmRecord | null) => {
    if (listed === null) return;
    if (vm === null) {
      view.delete(vmId);
      return;
    }
    // A change made without the pulse keeps the agent report the read merged it with.
    const known = view.get(vmId);
    view.set(vmId, known !== undefined && vm.agent === null ? { ...vm, agent: known.agent } : vm);
  };
  const store: PoolStore = {
    ...inner,
    async listVms(options) {
      if (listed === null) {
        listed = await inner.listVms(options);
        for (const vm of listed.vms) view.set(vm.vmId, vm);
      }
      const vms = [...view.values()].sort((a, b) => a.vmId.localeCompare(b.vmId));
      return { ...listed, vms };
    },
    async updateVm(vmId, change, options) {
      const outcome = await inner.updateVm(vmId, change, options);
      note(vmId, outcome.vm);
      return outcome;
    },
    async createVm(record) {
      const created = await inner.createVm(record);
      if (created) note(record.vmId, record);
      return created;
    },
    async deleteVm(vmId, expect) {
      const deleted = await inner.deleteVm(vmId, expect);
      if (deleted) note(vmId, null);
      return deleted;
    },
  };
  return { ...deps, store };
}
