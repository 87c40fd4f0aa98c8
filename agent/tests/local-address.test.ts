// The local stack gives each VM its own loopback address and runs its show server there; the
// agent reports that address as the VM's public and private IP.
import { startShowServer, type ShowServer } from '@vmpool/local/show-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  killAgent,
  startRegisteredAgent,
  startStack,
  waitForValue,
  type TestStack,
} from './support/stack';

const VM_ADDRESS = '127.0.1.23';

let stack: TestStack;
let vmShow: ShowServer;
beforeAll(async () => {
  stack = await startStack();
  vmShow = await startShowServer({ port: 0, host: VM_ADDRESS });
});
afterAll(async () => {
  await vmShow.stop();
  await stack.stop();
});

describe('local mode addresses', () => {
  it("reports the host of its VM's show server as publicIp and privateIp", async () => {
    expect(vmShow.url).toContain(VM_ADDRESS);
    // A later --show-server wins over the stack's default one.
    const agent = await startRegisteredAgent(stack, 'vm-123', ['--show-server', vmShow.url]);
    try {
      const node = await waitForValue<{
        publicIp?: string;
        privateIp?: string;
        show?: { reachable?: boolean };
      }>(
        stack.admin,
        'vmPool/vms/vm-123/agent',
        (value) => value?.show?.reachable === true,
        30_000,
        agent,
      );
      expect(node).toMatchObject({ publicIp: VM_ADDRESS, privateIp: VM_ADDRESS });
    } finally {
      await killAgent(agent);
    }
  });
});
