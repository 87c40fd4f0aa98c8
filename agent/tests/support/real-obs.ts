// The real thing for the real-OBS tests (agent/tests/real-obs.test.ts, state-real-obs.test.ts): Debian's OBS Studio 29 headless under its
// own Xvfb, with a private HOME holding a profile (Simple output, x264, 640x360 at 30 fps,
// custom RTMP server) and obs-websocket on a free port with a password; and an ffmpeg RTMP
// listener as the ingest. Every process runs in its own process group and is stopped by
// pid, never by name.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ObsClient } from '../../src/obs/client';
import { freePort } from './ports';
import { stopGroup } from './process-group';

export const REAL_OBS_PROGRAMS = ['obs', 'Xvfb', 'ffmpeg'] as const;

/** Fails with one clear message when OBS, Xvfb or ffmpeg is not installed. */
export function assertRealObsPrerequisites(): void {
  const missing = REAL_OBS_PROGRAMS.filter(
    (program) => spawnSync('sh', ['-c', `command -v ${program}`]).status !== 0,
  );
  if (missing.length > 0) {
    throw new Error(
      `the real-OBS tests need ${missing.join(', ')} on PATH: apt-get install obs-studio xvfb ffmpeg (.ci/run installs them)`,
    );
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Whether something listens at `port`, or has already accepted on it (`ffmpeg -listen 1`
 * closes its listening socket once OBS, retrying, connects), from /proc: no probe connection
 * that would use up ffmpeg's one accept.
 */
async function listening(port: number): Promise<boolean> {
  const hex = port.toString(16).toUpperCase().padStart(4, '0');
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    const table = await readFile(file, 'utf8').catch(() => '');
    for (const line of table.split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      // st 0A: LISTEN, 01: ESTABLISHED (on the local side of the port).
      if (fields[1]?.endsWith(`:${hex}`) && (fields[3] === '0A' || fields[3] === '01')) return true;
    }
  }
  return false;
}

export async function waitUntilListening(
  port: number,
  timeoutMs: number,
  alive: () => boolean,
): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (await listening(port)) return;
    if (!alive()) throw new Error(`the process for port ${port} exited before listening`);
    await sleep(200);
  }
  throw new Error(`nothing listened on port ${port} within ${timeoutMs} ms`);
}

export interface Managed {
  child: ChildProcess;
  output(): string;
  alive(): boolean;
  /** Signals the process group; resolves when the leader has exited. */
  kill(signal?: NodeJS.Signals): Promise<void>;
}

function manage(child: ChildProcess): Managed {
  let output = '';
  const append = (chunk: Buffer): void => {
    output = (output + chunk.toString()).slice(-20_000);
  };
  child.stdout?.on('data', append);
  child.stderr?.on('data', append);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const alive = () => child.exitCode === null && child.signalCode === null;
  return {
    child,
    output: () => output,
    alive,
    async kill(signal = 'SIGKILL') {
      if (!alive()) return;
      await stopGroup(child, exited, signal);
    },
  };
}

/** An X server of its own (-displayfd picks a free display number). */
export async function startXvfb(): Promise<Managed & { display: string }> {
  const child = spawn(
    'Xvfb',
    ['-displayfd', '3', '-screen', '0', '1280x720x24', '-nolisten', 'tcp'],
    {
      stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
      detached: true,
    },
  );
  const managed = manage(child);
  const fd3 = child.stdio[3] as NodeJS.ReadableStream | null;
  if (!fd3) throw new Error('Xvfb: no display pipe');
  const display = await new Promise<string>((resolve, reject) => {
    let text = '';
    const timer = setTimeout(
      () => reject(new Error(`Xvfb gave no display in 30 s:\n${managed.output()}`)),
      30_000,
    );
    fd3.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      const match = /^(\d+)\n/.exec(text);
      if (match) {
        clearTimeout(timer);
        resolve(`:${match[1]}`);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`Xvfb exited (${String(code)}):\n${managed.output()}`));
    });
  });
  return Object.assign(managed, { display });
}

export interface ObsSettings {
  websocketPort: number;
  password: string;
  ingestUrl: string;
  streamKey: string;
}

/**
 * A HOME with OBS 29's settings: websocket in global.ini `[OBSWebSocket]`, `FirstRun=true`
 * (without it, or a LastVersion, OBS opens its auto-configuration wizard, which turns the
 * outputs off), and a profile for a small x264 stream to the ingest.
 */
