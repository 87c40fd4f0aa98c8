/**
 * Screenshots of every page against a seeded local stack: the local RTDB server with the
 * project's rules, the Firebase Auth emulator (firebase-tools, Java 21+), a stand-in show
 * server, the Vite dev server and Debian Chromium. Output: test-artifacts/web/*.png.
 *
 *   npm run screenshots -w @vmpool/web
 */
import { startRtdbServer } from '@vmpool/local/rtdb';
import { startShowServer } from '@vmpool/local/show-server';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Page } from 'playwright-core';
import { createServer as createViteServer } from 'vite';
import { seedDemo } from './seed';

const WEB_DIR = join(dirname(fileURLToPath(import.meta.url)), '..');
const REPO_DIR = join(WEB_DIR, '..');
const OUT_DIR = join(REPO_DIR, 'test-artifacts', 'web');
const NAMESPACE = 'demo-vmpool';
const PASSWORD = 'vmpool-demo';
const JAVA_HOME = process.env.JAVA_HOME ?? '/usr/lib/jvm/temurin-25-jdk-amd64';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createNetServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address !== null
          ? resolve(address.port)
          : reject(new Error('no port')),
      );
    });
  });
}

async function waitForHttp(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      await fetch(url);
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
  }
  throw new Error(`${url} did not answer within ${timeoutMs} ms`);
}

async function startAuthEmulator(port: number): Promise<ChildProcess> {
  const configDir = mkdtempSync(join(tmpdir(), 'vmpool-auth-'));
  writeFileSync(
    join(configDir, 'firebase.json'),
    JSON.stringify({
      emulators: {
        auth: { host: '127.0.0.1', port },
        ui: { enabled: false },
        singleProjectMode: true,
      },
    }),
  );
  const child = spawn(
    join(REPO_DIR, 'node_modules', '.bin', 'firebase'),
    [
      'emulators:start',
      '--only',
      'auth',
      '--project',
      NAMESPACE,
      '--config',
      join(configDir, 'firebase.json'),
    ],
    {
      cwd: configDir,
      env: { ...process.env, JAVA_HOME, PATH: `${JAVA_HOME}/bin:${process.env.PATH ?? ''}` },
      stdio: 'ignore',
      detached: true,
    },
  );
  await waitForHttp(`http://127.0.0.1:${port}/`, 60_000);
  return child;
}

async function createUsers(authPort: number): Promise<{ adminUid: string; producerUid: string }> {
  process.env.FIREBASE_AUTH_EMULATOR_HOST = `127.0.0.1:${authPort}`;
  // The admin SDK creates the demo accounts, as the local stack does.
  const { initializeApp } = await import('firebase-admin/app');
  const { getAuth } = await import('firebase-admin/auth');
  const auth = getAuth(initializeApp({ projectId: NAMESPACE }, 'screenshot-auth'));
  const admin = await auth.createUser({
    email: 'admin@vmpool.local',
    password: PASSWORD,
    displayName: 'Crew Admin',
  });
  await auth.setCustomUserClaims(admin.uid, { admin: true });
  const producer = await auth.createUser({
    email: 'producer@vmpool.local',
    password: PASSWORD,
    displayName: 'Producer',
  });
  await auth.setCustomUserClaims(producer.uid, { producer: true });
  return { adminUid: admin.uid, producerUid: producer.uid };
}

async function signIn(page: Page, baseUrl: string, email: string) {
  await page.goto(baseUrl);
  await page.getByLabel('Email', { exact: true }).fill(email);
  await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.getByRole('button', { name: 'Sign out' }).waitFor({ timeout: 20_000 });
}

async function shoot(
  page: Page,
  name: string,
  path: string,
  baseUrl: string,
  ready: () => Promise<unknown>,
) {
  await page.evaluate((to) => {
    window.history.pushState(null, '', to);
    window.dispatchEvent(new PopStateEvent('popstate'));
  }, path);
  void baseUrl;
  await ready();
  await page.waitForTimeout(600);
  await page.screenshot({ path: join(OUT_DIR, `${name}.png`), fullPage: true });
  console.log(`saved ${name}.png`);
}

