// An agent holds a token for its own VM only: with the agent's own client (the same code and
// emulator token it runs with), nothing of another VM can be read or written, and nothing of
// the control plane's fields on its own VM either. Rules: the project's database.rules.json.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { get, onDisconnect, ref, remove, serverTimestamp, set, update } from 'firebase/database';
import { localFirebase, type FirebaseClients } from '../src/runtime/firebase';
import { seedVm, startStack, type TestStack } from './support/stack';

let stack: TestStack;
let agent: FirebaseClients;
let otherCommandId: string;
let ownCommandId: string;

beforeAll(async () => {
  stack = await startStack();
  await seedVm(stack.admin, 'vm-401');
  await seedVm(stack.admin, 'vm-402');
  await stack.admin.ref('vmPool/vms/vm-402/agent').set({ online: true, lastSeen: Date.now() });
  otherCommandId = stack.admin.ref('vmPool/commands/vm-402').push().key ?? '';
  ownCommandId = stack.admin.ref('vmPool/commands/vm-401').push().key ?? '';
  const command = { op: 'restart_obs', requestedBy: 'admin-1', requestedAt: Date.now() };
  await stack.admin.ref(`vmPool/commands/vm-402/${otherCommandId}`).set(command);
  await stack.admin.ref(`vmPool/commands/vm-401/${ownCommandId}`).set(command);
  agent = localFirebase(stack.databaseUrl, { vmId: 'vm-401', instanceId: 'local-vm-401' });
});
afterAll(async () => {
  await agent.close();
  await stack.stop();
});

const denied = /permission.denied/i;

describe('an agent cannot touch another VM', () => {
  it('may write its own agent subtree (sanity check of the token)', async () => {
    await expect(
      update(ref(agent.db, 'vmPool/vms/vm-401/agent'), {
        online: true,
        lastSeen: serverTimestamp(),
      }),
    ).resolves.toBeUndefined();
  });

  it('cannot write or read another VM', async () => {
    await expect(
      update(ref(agent.db, 'vmPool/vms/vm-402/agent'), {
        online: false,
        lastSeen: serverTimestamp(),
      }),
    ).rejects.toThrow(denied);
    await expect(get(ref(agent.db, 'vmPool/vms/vm-402'))).rejects.toThrow(denied);
    await expect(get(ref(agent.db, 'vmPool/vms'))).rejects.toThrow(denied);
    expect((await stack.admin.ref('vmPool/vms/vm-402/agent/online').get()).val()).toBe(true);
  });

  it('cannot read, claim or finish another VM command', async () => {
    await expect(get(ref(agent.db, 'vmPool/commands/vm-402'))).rejects.toThrow(denied);
    await expect(
      set(ref(agent.db, `vmPool/commands/vm-402/${otherCommandId}/claim`), {
        bootId: 'b',
        at: Date.now(),
      }),
    ).rejects.toThrow(denied);
    await expect(
      set(ref(agent.db, `vmPool/commands/vm-402/${otherCommandId}/status`), 'succeeded'),
    ).rejects.toThrow(denied);
    expect((await stack.admin.ref(`vmPool/commands/vm-402/${otherCommandId}`).get()).val()).toEqual(
      { op: 'restart_obs', requestedBy: 'admin-1', requestedAt: expect.any(Number) },
    );
  });

  it('cannot change control-plane fields of its own VM, queue commands, or rewrite a command op', async () => {
    await expect(set(ref(agent.db, 'vmPool/vms/vm-401/status'), 'in_use')).rejects.toThrow(denied);
    await expect(set(ref(agent.db, 'vmPool/vms/vm-401/assignedTo'), 'meet-1')).rejects.toThrow(
      denied,
    );
    await expect(
      set(ref(agent.db, 'vmPool/commands/vm-401/self-queued'), {
        op: 'restart_obs',
        requestedBy: 'agent-vm-401',
        requestedAt: serverTimestamp(),
      }),
    ).rejects.toThrow(denied);
    await expect(
      set(ref(agent.db, `vmPool/commands/vm-401/${ownCommandId}/op`), 'update_code'),
    ).rejects.toThrow(denied);
  });
});

