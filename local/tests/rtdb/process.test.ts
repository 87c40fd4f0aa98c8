// The server in its own process (startRtdbServerProcess, what `npm start` and the
// control-plane bench run): SDK clients, its calls over IPC, persistence across a restart,
// and its end when the process that started it dies.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deleteApp, initializeApp } from 'firebase/app';
import { get, getDatabase, ref, set } from 'firebase/database';
import {
  deleteApp as deleteAdminApp,
  initializeApp as initializeAdminApp,
} from 'firebase-admin/app';
import { getDatabase as getAdminDatabase } from 'firebase-admin/database';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRtdbServerProcess, type RtdbServerProcess } from '../../src/rtdb/index';
import { isExternal, waitFor } from './helpers';

let dir = '';
const started: RtdbServerProcess[] = [];
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'rtdb-process-'));
});
afterAll(async () => {
  for (const server of started) await server.stop();
  if (dir !== '') rmSync(dir, { recursive: true, force: true });
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe.skipIf(isExternal)('the server in its own process', () => {
  it('serves both SDKs, answers its calls and keeps its data across a restart', async () => {
    const data = join(dir, 'data.json');
    const server = await startRtdbServerProcess({
      port: 0,
      quiet: true,
      data,
      rules: { rules: { '.read': true, '.write': true } },
    });
    started.push(server);
    expect(server.pid).not.toBe(process.pid);
    expect(alive(server.pid)).toBe(true);
    expect(server.databaseUrl('p1')).toBe(`http://127.0.0.1:${server.port}?ns=p1`);

    const admin = initializeAdminApp({ databaseURL: server.databaseUrl('p1') }, 'process-admin');
    const web = initializeApp({ databaseURL: server.databaseUrl('p1') }, 'process-web');
    await getAdminDatabase(admin).ref('a').set({ b: 1 });
    expect((await get(ref(getDatabase(web), 'a/b'))).val()).toBe(1);
    await set(ref(getDatabase(web), 'w'), 'web');
    expect(await server.exportData('p1')).toEqual({ a: { b: 1 }, w: 'web' });
    expect(await server.connectionCount()).toBe(2);

    await server.importData('p1', { c: { '.value': 2, '.priority': 1 } });
    expect(await server.exportData('p1')).toEqual({ c: { '.value': 2, '.priority': 1 } });
    expect((await getAdminDatabase(admin).ref('c').get()).val()).toBe(2);

    // New rules take effect: the unauthenticated web client may no longer write.
    await server.reloadRules({ rules: { '.read': true, '.write': false } });
    await expect(set(ref(getDatabase(web), 'w'), 'again')).rejects.toThrow(/permission/i);
    await server.reloadRules({ rules: { '.read': true, '.write': true } });
    await set(ref(getDatabase(web), 'w'), 'again');

    await deleteApp(web);
    await deleteAdminApp(admin);
    await server.stop();
    expect(await server.exited).toBe(0);
    expect(alive(server.pid)).toBe(false);
    await expect(server.exportData('p1')).rejects.toThrow(/exited/);
    expect(JSON.parse(readFileSync(data, 'utf8')).namespaces.p1).toEqual({
      c: { '.value': 2, '.priority': 1 },
      w: 'again',
    });

    // Same port, same data: as the stack's database restart does.
    const again = await startRtdbServerProcess({ port: server.port, quiet: true, data });
    expect(again.port).toBe(server.port);
    started.push(again);
    expect(await again.exportData('p1')).toEqual({
      c: { '.value': 2, '.priority': 1 },
      w: 'again',
    });
    await again.stop();
  });

  it('refuses to start on a port in use, with the reason', async () => {
    const first = await startRtdbServerProcess({ port: 0, quiet: true });
    started.push(first);
    await expect(startRtdbServerProcess({ port: first.port, quiet: true })).rejects.toThrow(
      /EADDRINUSE/,
    );
    await first.stop();
  });

  it('stops, saving its data, when the process that started it dies', async () => {
    const data = join(dir, 'orphan.json');
    const parentScript = fileURLToPath(new URL('./fixtures/process-parent.ts', import.meta.url));
    const parent = spawn(process.execPath, ['--import', 'tsx', parentScript, data], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const childPid = await new Promise<number>((resolve, reject) => {
      let out = '';
      parent.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        const m = /^server pid (\d+)$/m.exec(out);
        if (m) resolve(Number(m[1]));
      });
      parent.once('exit', (code) => reject(new Error(`parent exited (${code})`)));
    });
    expect(alive(childPid)).toBe(true);
    parent.kill('SIGKILL');
    await waitFor(() => !alive(childPid), 60_000, 'the orphaned server to stop');
    expect(existsSync(data)).toBe(true);
    expect(JSON.parse(readFileSync(data, 'utf8')).namespaces.orphan).toEqual({ left: 'behind' });
  });
});
