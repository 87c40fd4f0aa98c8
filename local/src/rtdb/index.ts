/**
 * A local Realtime Database server for the firebase and firebase-admin SDKs.
 * See README.md in this folder.
 */
import { RtdbCore } from './server';
import type { RulesSource } from './rules';
import { exportNode, type Json } from './tree';

export interface RtdbServerOptions {
  /** 0 = a free port; default 9000. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** A database.rules.json path or the parsed rules; omitted = allow everything. */
  rules?: string | object;
  /** Persistence file (JSON snapshot of every namespace). */
  data?: string;
  /** Largest accepted client message, in characters (default 16 MiB). */
  maxMessageBytes?: number;
  /** How often a changed tree is saved to `data` (default 1000 ms). */
  saveIntervalMs?: number;
  /** No log output. */
  quiet?: boolean;
  /** Server clock in epoch ms (default Date.now). */
  clock?: () => number;
  /** Close a long-poll client after this long without an open poll (default 10 s). */
  longPollIdleCloseMs?: number;
}

export interface RtdbServer {
  readonly port: number;
  /** "http://127.0.0.1:PORT" */
  readonly url: string;
  /** "http://127.0.0.1:PORT?ns=ns" */
  databaseUrl(ns: string): string;
  stop(): Promise<void>;
  /** Replaces the rules; without an argument, re-reads the rules given at start. */
  reloadRules(rules?: string | object): Promise<void>;
  /** The current data of a namespace, in export format (priorities included). */
  exportData(ns: string): Json;
  /**
   * Replaces a namespace's data (plain JSON or export format; null clears it), as an
   * admin write: listeners are told. Handy to seed or reset data between tests.
   */
  importData(ns: string, data: unknown): void;
  /** The number of connected clients. */
  readonly connectionCount: number;
  /** How many of them use long polling (browsers that could not use a WebSocket). */
  readonly longPollCount: number;
}

export async function startRtdbServer(opts: RtdbServerOptions = {}): Promise<RtdbServer> {
  const host = opts.host ?? '127.0.0.1';
  const quiet = opts.quiet ?? false;
  let rulesSource: RulesSource | undefined = opts.rules;
  const core = new RtdbCore({
    port: opts.port ?? 9000,
    host,
    ...(opts.rules === undefined ? {} : { rules: opts.rules }),
    ...(opts.data === undefined ? {} : { data: opts.data }),
    maxMessageBytes: opts.maxMessageBytes ?? 16 * 1024 * 1024,
    saveIntervalMs: opts.saveIntervalMs ?? 1000,
    clock: opts.clock ?? (() => Date.now()),
    log: quiet ? () => undefined : (message) => console.error(`[rtdb] ${message}`),
    ...(opts.longPollIdleCloseMs === undefined
      ? {}
      : { longPollIdleCloseMs: opts.longPollIdleCloseMs }),
  });
  await core.start();
  const url = `http://${host}:${core.port}`;
  let stopped: Promise<void> | null = null;
  return {
    port: core.port,
    url,
    databaseUrl: (ns) => `${url}?ns=${encodeURIComponent(ns)}`,
    stop: () => (stopped ??= core.stop()),
    reloadRules: async (rules) => {
      if (rules !== undefined) rulesSource = rules;
      core.reloadRules(rulesSource);
    },
    exportData: (ns) => exportNode(core.namespace(ns).root),
    importData: (ns, data) => core.replaceData(ns, data),
    get connectionCount() {
      return core.sessionCount;
    },
    get longPollCount() {
      return core.longPollCount;
    },
  };
}

export type { RulesSource };
