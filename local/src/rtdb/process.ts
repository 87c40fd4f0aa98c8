/**
 * The server in its own process (`startRtdbServerProcess`), as production's database runs
 * apart from its clients: `npm start` and the control-plane bench use it, so that the server
 * and the processes that talk to it (the functions host, the bench's producers) do not share
 * one thread. Tests that need the server's synchronous API keep `startRtdbServer`.
 *
 * The child (`process-child.ts`) is forked with the TypeScript loader and answers calls over
 * the IPC channel; it stops (data saved, onDisconnect operations run) when told to, and when
 * this process exits or dies (the channel closes).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { RtdbServerOptions } from './index';
import type { Json } from './tree';

/** The options a server process takes: all of `RtdbServerOptions` that can cross a process. */
export type RtdbServerProcessOptions = Omit<RtdbServerOptions, 'clock'>;

/** What the child understands. */
export type ChildCall =
  | { readonly kind: 'stop' }
  | { readonly kind: 'reloadRules'; readonly rules?: string | object }
  | { readonly kind: 'exportData'; readonly ns: string }
  | { readonly kind: 'importData'; readonly ns: string; readonly data: unknown }
  | { readonly kind: 'connectionCount' };

/** Messages between the two processes. */
export type ToChild =
  | { readonly type: 'start'; readonly options: RtdbServerProcessOptions }
  | { readonly type: 'call'; readonly id: number; readonly call: ChildCall };
export type FromChild =
  | { readonly type: 'ready'; readonly port: number; readonly url: string }
  | { readonly type: 'failed'; readonly error: string }
  | {
      readonly type: 'result';
      readonly id: number;
      readonly value?: unknown;
      readonly error?: string;
    };

export interface RtdbServerProcess {
  /** The server process's id. */
  readonly pid: number;
  readonly port: number;
  /** "http://127.0.0.1:PORT" */
  readonly url: string;
  /** "http://127.0.0.1:PORT?ns=ns" */
  databaseUrl(ns: string): string;
  /** Stops the server (data saved, onDisconnect operations run) and waits for its exit. */
  stop(): Promise<void>;
  /** Replaces the rules; without an argument, re-reads the rules given at start. */
  reloadRules(rules?: string | object): Promise<void>;
  exportData(ns: string): Promise<Json>;
  importData(ns: string, data: unknown): Promise<void>;
  /** The number of connected clients. */
  connectionCount(): Promise<number>;
  /** Resolves with the exit code (or signal) when the process ends, for whatever reason. */
  readonly exited: Promise<number | string>;
}

/** The child's entry, resolved when a server starts (not at import: browser-like test
 * environments import this module through the package index, where import.meta.url is http:). */
function childEntry(): string {
  return fileURLToPath(new URL('./process-child.ts', import.meta.url));
}

/** The TypeScript loader, resolved from here (the child runs this folder's sources). */
function tsxLoader(): string {
  return pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
}

/** Starts the server in a child process; resolves once it listens. */
export async function startRtdbServerProcess(
  options: RtdbServerProcessOptions = {},
): Promise<RtdbServerProcess> {
  const child: ChildProcess = fork(childEntry(), [], {
    execArgv: ['--import', tsxLoader()],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    serialization: 'advanced',
  });
  const exited = new Promise<number | string>((resolve) => {
    child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown'));
  });
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  let nextId = 0;
  let gone: Error | null = null;
  void exited.then((how) => {
    gone = new Error(`the database server process exited (${how})`);
    for (const waiter of pending.values()) waiter.reject(gone);
    pending.clear();
  });

  const ready = new Promise<{ port: number; url: string }>((resolve, reject) => {
    child.on('message', (raw) => {
      const message = raw as FromChild;
      if (message.type === 'ready') resolve({ port: message.port, url: message.url });
      else if (message.type === 'failed') reject(new Error(message.error));
      else if (message.type === 'result') {
        const waiter = pending.get(message.id);
        pending.delete(message.id);
        if (message.error !== undefined) waiter?.reject(new Error(message.error));
        else waiter?.resolve(message.value);
      }
    });
    void exited.then((how) =>
      reject(new Error(`the database server process exited before listening (${how})`)),
    );
  });
  child.send({ type: 'start', options } satisfies ToChild);
  let started: { port: number; url: string };
  try {
    started = await ready;
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }

  const call = (request: ChildCall): Promise<unknown> => {
    if (gone !== null) return Promise.reject(gone);
    const id = ++nextId;
    return new Promise((resolve, reject) => {
      pending.set(id, { resolve, reject });
      child.send({ type: 'call', id, call: request } satisfies ToChild);
    });
  };
  let stopping: Promise<void> | null = null;
  return {
    pid: child.pid ?? 0,
    port: started.port,
    url: started.url,
    databaseUrl: (ns) => `${started.url}?ns=${encodeURIComponent(ns)}`,
    stop: () =>
      (stopping ??= (async () => {
        if (gone === null) await call({ kind: 'stop' }).catch(() => undefined);
        await exited;
      })()),
    reloadRules: async (rules) => {
      await call(rules === undefined ? { kind: 'reloadRules' } : { kind: 'reloadRules', rules });
    },
    exportData: async (ns) => (await call({ kind: 'exportData', ns })) as Json,
    importData: async (ns, data) => {
      await call({ kind: 'importData', ns, data });
    },
    connectionCount: async () => (await call({ kind: 'connectionCount' })) as number,
    exited,
  };
}