export async function writeObsHome(home: string, settings: ObsSettings): Promise<void> {
  const config = join(home, '.config/obs-studio');
  const profile = join(config, 'basic/profiles/vmpool');
  await mkdir(profile, { recursive: true });
  await mkdir(join(config, 'basic/scenes'), { recursive: true });
  await writeFile(
    join(config, 'global.ini'),
    [
      '[General]',
      'FirstRun=true',
      'EnableAutoUpdates=false',
      '',
      '[Basic]',
      'Profile=vmpool',
      'ProfileDir=vmpool',
      'SceneCollection=vmpool',
      'SceneCollectionFile=vmpool',
      '',
      '[BasicWindow]',
      'SysTrayEnabled=true',
      'SysTrayWhenStarted=true',
      '',
      '[OBSWebSocket]',
      'ServerEnabled=true',
      `ServerPort=${settings.websocketPort}`,
      'AuthRequired=true',
      `ServerPassword=${settings.password}`,
      'AlertsEnabled=false',
      '',
    ].join('\n'),
  );
  await writeFile(
    join(profile, 'basic.ini'),
    [
      '[General]',
      'Name=vmpool',
      '',
      '[Output]',
      'Mode=Simple',
      '',
      '[SimpleOutput]',
      'StreamEncoder=x264',
      'VBitrate=800',
      'ABitrate=96',
      'Preset=veryfast',
      '',
      '[Video]',
      'BaseCX=640',
      'BaseCY=360',
      'OutputCX=640',
      'OutputCY=360',
      'FPSType=0',
      'FPSCommon=30',
      '',
    ].join('\n'),
  );
  await writeFile(
    join(profile, 'service.json'),
    JSON.stringify({
      type: 'rtmp_custom',
      settings: { server: settings.ingestUrl, key: settings.streamKey },
    }),
  );
}

export interface RealObs extends Managed {
  home: string;
  url: string;
  password: string;
  ingestPort: number;
  streamKey: string;
  /** Stops OBS (if still running) and removes its HOME. */
  dispose(): Promise<void>;
}

export async function startRealObs(display: string): Promise<RealObs> {
  const home = await mkdtemp(join(tmpdir(), 'vmpool-real-obs-'));
  const websocketPort = await freePort();
  const ingestPort = await freePort();
  const password = `pw-${process.pid}-${websocketPort}`;
  const streamKey = 'vmpool-test';
  await writeObsHome(home, {
    websocketPort,
    password,
    ingestUrl: `rtmp://127.0.0.1:${ingestPort}/live`,
    streamKey,
  });
  const child = spawn(
    'obs',
    ['--minimize-to-tray', '--disable-updater', '--disable-shutdown-check'],
    {
      cwd: home,
      env: { ...process.env, HOME: home, DISPLAY: display, LIBGL_ALWAYS_SOFTWARE: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    },
  );
  const managed = manage(child);
  try {
    await waitUntilListening(websocketPort, 150_000, managed.alive);
  } catch (error) {
    await managed.kill();
    await rm(home, { recursive: true, force: true });
    throw new Error(`OBS did not start: ${(error as Error).message}\n${managed.output()}`);
  }
  return Object.assign(managed, {
    home,
    url: `ws://127.0.0.1:${websocketPort}`,
    password,
    ingestPort,
    streamKey,
    async dispose() {
      await managed.kill();
      await rm(home, { recursive: true, force: true });
    },
  });
}

/** `ffmpeg -listen 1 -i rtmp://127.0.0.1:PORT/live/KEY -c copy -f null -`: accepts one stream. */
export async function startIngest(port: number, key: string): Promise<Managed> {
  const child = spawn(
    'ffmpeg',
    [
      '-hide_banner',
      '-nostdin',
      '-loglevel',
      'warning',
      '-listen',
      '1',
      '-i',
      `rtmp://127.0.0.1:${port}/live/${key}`,
      '-c',
      'copy',
      '-f',
      'null',
      '-',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'], detached: true },
  );
  const managed = manage(child);
  await waitUntilListening(port, 30_000, managed.alive);
  return managed;
}

export interface RealObsSession {
  xvfb: Managed & { display: string };
  obs: RealObs;
  /** A connection of the test's own to OBS's websocket. */
  client: ObsClient;
  /** Closes the connection, stops OBS (removing its HOME) and the X server. */
  stop(): Promise<void>;
}

/**
 * What every real-OBS test starts with: the prerequisites checked, an X server, OBS under it and
 * a first obs-websocket connection (OBS listens a moment before its websocket answers Hello:
 * the connection is retried for about 20 s).
 */
export async function startRealObsSession(options: {
  eventSubscriptions: number;
  onEvent?: (eventType: string, eventData: unknown) => void;
}): Promise<RealObsSession> {
  assertRealObsPrerequisites();
  const xvfb = await startXvfb();
  let obs: RealObs | undefined;
  try {
    obs = await startRealObs(xvfb.display);
    const started = obs;
    for (let attempt = 0; ; attempt += 1) {
      try {
        const client = await ObsClient.connect({
          url: started.url,
          password: started.password,
          eventSubscriptions: options.eventSubscriptions,
          timeoutMs: 10_000,
          ...(options.onEvent ? { onEvent: options.onEvent } : {}),
        });
        return {
          xvfb,
          obs: started,
          client,
          async stop() {
            client.close();
            await started.dispose();
            await xvfb.kill();
          },
        };
      } catch (error) {
        if (attempt >= 20) throw error;
        await sleep(1000);
      }
    }
  } catch (error) {
    await obs?.dispose();
    await xvfb.kill();
    throw error;
  }
}