// Review finding 5: an agent deleted its own report, which hides its VM's health.
describe('an agent keeps its own report', () => {
  it('cannot delete it, by set, remove or a multi-path update on the record', async () => {
    await update(ref(agent.db, 'vmPool/vms/vm-401/agent'), {
      online: true,
      lastSeen: serverTimestamp(),
    });
    await expect(set(ref(agent.db, 'vmPool/vms/vm-401/agent'), null)).rejects.toThrow(denied);
    await expect(remove(ref(agent.db, 'vmPool/vms/vm-401/agent'))).rejects.toThrow(denied);
    await expect(update(ref(agent.db, 'vmPool/vms/vm-401'), { agent: null })).rejects.toThrow(
      denied,
    );
    expect((await stack.admin.ref('vmPool/vms/vm-401/agent/online').get()).val()).toBe(true);
  });

  it('still updates its fields and queues its offline mark', async () => {
    await expect(
      update(ref(agent.db, 'vmPool/vms/vm-401/agent'), {
        online: false,
        lastSeen: serverTimestamp(),
      }),
    ).resolves.toBeUndefined();
    await expect(
      onDisconnect(ref(agent.db, 'vmPool/vms/vm-401/agent')).update({
        online: false,
        lastSeen: serverTimestamp(),
      }),
    ).resolves.toBeUndefined();
  });
});

// Design gap "Sessions": VM ids are reused (the lowest free vm-NNN), so an agent's token names
// its instance and the rules compare it with the VM record. The token of a terminated instance
// opens nothing once the record is gone or holds another instance.
describe('an agent session ends with its instance', () => {
  it('loses the VM id when the record is given to another instance, and when it is removed', async () => {
    await seedVm(stack.admin, 'vm-403');
    const command = { op: 'check_services', requestedBy: 'admin-1', requestedAt: Date.now() };
    const commandId = stack.admin.ref('vmPool/commands/vm-403').push().key ?? '';
    await stack.admin.ref(`vmPool/commands/vm-403/${commandId}`).set(command);
    const former = localFirebase(stack.databaseUrl, {
      vmId: 'vm-403',
      instanceId: 'local-vm-403',
    });
    const current = localFirebase(stack.databaseUrl, {
      vmId: 'vm-403',
      instanceId: 'local-vm-403-relaunched',
    });
    try {
      const heartbeat = { online: true, lastSeen: serverTimestamp() };
      await expect(update(ref(former.db, 'vmPool/vms/vm-403/agent'), heartbeat)).resolves.toBe(
        undefined,
      );
      await expect(update(ref(current.db, 'vmPool/vms/vm-403/agent'), heartbeat)).rejects.toThrow(
        denied,
      );

      // The instance is terminated and the id goes to a new instance.
      await stack.admin.ref('vmPool/vms/vm-403/instanceId').set('local-vm-403-relaunched');
      await expect(update(ref(former.db, 'vmPool/vms/vm-403/agent'), heartbeat)).rejects.toThrow(
        denied,
      );
      await expect(get(ref(former.db, 'vmPool/vms/vm-403'))).rejects.toThrow(denied);
      await expect(get(ref(former.db, 'vmPool/commands/vm-403'))).rejects.toThrow(denied);
      await expect(
        set(ref(former.db, `vmPool/commands/vm-403/${commandId}/claim`), {
          bootId: 'old-boot',
          at: serverTimestamp(),
        }),
      ).rejects.toThrow(denied);
      await expect(get(ref(former.db, 'vmPool/config'))).rejects.toThrow(denied);
      await expect(update(ref(current.db, 'vmPool/vms/vm-403/agent'), heartbeat)).resolves.toBe(
        undefined,
      );

      // The record is removed (terminated, no successor): nobody reports for it.
      await stack.admin.ref('vmPool/vms/vm-403').remove();
      await expect(update(ref(current.db, 'vmPool/vms/vm-403/agent'), heartbeat)).rejects.toThrow(
        denied,
      );
    } finally {
      await former.close();
      await current.close();
    }
  });
});
