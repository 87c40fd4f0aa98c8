// Global `vmpool` settings: flags win over environment variables, which win over defaults.
// Parsed once, validated, every problem reported together. The local defaults are those of the
// local stack (local/src/stack/config.ts SETTINGS; test/cli checks they stay the same).
export const LOCAL_DEFAULTS = Object.freeze({
  databasePort: { env: 'VMPOOL_DB_PORT', fallback: '9000' },
  namespace: { env: 'VMPOOL_NAMESPACE', fallback: 'demo-vmpool' },
  authPort: { env: 'VMPOOL_AUTH_PORT', fallback: '9099' },
});

/** Who the CLI acts as on the local stack when `--as` is not given: the seeded demo admin. */
export const LOCAL_ACTOR = 'admin@vmpool.local';

export type Target =
  | { kind: 'local'; databaseUrl: string; projectId: string; authEmulatorHost: string }
  | { kind: 'project'; databaseUrl: string; projectId: string };

export interface CliConfig {
  target: Target;
  json: boolean;
  /** email or uid the CLI writes requests, commands and acknowledgements as */
  actor: string | null;
  /** how long to wait for the database to answer before giving up (exit 3) */
  connectTimeoutMs: number;
}

export interface GlobalFlags {
  project?: string;
  'database-url'?: string;
  as?: string;
  json?: boolean;
  timeout?: string;
}

export const GLOBAL_OPTIONS = {
  project: { type: 'string' },
  'database-url': { type: 'string' },
  as: { type: 'string' },
  json: { type: 'boolean' },
  timeout: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

export const GLOBAL_HELP = [
  '  --project ID          a real Firebase project (application default credentials)',
  '  --database-url URL    its database (default https://ID-default-rtdb.firebaseio.com)',
  '  --as EMAIL|UID        who requests, commands and acknowledgements are written as',
  `                        (VMPOOL_AS; default ${LOCAL_ACTOR} on the local stack)`,
  '  --json                machine-readable output (one JSON document on stdout)',
  '  --timeout SECONDS     how long to wait for the database (default 15)',
  '  --help, -h            help',
  '  Local stack: VMPOOL_DB_PORT (9000), VMPOOL_NAMESPACE (demo-vmpool), VMPOOL_AUTH_PORT (9099),',
  '  FIREBASE_AUTH_EMULATOR_HOST overrides the Auth emulator host.',
].join('\n');

const PROJECT_ID = /^[a-z][a-z0-9-]{4,28}[a-z0-9]$/;
const NAMESPACE = /^[a-z0-9-]{1,63}$/;

export function parseCliConfig(
  flags: GlobalFlags,
  env: Readonly<Record<string, string | undefined>>,
): { ok: true; config: CliConfig } | { ok: false; errors: string[] } {
  const errors: string[] = [];
  const fromEnv = (name: string, fallback: string): string => {
    const value = env[name]?.trim();
    return value === undefined || value === '' ? fallback : value;
  };
  const port = (name: string, fallback: string): number => {
    const text = fromEnv(name, fallback);
    const value = Number(text);
    if (!/^\d+$/.test(text) || value < 1 || value > 65535)
      errors.push(`${name} must be a port in 1..65535, got "${text}"`);
    return value;
  };

  let timeoutSeconds = 15;
  if (flags.timeout !== undefined) {
    timeoutSeconds = Number(flags.timeout);
    if (!/^\d+(\.\d+)?$/.test(flags.timeout) || timeoutSeconds <= 0 || timeoutSeconds > 600)
      errors.push(`--timeout must be a number of seconds in (0, 600], got "${flags.timeout}"`);
  }

  const databaseUrl = flags['database-url'];
  if (databaseUrl !== undefined) {
    try {
      const url = new URL(databaseUrl);
      if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error('protocol');
    } catch {
      errors.push(`--database-url must be an http(s) URL, got "${databaseUrl}"`);
    }
  }

  const actorRaw = flags.as ?? env.VMPOOL_AS?.trim();
  const actor = actorRaw === undefined || actorRaw === '' ? null : actorRaw;

  let target: Target;
  if (flags.project !== undefined) {
    if (!PROJECT_ID.test(flags.project))
      errors.push(`--project must be a Firebase project id, got "${flags.project}"`);
    target = {
      kind: 'project',
      projectId: flags.project,
      databaseUrl: databaseUrl ?? `https://${flags.project}-default-rtdb.firebaseio.com`,
    };
  } else {
    const namespace = fromEnv(LOCAL_DEFAULTS.namespace.env, LOCAL_DEFAULTS.namespace.fallback);
    if (!NAMESPACE.test(namespace))
      errors.push(`VMPOOL_NAMESPACE must match ${NAMESPACE.source}, got "${namespace}"`);
    const dbPort = port(LOCAL_DEFAULTS.databasePort.env, LOCAL_DEFAULTS.databasePort.fallback);
    const authPort = port(LOCAL_DEFAULTS.authPort.env, LOCAL_DEFAULTS.authPort.fallback);
    target = {
      kind: 'local',
      projectId: namespace,
      databaseUrl: databaseUrl ?? `http://127.0.0.1:${dbPort}?ns=${encodeURIComponent(namespace)}`,
      authEmulatorHost: fromEnv('FIREBASE_AUTH_EMULATOR_HOST', `127.0.0.1:${authPort}`),
    };
  }
  if (errors.length > 0) return { ok: false, errors };
  return {
    ok: true,
    config: {
      target,
      json: flags.json === true,
      actor: actor ?? (target.kind === 'local' ? LOCAL_ACTOR : null),
      connectTimeoutMs: Math.round(timeoutSeconds * 1000),
    },
  };
}
