import type { ShowServerProbe } from '@vmpool/core/ports';

/**
 * A show server probe that answers from a table the test sets (the port has one method; the
 * HTTP implementation has its own test against real servers). Addresses not in the table
 * answer: a VM's show server is up unless the test says otherwise.
 */
export function tableShowProbe(): ShowServerProbe & {
  down(vmAddress: string): void;
  up(vmAddress: string): void;
  probed: string[];
} {
  const downs = new Set<string>();
  const probed: string[] = [];
  return {
    probed,
    down: (vmAddress) => downs.add(vmAddress),
    up: (vmAddress) => downs.delete(vmAddress),
    reachable: (vmAddress) => {
      probed.push(vmAddress);
      return Promise.resolve(!downs.has(vmAddress));
    },
  };
}
