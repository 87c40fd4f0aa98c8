// The local functions host over a local RTDB, as the host suites (tests/host, the web SDK and
// API harnesses) start it: one place for its set-up and tear-down.
import { afterAll, beforeAll, expect } from 'vitest';
import { memoryLogger, type Clock } from '@vmpool/core/ports';
import type { PoolConfig } from '@vmpool/core';
import { startRtdbServer, type RtdbServer } from '@vmpool/local/rtdb';
import { MemoryCompute } from '../../src/adapters/memory';
import {
  startLocalFunctionsHost,
  type LocalFunctionsHost,
  type LocalHostOptions,
} from '../../src/host';
import { testAccess, writeConfig } from './fixtures';
import { freshAdminDb, releaseRtdb, sharedRtdb, type AdminDb } from './rtdb';

/** What the host needs besides the database: the test's cloud, clock and log. */
export interface HostParts {
  admin: AdminDb;
  compute: MemoryCompute;
  clock: Clock;
  hostLog: ReturnType<typeof memoryLogger>;
}

/**
 * Starts a host on `parts`' database with the test access port and no scheduled reconcile
 * (only triggers and timers run) unless `options` say otherwise.
 */
export function startTestHost(
  parts: HostParts,
  options: Partial<LocalHostOptions> = {},
): Promise<LocalFunctionsHost> {
  return startLocalFunctionsHost({
    databaseUrl: parts.admin.databaseUrl,
    compute: parts.compute,
    clock: parts.clock,
    access: testAccess,
    logger: parts.hostLog,
    reconcileIntervalMs: 0,
    ...options,
  });
}

export interface HostDatabaseSpec {
  /** Written as `vmPool/config` before `seed` runs. */
  config: Partial<PoolConfig>;
  /** Competitions, VMs and requests written before any host starts. */
  seed?: (admin: AdminDb, compute: MemoryCompute) => Promise<void>;
  /** Security rules for a server of the file's own; without them, the shared rules-free one. */
  rules?: string;
}

export interface HostDatabase extends HostParts {
  readonly rtdb: RtdbServer;
}

const started = <T>(value: T | undefined, name: string): T => {
  if (value === undefined) throw new Error(`${name} is not started (used outside the tests?)`);
  return value;
};

/**
 * Registers a test file's database hooks: an RTDB server, one namespace for the whole file with
 * `spec`'s config and seed, an in-memory cloud on the wall clock and a host log; all gone after
 * the file. For files that start (and kill) hosts themselves: see `startTestHost`.
 */
export function useHostDatabase(spec: HostDatabaseSpec): HostDatabase {
  const clock = { now: () => Date.now() };
  const compute = new MemoryCompute({ clock });
  const hostLog = memoryLogger();
  let rtdb: RtdbServer | undefined;
  let admin: AdminDb | undefined;

  beforeAll(async () => {
    rtdb =
      spec.rules === undefined
        ? await sharedRtdb()
        : await startRtdbServer({ port: 0, quiet: true, rules: spec.rules });
    admin = await freshAdminDb(rtdb);
    await writeConfig(admin.db, spec.config);
    await spec.seed?.(admin, compute);
  });

  afterAll(async () => {
    await admin?.close();
    if (spec.rules === undefined) await releaseRtdb();
    else await rtdb?.stop();
  });

  return {
    get rtdb() {
      return started(rtdb, 'the RTDB server');
    },
    get admin() {
      return started(admin, 'the admin database');
    },
    compute,
    clock,
    hostLog,
  };
}

export interface FunctionsHostSpec extends HostDatabaseSpec {
  /** Host options beyond the defaults of `startTestHost`. */
  host?: Partial<LocalHostOptions>;
  /** The file fails when a trigger logged an error (checked before the host stops). */
  failOnErrorLogs?: boolean;
}

export interface FunctionsHost extends HostDatabase {
  readonly host: LocalFunctionsHost;
}

/**
 * Registers a test file's hooks: the database of `useHostDatabase`, then one host that finds
 * the seed already written (it must process what it finds), stopped after the file.
 */
export function useFunctionsHost(spec: FunctionsHostSpec): FunctionsHost {
  const database = useHostDatabase(spec);
  let host: LocalFunctionsHost | undefined;

  beforeAll(async () => {
    host = await startTestHost(database, spec.host);
  });

  // Registered after the database's: vitest runs after-hooks last-in first-out.
  afterAll(async () => {
    if (spec.failOnErrorLogs === true) {
      expect(database.hostLog.lines.filter((line) => line.level === 'error')).toEqual([]);
    }
    await host?.stop();
  });

  return {
    get rtdb() {
      return database.rtdb;
    },
    get admin() {
      return database.admin;
    },
    get host() {
      return started(host, 'the functions host');
    },
    compute: database.compute,
    clock: database.clock,
    hostLog: database.hostLog,
  };
}
