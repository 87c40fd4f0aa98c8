// An agent holds a token for its own VM only: with the agent's own client (the same code and
// emulator token it runs with), nothing of another VM can be read or written, and nothing of
// the control plane's fields on its own VM either. Rules: the project's database.rules.json.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { get, ref, serverTimestamp, set, update } from 'firebase/database';
import { localFirebase, type FirebaseClients } from '../src/runtime/firebase';
import { seedVm, startStack, type TestStack } from './helpers/stack';

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
  agent = localFirebase(stack.databaseUrl, 'vm-401');
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
