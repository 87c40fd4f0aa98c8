// A command's full life through the real agent process: queued by an admin, claimed once,
// run through the local VM's vmctl against the stand-in show server, output and outcome
// written back. Plus what must never run: injections, unknown ops, stale commands, and a
// command an earlier boot claimed.
import { existsSync } from 'node:fs';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deleteApp, initializeApp } from 'firebase/app';
import {
  connectDatabaseEmulator,
  getDatabase,
  push,
  ref,
  serverTimestamp,
  set,
} from 'firebase/database';
import {
  killAgent,
  startRegisteredAgent,
  startStack,
  waitForValue,
  type AgentProcess,
  type TestStack,
} from './support/stack';

const VM = 'vm-301';
let stack: TestStack;
let agent: AgentProcess;

beforeAll(async () => {
  stack = await startStack();
  agent = await startRegisteredAgent(stack, VM);
});
afterAll(async () => {
  await killAgent(agent);
  await stack.stop();
});

interface CommandNode {
  op: string;
  claim?: { bootId: string; at: number };
  status?: string;
  startedAt?: number;
  finishedAt?: number;
  durationMs?: number;
  exitCode?: number;
  output?: { stdout: string; stderr: string; truncated: boolean };
  reason?: string;
}

const FINAL = ['succeeded', 'failed', 'timed_out', 'rejected', 'expired'];

/** Queues a command as the control plane (admin SDK, rules bypassed: any payload). */
async function queue(fields: Record<string, unknown>): Promise<string> {
  const node = stack.admin.ref(`vmPool/commands/${VM}`).push();
  await node.set({ requestedBy: 'admin-1', requestedAt: Date.now(), ...fields });
  return node.key ?? '';
}

function finished(commandId: string): Promise<CommandNode> {
  return waitForValue<CommandNode>(
    stack.admin,
    `vmPool/commands/${VM}/${commandId}`,
    (node) => FINAL.includes(node?.status ?? ''),
    90_000,
    agent,
  );
}

