// The CLI and persistence: `listening on` line, restart with --data, SIGTERM
// saves, SIGHUP and file changes reload rules.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRtdbServer } from '../../src/rtdb/index';
import { Clients, freshNs, isExternal, sleep, waitFor, type TestServer } from './helpers';
import { adminClient, webClient } from './sdk';

const CLI = fileURLToPath(new URL('../../src/rtdb/cli.ts', import.meta.url));
// Created in beforeAll: hooks do not run when every test is skipped (external server).
let dir = '';
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'rtdb-cli-'));
});
const running: ChildProcess[] = [];

afterAll(() => {
  for (const child of running) if (child.exitCode === null) child.kill('SIGKILL');
  if (dir !== '') rmSync(dir, { recursive: true, force: true });
});

interface Cli {
  readonly child: ChildProcess;
  readonly port: number;
  readonly server: TestServer;
}

let cliStderr = '';

async function startCli(args: string[]): Promise<Cli> {
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, '--port', '0', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.push(child);
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    let err = '';
    child.stderr?.on('data', (d: Buffer) => {
      err += d.toString();
      cliStderr += d.toString();
    });
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /^listening on 127\.0\.0\.1:(\d+)$/m.exec(out);
      if (m) resolve(Number(m[1]));
    });
    child.on('exit', (code) => reject(new Error(`cli exited (${code}): ${err}`)));
  });
  const server: TestServer = {
    host: '127.0.0.1',
    port,
    external: false,
    local: null,
    databaseUrl: (ns) => `http://127.0.0.1:${port}?ns=${ns}`,
    setRules: async () => undefined,
    stop: async () => undefined,
  };
  return { child, port, server };
}

function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

describe.skipIf(isExternal)('CLI', () => {
  it('keeps data across a SIGTERM restart with --data, for every namespace', async () => {
    const data = join(dir, 'data.json');
    const first = await startCli(['--data', data, '--quiet']);
    const c1 = new Clients(first.server);
    const a = adminClient(c1.admin('alpha'));
    const b = webClient(c1.web('beta'));
    await a.set('vmPool/vms/vm-1', { status: 'ready', n: 1 });
    await a.setWithPriority('ordered/x', 'x', 5);
    await b.set('other', 'beta-only');
    await c1.closeAll();
    first.child.kill('SIGTERM');
    expect(await exited(first.child)).toBe(0);
    expect(JSON.parse(readFileSync(data, 'utf8')).namespaces.alpha.vmPool.vms['vm-1'].status).toBe(
      'ready',
    );

    const second = await startCli(['--data', data, '--quiet']);
    const c2 = new Clients(second.server);
    const a2 = adminClient(c2.admin('alpha'));
    expect((await a2.get('vmPool/vms/vm-1')).val).toEqual({ status: 'ready', n: 1 });
    expect((await a2.get('ordered/x')).priority).toBe(5);
    expect((await a2.get('other')).exists).toBe(false);
    expect((await webClient(c2.web('beta')).get('other')).val).toBe('beta-only');
    await c2.closeAll();
    second.child.kill('SIGINT');
    expect(await exited(second.child)).toBe(0);
  }, 30_000);

  it('stops (saving data) when the process that launched it dies, like `npm run` on SIGTERM', async () => {
    const data = join(dir, 'orphan.json');
    const command = `"${process.execPath}" --import tsx "${CLI}" --port 0 --quiet --data "${data}"; true`;
    const shell = spawn('sh', ['-c', command], { stdio: ['ignore', 'pipe', 'pipe'] });
    running.push(shell);
    const port = await new Promise<number>((resolve, reject) => {
      let out = '';
      shell.stdout?.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /listening on 127\.0\.0\.1:(\d+)/.exec(out);
        if (m) resolve(Number(m[1]));
      });
      shell.on('exit', (code) => reject(new Error(`shell exited (${code})`)));
    });
    const res = await fetch(`http://127.0.0.1:${port}/a.json?ns=orphan`, {
      method: 'PUT',
      headers: { Authorization: 'Bearer owner' },
      body: '"kept"',
    });
    expect(res.status).toBe(200);
    shell.kill('SIGTERM');
    await waitFor(
      async () =>
        !(await fetch(`http://127.0.0.1:${port}/`).then(
          () => true,
          () => false,
        )),
      10_000,
      'server stopped',
    );
    expect(JSON.parse(readFileSync(data, 'utf8')).namespaces.orphan).toEqual({ a: 'kept' });
  }, 20_000);

  it('reloads rules on SIGHUP and when the rules file changes', async () => {
    const rulesFile = join(dir, 'rules.json');
    const deny = { rules: { '.read': false, '.write': false } };
    const allowOpen = { rules: { open: { '.read': true, '.write': true } } };
    writeFileSync(rulesFile, JSON.stringify(deny));
    const cli = await startCli(['--rules', rulesFile]);
    const clients = new Clients(cli.server);
    const web = webClient(clients.web(freshNs()));
    const canWrite = (): Promise<boolean> =>
      web.set('open/x', Date.now()).then(
        () => true,
        () => false,
      );
    expect(await canWrite()).toBe(false);
    writeFileSync(rulesFile, JSON.stringify(allowOpen));
    await waitFor(canWrite, 5000, 'file-change reload');
    writeFileSync(rulesFile, '// comment\n' + JSON.stringify(deny));
    await waitFor(async () => !(await canWrite()), 5000, 'second reload');
    writeFileSync(rulesFile, JSON.stringify(allowOpen));
    await waitFor(canWrite, 5000, 'third reload');
    cli.child.kill('SIGHUP');
    await waitFor(() => cliStderr.includes('rules reloaded (SIGHUP)'), 5000, 'SIGHUP reload');
    expect(await canWrite()).toBe(true);
    await clients.closeAll();
    cli.child.kill('SIGTERM');
    expect(await exited(cli.child)).toBe(0);
  }, 30_000);
});

describe.skipIf(isExternal)('startRtdbServer persistence', () => {
  it('saves periodically and on stop, and loads at start', async () => {
    const data = join(dir, 'inproc.json');
    const s1 = await startRtdbServer({ port: 0, quiet: true, data, saveIntervalMs: 50 });
    const c1 = new Clients({
      host: '127.0.0.1',
      port: s1.port,
      external: false,
      local: s1,
      databaseUrl: s1.databaseUrl,
      setRules: async () => undefined,
      stop: () => s1.stop(),
    });
    await adminClient(c1.admin('ns1')).set('a', { b: 1 });
    await waitFor(() => {
      try {
        return JSON.parse(readFileSync(data, 'utf8')).namespaces.ns1.a.b === 1;
      } catch {
        return false;
      }
    });
    await c1.closeAll();
    await s1.stop();
    const s2 = await startRtdbServer({ port: 0, quiet: true, data });
    expect(s2.exportData('ns1')).toEqual({ a: { b: 1 } });
    s2.importData('ns1', { seeded: { '.value': true, '.priority': 1 } });
    expect(s2.exportData('ns1')).toEqual({ seeded: { '.value': true, '.priority': 1 } });
    s2.importData('ns1', null);
    expect(s2.exportData('ns1')).toBeNull();
    await s2.stop();
    await sleep(1);
  });
});
