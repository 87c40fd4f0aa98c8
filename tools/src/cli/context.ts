// The connection a command works with: one firebase-admin app (created once), its database and
// Auth, who the CLI acts as, and where output goes.
import { applicationDefault, deleteApp, initializeApp, type App } from 'firebase-admin/app';
import { getAuth, type Auth, type UserRecord } from 'firebase-admin/auth';
import { getDatabase, type Database } from 'firebase-admin/database';
import { paths } from '@vmpool/core';
import type { CliConfig } from './config';
import { CliError, EXIT, failed, unreachable } from './errors';

export interface Output {
  json: boolean;
  /** a line for people (not printed with --json) */
  line(text: string): void;
  /** the command's result: JSON with --json, else nothing (its lines were printed) */
  result(value: unknown): void;
}

export interface Context {
  config: CliConfig;
  out: Output;
  db(): Promise<Database>;
  auth(): Auth;
  /** the uid of `--as`; with `admin` it must carry the admin claim */
  actorUid(need: 'admin' | 'any'): Promise<string>;
  now(): number;
  close(): Promise<void>;
}

export function createOutput(json: boolean, write: (text: string) => void): Output {
  return {
    json,
    line: (text) => {
      if (!json) write(`${text}\n`);
    },
    result: (value) => {
      if (json) write(`${JSON.stringify(value, null, 2)}\n`);
    },
  };
}

/** Auth errors that mean "cannot reach or may not use Auth" rather than "no such user". */
function authTrouble(error: unknown): CliError | null {
  const code = (error as { code?: unknown }).code;
  const message = (error as Error).message ?? String(error);
  if (code === 'auth/user-not-found') return null;
  if (
    typeof code === 'string' &&
    /network|credential|insufficient-permission|project-not-found|internal-error/.test(code)
  )
    return unreachable(`Auth is not reachable or refused the CLI: ${message}`);
  if (/ECONNREFUSED|fetch failed|ENOTFOUND|credential/i.test(message))
    return unreachable(`Auth is not reachable: ${message}`);
  return null;
}

export async function authCall<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    const trouble = authTrouble(error);
    if (trouble) throw trouble;
    if ((error as { code?: unknown }).code === 'auth/user-not-found')
      throw failed(`${what}: no such user`);
    throw failed(`${what}: ${(error as Error).message}`);
  }
}

export async function findUser(auth: Auth, who: string): Promise<UserRecord> {
  return authCall(who, () => (who.includes('@') ? auth.getUserByEmail(who) : auth.getUser(who)));
}

export function createContext(config: CliConfig, out: Output): Context {
  const { target } = config;
  const app: App = initializeApp(
    target.kind === 'project'
      ? {
          projectId: target.projectId,
          databaseURL: target.databaseUrl,
          credential: applicationDefault(),
        }
      : { projectId: target.projectId, databaseURL: target.databaseUrl },
    `vmpool-cli-${process.pid}`,
  );
  let db: Database | null = null;
  let connected: Promise<Database> | null = null;

  const connect = (): Promise<Database> => {
    connected ??= (async () => {
      if (target.kind === 'project') {
        // Without credentials the database SDK only logs warnings and retries: ask first.
        try {
          await app.options.credential!.getAccessToken();
        } catch (error) {
          throw unreachable(
            `no usable application default credentials (gcloud auth application-default login): ${(error as Error).message}`,
          );
        }
      }
      db = getDatabase(app);
      const database = db;
      // One read (the pool config) with a deadline: the SDK retries forever where nothing
      // answers.
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () =>
            reject(
              unreachable(
                `the database at ${target.databaseUrl} did not answer within ${config.connectTimeoutMs / 1000} s` +
                  (target.kind === 'local' ? ' (is `npm start` running?)' : ''),
              ),
            ),
          config.connectTimeoutMs,
        );
      });
      try {
        await Promise.race([database.ref(paths.poolConfig()).get(), deadline]);
      } catch (error) {
        if (error instanceof CliError) throw error;
        throw unreachable(`the database refused the CLI: ${(error as Error).message}`);
      } finally {
        clearTimeout(timer);
      }
      return database;
    })();
    return connected;
  };

  let actor: Promise<UserRecord> | null = null;
  return {
    config,
    out,
    db: connect,
    auth: () => getAuth(app),
    async actorUid(need) {
      if (config.actor === null)
        throw new CliError(
          EXIT.usage,
          '--as EMAIL|UID (or VMPOOL_AS) is required with --project: who the CLI acts as',
        );
      actor ??= findUser(getAuth(app), config.actor).catch((error: unknown) => {
        if (error instanceof CliError && error.exitCode === EXIT.failed)
          throw unreachable(`--as ${config.actor}: no such user`);
        throw error;
      });
      const user = await actor;
      if (need === 'admin' && user.customClaims?.admin !== true)
        throw unreachable(
          `--as ${config.actor} is not an admin (grant it with: vmpool grant admin EMAIL)`,
        );
      return user.uid;
    },
    now: () => Date.now(),
    async close() {
      if (db !== null) (db as Database).goOffline();
      await deleteApp(app);
    },
  };
}