describe('agent commands', () => {
  it('runs restart_obs end to end: claimed, running, OBS really restarts, succeeded with output', async () => {
    const obsStates: boolean[] = [];
    const watcher = setInterval(() => obsStates.push(stack.show.getObs().connected), 20);
    const id = await queue({ op: 'restart_obs' });
    const running = await waitForValue<CommandNode>(
      stack.admin,
      `vmPool/commands/${VM}/${id}`,
      (node) => node?.status === 'running' || FINAL.includes(node?.status ?? ''),
      60_000,
      agent,
    );
    expect(running.claim?.bootId).toMatch(/^[0-9a-f-]{36}$/);
    const done = await finished(id);
    clearInterval(watcher);
    expect(done).toMatchObject({ status: 'succeeded', exitCode: 0, output: { truncated: false } });
    expect(done.output?.stdout).toContain('systemctl restart obs-headless');
    expect(done.output?.stdout).toContain('obs-headless.service: active');
    expect(done.durationMs).toBeGreaterThan(0);
    expect(done.finishedAt).toBeGreaterThanOrEqual(done.startedAt ?? Infinity);
    // OBS went away and came back: the stand-in show server saw a real restart.
    expect(obsStates).toContain(false);
    expect(stack.show.getObs().connected).toBe(true);
  });

  it('streams output while a command runs (restart_show_server), then finishes', async () => {
    const id = await queue({ op: 'restart_show_server' });
    const midway = await waitForValue<CommandNode>(
      stack.admin,
      `vmPool/commands/${VM}/${id}`,
      (node) =>
        (node?.status === 'running' && (node.output?.stdout ?? '') !== '') ||
        FINAL.includes(node?.status ?? ''),
      60_000,
      agent,
    );
    expect(midway.status).toBe('running');
    expect(midway.output?.stdout).toContain('systemctl restart show-server');
    const done = await finished(id);
    expect(done.status).toBe('succeeded');
    expect(done.output?.stdout).toContain('show-server.service: active');
  });

  it('view_logs returns the unit journal that earlier commands wrote', async () => {
    const id = await queue({ op: 'view_logs', args: { unit: 'obs', lines: 5 } });
    const done = await finished(id);
    expect(done.status).toBe('succeeded');
    expect(done.output?.stdout).toContain('obs-headless: restart requested');
  });

  it('clear_recordings and archive_recordings act on the local VM recordings', async () => {
    const recordings = join(stack.tmp, 'vms', VM, 'recordings');
    await mkdir(recordings, { recursive: true });
    await writeFile(join(recordings, 'floor.mp4'), 'video');
    await writeFile(join(recordings, 'notes.txt'), 'keep me');
    const archive = await finished(
      await queue({ op: 'archive_recordings', args: { competitionId: 'meet-7' } }),
    );
    expect(archive.status).toBe('succeeded');
    expect(
      await readdir(join(stack.tmp, 'vms', VM, 'archive', 'local-archive', 'recordings', 'meet-7')),
    ).toEqual(['floor.mp4']);
    expect(archive.output?.stdout).toContain('upload:');
    // Idempotent: a second archive (after an interrupted release) skips what is archived.
    await writeFile(join(recordings, 'vault.mkv'), 'more video');
    const again = await finished(
      await queue({ op: 'archive_recordings', args: { competitionId: 'meet-7' } }),
    );
    expect(again.status).toBe('succeeded');
    expect(again.output?.stdout).toContain('vault.mkv');
    expect(again.output?.stdout).not.toContain('floor.mp4');
    const clear = await finished(await queue({ op: 'clear_recordings' }));
    expect(clear.status).toBe('succeeded');
    expect(clear.output?.stdout).toContain('floor.mp4');
    expect(await readdir(recordings)).toEqual(['notes.txt']);
    expect(
      (
        await readdir(
          join(stack.tmp, 'vms', VM, 'archive', 'local-archive', 'recordings', 'meet-7'),
        )
      ).sort(),
    ).toEqual(['floor.mp4', 'vault.mkv']);
  });

  it('runs the rest of the catalogue on the local VM for real', async () => {
    const checks = await finished(await queue({ op: 'check_services' }));
    expect(checks).toMatchObject({ status: 'succeeded', exitCode: 0 });
    expect(checks.output?.stdout).toContain('● nimble.service - active');

    const info = await finished(await queue({ op: 'system_info' }));
    expect(info.status).toBe('succeeded');
    expect(info.output?.stdout).toMatch(/\$ free -h[\s\S]*Mem:[\s\S]*\$ df -h \/[\s\S]*\$ uptime/);

    const reset = await finished(await queue({ op: 'reset_obs_config' }));
    expect(reset.status).toBe('succeeded');
    expect(existsSync(join(stack.tmp, 'vms', VM, 'obs-config', 'global.ini'))).toBe(true);

    const update = await finished(await queue({ op: 'update_code' }));
    expect(update.status, update.output?.stderr).toBe('succeeded');
    expect(update.output?.stdout).toContain('pull --ff-only');
    expect(update.output?.stdout).toContain('show-server.service: active');
  });

  it('rejects an injection attempt without running anything', async () => {
    const marker = join(stack.tmp, 'pwned');
    const id = await queue({ op: 'view_logs', args: { unit: `obs; touch ${marker}`, lines: 5 } });
    const done = await finished(id);
    expect(done.status).toBe('rejected');
    expect(done.reason).toMatch(/^invalid command: args\.unit/);
    expect(done.startedAt).toBeUndefined();
    expect(existsSync(marker)).toBe(false);

    // Through the rules (an admin with the web SDK), such a command cannot even be queued.
    const app = initializeApp(
      { projectId: stack.ns, databaseURL: `https://${stack.ns}.firebaseio.com` },
      `admin-web-${Date.now()}`,
    );
    const db = getDatabase(app);
    const { port } = stack.rtdb;
    connectDatabaseEmulator(db, '127.0.0.1', port, {
      mockUserToken: { sub: 'admin-1', admin: true },
    });
    try {
      const attempt = set(push(ref(db, `vmPool/commands/${VM}`)), {
        op: 'view_logs',
        args: { unit: `obs; touch ${marker}`, lines: 5 },
        requestedBy: 'admin-1',
        requestedAt: serverTimestamp(),
      });
      await expect(attempt).rejects.toThrow(/permission_denied/i);
    } finally {
      await deleteApp(app);
    }
  });

  it('rejects unknown ops and expires stale commands with a clear reason', async () => {
    const unknown = await finished(await queue({ op: 'format_disk' }));
    expect(unknown).toMatchObject({
      status: 'rejected',
      reason: 'unknown op "format_disk": not in the command catalogue',
    });
    const stale = await finished(
      await queue({ op: 'restart_obs', requestedAt: Date.now() - 10 * 60_000 }),
    );
    expect(stale.status).toBe('expired');
    expect(stale.reason).toMatch(
      /^queued \d+ s ago; restart_obs expires after 300 s and was not run$/,
    );
  });

  it('never re-runs a command an earlier boot claimed: it is marked failed instead', async () => {
    const id = await queue({
      op: 'restart_nimble',
      claim: { bootId: 'earlier-boot', at: Date.now() - 5_000 },
      status: 'running',
      startedAt: Date.now() - 5_000,
    });
    // The agent sees it when it (re)starts listening: restart the agent process.
    await killAgent(agent);
    agent = await startRegisteredAgent(stack, VM);
    const done = await finished(id);
    expect(done).toMatchObject({ status: 'failed', claim: { bootId: 'earlier-boot' } });
    expect(done.reason).toBe(
      'claimed by agent boot earlier-boot, which stopped before finishing; not re-run (at-most-once)',
    );
    expect(done.exitCode).toBeUndefined();
  });
});