async function main() {
  mkdirSync(OUT_DIR, { recursive: true });
  const cleanups: (() => Promise<unknown> | void)[] = [];
  try {
    // The web app's origin is the only one whose pages may sign in to the RTDB server.
    const webPort = await freePort();
    const rtdb = await startRtdbServer({
      port: 0,
      quiet: true,
      rules: join(REPO_DIR, 'database.rules.json'),
      allowedOrigins: [`http://127.0.0.1:${webPort}`, `http://localhost:${webPort}`],
    });
    cleanups.push(() => rtdb.stop());
    const show = await startShowServer({ port: 0 });
    cleanups.push(() => show.stop());

    const authPort = await freePort();
    const auth = await startAuthEmulator(authPort);
    cleanups.push(() => {
      if (auth.pid !== undefined) process.kill(-auth.pid, 'SIGINT');
    });
    const { producerUid } = await createUsers(authPort);

    const { initializeApp } = await import('firebase-admin/app');
    const { getDatabase } = await import('firebase-admin/database');
    const controlPlane = getDatabase(
      initializeApp({ projectId: NAMESPACE, databaseURL: rtdb.databaseUrl(NAMESPACE) }, 'seed'),
    );
    await seedDemo(controlPlane, {
      now: Date.now(),
      liveShowAddress: `127.0.0.1:${show.port}`,
      producerUid,
    });

    Object.assign(process.env, {
      VITE_USE_EMULATORS: 'true',
      VITE_AUTH_EMULATOR_HOST: `127.0.0.1:${authPort}`,
      VITE_DATABASE_EMULATOR_HOST: `127.0.0.1:${rtdb.port}`,
      VITE_DATABASE_NAMESPACE: NAMESPACE,
      VMPOOL_WEB_PORT: String(webPort),
    });
    const vite = await createViteServer({
      root: WEB_DIR,
      configFile: join(WEB_DIR, 'vite.config.ts'),
      logLevel: 'warn',
    });
    await vite.listen();
    cleanups.push(() => vite.close());
    const baseUrl =
      vite.resolvedUrls?.local[0] ?? `http://127.0.0.1:${process.env.VMPOOL_WEB_PORT}/`;

    const browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    cleanups.push(() => browser.close());

    const signInPage = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    await signInPage.goto(baseUrl);
    await signInPage.getByLabel('Email', { exact: true }).waitFor();
    await signInPage.screenshot({ path: join(OUT_DIR, 'sign-in.png') });
    console.log('saved sign-in.png');

    const admin = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
    admin.on('pageerror', (error) => console.error('page error:', error.message));
    await signIn(admin, baseUrl, 'admin@vmpool.local');
    await shoot(admin, 'admin-competitions', '/', baseUrl, () =>
      admin
        .getByRole('article', { name: /Competition/ })
        .first()
        .waitFor(),
    );
    await shoot(admin, 'admin-vm-pool', '/admin/vm-pool', baseUrl, () =>
      admin.getByRole('article', { name: 'VM vm-001' }).waitFor(),
    );
    await admin.getByRole('button', { name: 'Pool configuration' }).click();
    await admin.getByLabel('Warm VMs (minimum)').fill('9');
    await admin.getByLabel('AMI id').fill('ami-123');
    await admin.getByRole('button', { name: 'Save configuration' }).click();
    await admin
      .getByLabel('Pool configuration')
      .screenshot({ path: join(OUT_DIR, 'admin-pool-config-errors.png') });
    console.log('saved admin-pool-config-errors.png');
    const card = admin.getByRole('article', { name: 'VM vm-002' });
    await card.getByRole('button', { name: 'Console' }).click();
    await card.getByRole('button', { name: 'Run' }).click();
    await card.getByRole('log').waitFor();
    await admin.waitForTimeout(500);
    await card.screenshot({ path: join(OUT_DIR, 'admin-vm-card-console.png') });
    console.log('saved admin-vm-card-console.png');
    await shoot(admin, 'admin-vm-setup', '/comp-spring/vm-setup', baseUrl, () =>
      admin.getByRole('region', { name: 'Assignment' }).waitFor(),
    );
    await admin.getByRole('button', { name: /VM status:/ }).click();
    await admin.waitForTimeout(300);
    await admin.screenshot({ path: join(OUT_DIR, 'admin-vm-setup-widget.png') });
    console.log('saved admin-vm-setup-widget.png');

    const producer = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    producer.on('pageerror', (error) => console.error('page error:', error.message));
    await signIn(producer, baseUrl, 'producer@vmpool.local');
    await shoot(producer, 'producer-competitions', '/', baseUrl, () =>
      producer
        .getByRole('article', { name: /Competition/ })
        .first()
        .waitFor(),
    );
    await shoot(producer, 'producer-vm-setup-cold-start', '/comp-autumn/vm-setup', baseUrl, () =>
      producer.getByRole('region', { name: 'Assignment' }).waitFor(),
    );
    await shoot(producer, 'producer-view', '/comp-spring/producer', baseUrl, () =>
      producer.getByRole('region', { name: 'Show' }).waitFor(),
    );
  } finally {
    for (const cleanup of cleanups.reverse()) {
      try {
        await cleanup();
      } catch (error) {
        console.error('cleanup failed:', error);
      }
    }
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
