/**
 * The web app's configuration, parsed once from Vite's `import.meta.env`. Every problem is
 * collected so the error screen can list them all at once.
 */

export interface FirebaseWebConfig {
  apiKey: string;
  authDomain: string;
  projectId: string;
  databaseURL: string;
  appId: string;
}

export interface WebConfig {
  firebase: FirebaseWebConfig;
  /** Local mode: Auth emulator with email/password sign-in, local RTDB over WebSockets only. */
  useEmulators: boolean;
  /** `http://host:port` of the Auth emulator; null in production. */
  authEmulatorUrl: string | null;
}

export type WebConfigResult = { ok: true; config: WebConfig } | { ok: false; errors: string[] };

export type WebEnv = Readonly<Record<string, string | boolean | undefined>>;

const LOCAL_DEFAULTS = {
  apiKey: 'demo-api-key',
  projectId: 'demo-vmpool',
  appId: 'demo-vmpool-web',
  authEmulatorHost: '127.0.0.1:9099',
  databaseEmulatorHost: '127.0.0.1:9000',
};

const HOST_PORT = /^[A-Za-z0-9.-]+:\d{1,5}$/;
const NAMESPACE = /^[a-z0-9-]{1,63}$/;

function text(env: WebEnv, name: string): string | undefined {
  const value = env[name];
  if (typeof value !== 'string') return undefined;
  const trimmed = value.trim();
  return trimmed === '' ? undefined : trimmed;
}

function flag(env: WebEnv, name: string, errors: string[]): boolean {
  const value = env[name];
  if (value === undefined || value === '' || value === false) return false;
  if (value === true) return true;
  const normal = value.trim().toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(normal)) return true;
  if (['0', 'false', 'no', 'off'].includes(normal)) return false;
  errors.push(`${name} must be true or false, got "${value}"`);
  return false;
}

function hostPort(env: WebEnv, name: string, fallback: string, errors: string[]): string {
  const value = text(env, name) ?? fallback;
  if (!HOST_PORT.test(value)) errors.push(`${name} must be host:port, got "${value}"`);
  return value;
}

function databaseUrlProblem(url: string): string | null {
  try {
    const parsed = new URL(url);
    if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
      return 'must start with https:// (or http:// for a local server)';
    }
    return null;
  } catch {
    return 'is not a URL';
  }
}

export function parseWebConfig(env: WebEnv): WebConfigResult {
  const errors: string[] = [];
  const useEmulators = flag(env, 'VITE_USE_EMULATORS', errors);

  if (useEmulators) {
    const authHost = hostPort(
      env,
      'VITE_AUTH_EMULATOR_HOST',
      LOCAL_DEFAULTS.authEmulatorHost,
      errors,
    );
    const dbHost = hostPort(
      env,
      'VITE_DATABASE_EMULATOR_HOST',
      LOCAL_DEFAULTS.databaseEmulatorHost,
      errors,
    );
    const projectId = text(env, 'VITE_FIREBASE_PROJECT_ID') ?? LOCAL_DEFAULTS.projectId;
    const namespace = text(env, 'VITE_DATABASE_NAMESPACE') ?? projectId;
    if (!NAMESPACE.test(namespace)) {
      errors.push(`VITE_DATABASE_NAMESPACE must match ${NAMESPACE.source}, got "${namespace}"`);
    }
    if (errors.length > 0) return { ok: false, errors };
    return {
      ok: true,
      config: {
        useEmulators,
        authEmulatorUrl: `http://${authHost}`,
        firebase: {
          apiKey: text(env, 'VITE_FIREBASE_API_KEY') ?? LOCAL_DEFAULTS.apiKey,
          authDomain: text(env, 'VITE_FIREBASE_AUTH_DOMAIN') ?? `${projectId}.firebaseapp.com`,
          projectId,
          databaseURL: `http://${dbHost}?ns=${namespace}`,
          appId: text(env, 'VITE_FIREBASE_APP_ID') ?? LOCAL_DEFAULTS.appId,
        },
      },
    };
  }

  const required = {
    apiKey: 'VITE_FIREBASE_API_KEY',
    authDomain: 'VITE_FIREBASE_AUTH_DOMAIN',
    projectId: 'VITE_FIREBASE_PROJECT_ID',
    databaseURL: 'VITE_FIREBASE_DATABASE_URL',
    appId: 'VITE_FIREBASE_APP_ID',
  } as const;
  const values: Partial<FirebaseWebConfig> = {};
  for (const [field, name] of Object.entries(required) as [keyof FirebaseWebConfig, string][]) {
    const value = text(env, name);
    if (value === undefined) errors.push(`${name} is required (or set VITE_USE_EMULATORS=true)`);
    else values[field] = value;
  }
  if (values.databaseURL !== undefined) {
    const problem = databaseUrlProblem(values.databaseURL);
    if (problem !== null) errors.push(`VITE_FIREBASE_DATABASE_URL ${problem}`);
  }
  if (errors.length > 0) return { ok: false, errors };
  return {
    ok: true,
    config: { useEmulators, authEmulatorUrl: null, firebase: values as FirebaseWebConfig },
  };
}
