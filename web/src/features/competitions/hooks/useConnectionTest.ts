import { useCallback, useEffect, useState } from 'react';
import { testConnection, type ConnectionOutcome } from '../lib/connectionTest';

export interface ConnectionTestView {
  outcome: ConnectionOutcome | null;
  testing: boolean;
  /** Runs the test again (the "Reconnect" and "Test connection" buttons). */
  run(): void;
}

interface Completed {
  address: string;
  run: number;
  outcome: ConnectionOutcome;
}

/**
 * Tests `http://<vmAddress>/api/status` from the browser. With `auto`, it runs whenever the
 * address changes; `run()` tests again. A newer run always wins over an older one in flight.
 */
export function useConnectionTest(
  vmAddress: string | null,
  { auto = true, timeoutMs = 5000 }: { auto?: boolean; timeoutMs?: number } = {},
  tester: typeof testConnection = testConnection,
): ConnectionTestView {
  const [runs, setRuns] = useState(0);
  const [completed, setCompleted] = useState<Completed | null>(null);

  useEffect(() => {
    if (vmAddress === null || (!auto && runs === 0)) return;
    let current = true;
    void tester(vmAddress, timeoutMs).then((outcome) => {
      if (current) setCompleted({ address: vmAddress, run: runs, outcome });
    });
    return () => {
      current = false;
    };
  }, [auto, runs, tester, timeoutMs, vmAddress]);

  const run = useCallback(() => setRuns((count) => count + 1), []);
  const requested = vmAddress !== null && (auto || runs > 0);
  const sameAddress = completed !== null && completed.address === vmAddress;
  return {
    // Keep showing the last outcome for this address while a new test runs.
    outcome: sameAddress ? completed.outcome : null,
    testing: requested && !(sameAddress && completed.run === runs),
    run,
  };
}
