/**
 * A local Realtime Database server for the firebase and firebase-admin SDKs.
 * See README.md in this folder.
 */
import {
  DEFAULT_FRAGMENT_TIMEOUT_MS,
  DEFAULT_LIMITS,
  DEFAULT_MAX_CONNECTIONS,
  DEFAULT_MAX_CONNECTIONS_PER_IP,
  DEFAULT_MAX_MESSAGE_BYTES,
} from './limits';
import { parseAllowedOrigins } from './origin';
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
  /** Largest accepted client message, in characters (default 16 MiB, production's SDK limit). */
  maxMessageBytes?: number;
  /** Largest message from a connection whose writes are checked against rules (default 256 KiB). */
  maxUserMessageBytes?: number;
  /** Most paths in one multi-path update from such a connection (default 100). */
  maxUpdatePaths?: number;
  /** Most values (leaves and objects) in one write from such a connection (default 10,000). */
  maxUserWriteNodes?: number;
  /** Close a connection whose message fragments take longer than this (default 10 s). */
  fragmentTimeoutMs?: number;
  /** Open connections accepted in total (default 1000) and from one address (default 200). */
  maxConnections?: number;
  maxConnectionsPerIp?: number;
  /**
   * Web origins (e.g. the local web app's `http://127.0.0.1:5173`) whose pages may present
   * credentials (`auth`/`gauth`, REST tokens). Pages of any other origin may only connect
   * unauthenticated; clients that are not browsers (no Origin) are not affected. Default none.
   */
  allowedOrigins?: readonly string[];
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
  /** Open sockets and long-poll channels, as counted against the connection caps. */
  readonly openConnections: number;
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
    maxMessageBytes: opts.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES,
    limits: {
      maxUserMessageBytes: opts.maxUserMessageBytes ?? DEFAULT_LIMITS.maxUserMessageBytes,
      maxUpdatePaths: opts.maxUpdatePaths ?? DEFAULT_LIMITS.maxUpdatePaths,
      maxUserWriteNodes: opts.maxUserWriteNodes ?? DEFAULT_LIMITS.maxUserWriteNodes,
    },
    fragmentTimeoutMs: opts.fragmentTimeoutMs ?? DEFAULT_FRAGMENT_TIMEOUT_MS,
    maxConnections: opts.maxConnections ?? DEFAULT_MAX_CONNECTIONS,
    maxConnectionsPerIp: opts.maxConnectionsPerIp ?? DEFAULT_MAX_CONNECTIONS_PER_IP,
    allowedOrigins: parseAllowedOrigins(opts.allowedOrigins ?? []),
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
    get openConnections() {
      return core.openConnections;
    },
  };
}

export type { RulesSource };
export {
  startRtdbServerProcess,
  type RtdbServerProcess,
  type RtdbServerProcessOptions,
} from './process';
