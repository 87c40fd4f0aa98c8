import type { Database } from 'firebase-admin/database';
import { manualClock, memoryLogger, type Clock, type RemoteExecPort } from '@vmpool/core/ports';
import { MemoryCompute } from '../../src/adapters/memory';
import { DEFAULT_CONTROL_PLANE_CONFIG } from '../../src/config/control-plane-config';
import { createRtdbPoolStore } from '../../src/store/rtdb-pool-store';
import type { UseCaseDeps } from '../../src/usecases/deps';
import type { ComputePort } from '@vmpool/core/ports';
import { createTestAccess, type TestAccess } from './fixtures';

export const T0 = 1_800_000_000_000;

export function testDeps(
  db: Database,
  overrides: Partial<UseCaseDeps> & {
    clock?: Clock;
    compute?: ComputePort;
    remoteExec?: RemoteExecPort | null;
  } = {},
): UseCaseDeps & { logger: ReturnType<typeof memoryLogger>; access: TestAccess } {
  const clock = overrides.clock ?? manualClock(T0);
  const logger = memoryLogger();
  return {
    store: createRtdbPoolStore(db, clock),
    compute: overrides.compute ?? new MemoryCompute({ clock }),
    remoteExec: null,
    settings: { ...DEFAULT_CONTROL_PLANE_CONFIG },
    ...overrides,
    access: (overrides.access as TestAccess | undefined) ?? createTestAccess(),
    clock,
    logger,
  };
}
