import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { deleteApp, initializeApp } from 'firebase-admin/app';
import { getDatabase } from 'firebase-admin/database';
import { paths } from '@vmpool/core';
import { loadEnv } from 'vite';
import type { PreflightProbes } from './preflight';

const DATABASE_READ_TIMEOUT_MS = 20_000;

/** The firebase CLI of this repository (firebase-tools, a dev dependency), or null. */
export function firebaseCliPath(): string | null {
  try {
    return createRequire(import.meta.url).resolve('firebase-tools/lib/bin/firebase.js');
  } catch {
    return null;
  }
}

/** Reads `vmPool/config` with firebase-admin (application default credentials). */
export async function readPoolConfigFromDatabase(
  databaseUrl: string,
  project: string,
): Promise<unknown> {
  const app = initializeApp(
    { databaseURL: databaseUrl, projectId: project },
    `vmpool-deploy-${process.pid}-${Date.now()}`,
  );
  let timer: NodeJS.Timeout | undefined;
  try {
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`no answer within ${DATABASE_READ_TIMEOUT_MS / 1000} s`)),
        DATABASE_READ_TIMEOUT_MS,
      );
    });
    const snapshot = await Promise.race([getDatabase(app).ref(paths.poolConfig()).get(), timeout]);
    return snapshot.val() as unknown;
  } finally {
    clearTimeout(timer);
    await deleteApp(app);
  }
}

/** Writes `vmPool/config` with firebase-admin. */
export async function writePoolConfigToDatabase(
  databaseUrl: string,
  project: string,
  config: object,
): Promise<void> {
  const app = initializeApp(
    { databaseURL: databaseUrl, projectId: project },
    `vmpool-deploy-write-${process.pid}-${Date.now()}`,
  );
  try {
    await getDatabase(app).ref(paths.poolConfig()).set(config);
  } finally {
    await deleteApp(app);
  }
}

/** The real world, relative to the repository root `root`. */
export function systemProbes(root: string, env: NodeJS.ProcessEnv = process.env): PreflightProbes {
  return {
    readFile: async (path) => {
      try {
        return await readFile(resolve(root, path), 'utf8');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
        throw error;
      }
    },
    firebaseCliInstalled: () => firebaseCliPath() !== null,
    // Vite's own loader: web/.env, .env.local, .env.production, .env.production.local and
    // VITE_* variables of the environment, as `vite build` will see them.
    webEnv: () => {
      const loaded = loadEnv('production', join(root, 'web'), 'VITE_');
      for (const [key, value] of Object.entries(env)) {
        if (key.startsWith('VITE_') && value !== undefined) loaded[key] = value;
      }
      return loaded;
    },
    readPoolConfig: readPoolConfigFromDatabase,
    secretIsSet: async (project, name) => {
      // Where the deploy's identity may not read Secret Manager (CI, an offline dry run), the
      // secrets known to be set can be named instead: VMPOOL_DEPLOY_SECRETS_SET=A,B.
      const known = (env.VMPOOL_DEPLOY_SECRETS_SET ?? '').split(',').map((item) => item.trim());
      if (known.includes(name)) return true;
      const cli = firebaseCliPath();
      if (cli === null) throw new Error('the firebase CLI is not installed');
      const result = spawnSync(
        process.execPath,
        [cli, 'functions:secrets:get', name, '--project', project, '--non-interactive'],
        { cwd: root, encoding: 'utf8', timeout: 60_000 },
      );
      if (result.error) throw result.error;
      if (result.status === 0) return true;
      const text = `${result.stdout}${result.stderr}`;
      if (/not found|does not exist|NOT_FOUND|404/i.test(text)) return false;
      throw new Error(text.trim().split('\n').slice(-3).join(' ') || `exit ${result.status}`);
    },
  };
}
