// The `vmpool` CLI as a real process: usage and reachability errors on its own, then every
// command against `npm start --headless` (local RTDB, Auth emulator, control plane, agents).
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { build } from 'esbuild';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deleteApp, initializeApp, type App } from 'firebase-admin/app';
import { getDatabase, type Database, type DataSnapshot } from 'firebase-admin/database';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  parsePoolRequest,
  parseVmCommand,
  paths,
  type Alert,
  type MonthlyCost,
} from '@vmpool/core';
import { EXIT, LOCAL_DEFAULTS } from '@vmpool/tools/cli';
import { SETTINGS } from '../../src/stack/config';
import { freePort, REPO_ROOT, startHeadless, type RunningHeadless } from './headless-stack';
import { demoIdTokenClaims } from './demo-sign-in';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * The CLI's sources (tools/src/cli/cli.ts, the bin's entry) built once into one file, which the
 * tests run with plain node: the npm bin (tools/bin/vmpool.mjs) loads every source file through
 * tsx, about a second of CPU more per run, and this file runs the CLI some fifty times. The npm
 * bin itself runs for the help, the unreachable database and `status` against the stack.
 * Under node_modules, so that node finds the packages the build leaves out.
 */
const BUNDLE = join(
  REPO_ROOT,
  'node_modules',
  '.cache',
  'vmpool-cli-test',
  `cli-${process.pid}.mjs`,
);

function vmpool(
  args: readonly string[],
  env: Record<string, string> = {},
  entry: 'bin' | 'bundle' = 'bundle',
): Promise<Run> {
  const childEnv: Record<string, string | undefined> = { ...process.env, ...env };
  delete childEnv.FIREBASE_AUTH_EMULATOR_HOST;
  delete childEnv.VMPOOL_AS;
  const file = entry === 'bin' ? 'tools/bin/vmpool.mjs' : BUNDLE;
  const child = spawn(process.execPath, [file, ...args], {
    cwd: REPO_ROOT,
    env: childEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  return new Promise((done) => child.once('close', (code) => done({ code, stdout, stderr })));
}

// The stack boots (tens of seconds, most of them the Auth emulator's) while the tests that need
// none run: its start begins with the file, the tests against it wait for it, and the file's
// last hook stops it whatever happened.
const stack = {
  dataDir: '',
  ports: { db: 0, auth: 0, control: 0 },
  starting: undefined as Promise<RunningHeadless> | undefined,
};
beforeAll(async () => {
  stack.dataDir = await mkdtemp(join(tmpdir(), 'vmpool-cli-'));
  // In place: the tests against the stack hold this object.
  Object.assign(stack.ports, {
    db: await freePort(),
    auth: await freePort(),
    control: await freePort(),
  });
  stack.starting = startHeadless(
    stack.dataDir,
    stack.ports,
    `127.0.${160 + (process.pid % 40)}`,
    300_000,
  );
  // Awaited (and its failure reported) by the tests against the stack.
  stack.starting.catch(() => undefined);
  await build({
    entryPoints: [join(REPO_ROOT, 'tools', 'src', 'cli', 'cli.ts')],
    outfile: BUNDLE,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    // Workspace sources are built in; installed packages are loaded as the bin loads them.
    external: ['firebase-admin', 'firebase-admin/*', 'zod', 'zod/*', 'jsonc-parser'],
    logLevel: 'warning',
  });
});
afterAll(async () => {
  const running = await stack.starting?.catch(() => undefined);
  await running?.stop();
  if (stack.dataDir) await rm(stack.dataDir, { recursive: true, force: true });
  await rm(BUNDLE, { force: true });
}, 120_000);

describe('vmpool CLI on its own', () => {
  it('uses the local stack defaults of npm start', () => {
    expect(LOCAL_DEFAULTS.databasePort).toEqual({
      env: SETTINGS.databasePort.env,
      fallback: SETTINGS.databasePort.fallback,
    });
    expect(LOCAL_DEFAULTS.namespace).toEqual({
      env: SETTINGS.namespace.env,
      fallback: SETTINGS.namespace.fallback,
    });
    expect(LOCAL_DEFAULTS.authPort).toEqual({
      env: SETTINGS.authPort.env,
      fallback: SETTINGS.authPort.fallback,
    });
  });

  it('--help lists every command and the exit codes; each command has its own help', async () => {
    const [help, grantHelp] = await Promise.all([
      vmpool(['--help'], {}, 'bin'),
      vmpool(['grant', '--help'], {}, 'bin'),
    ]);
    expect(help.code).toBe(EXIT.ok);
    for (const word of [
      'status',
      'assign|release',
      'exec',
      'logs',
      'alerts',
      'cost',
      'grant|revoke',
    ])
      expect(help.stdout).toContain(word);
    expect(help.stdout).toContain('Exit codes: 0 ok');
    expect(grantHelp.code).toBe(EXIT.ok);
    expect(grantHelp.stdout).toContain('vmpool grant producer EMAIL COMPETITION');
  });

  it('reports every usage problem together, with exit code 2, before connecting', async () => {
    // Independent processes: run together.
    const [run, unknown, none, grantNoCompetition, unknownOp, badUnit, badFlag] = await Promise.all(
      [
        ['assign', 'bad id', '--stop-vm', '--timeout', 'x'],
        ['frobnicate'],
        [],
        ['grant', 'producer', 'a@b.c'],
        ['exec', 'vm-001', 'rm_rf'],
        ['logs', 'vm-001', 'kernel'],
        ['status', '--bogus'],
      ].map((args) => vmpool(args)),
    );
    expect(run!.code).toBe(EXIT.usage);
    expect(run!.stderr).toContain('--timeout must be a number of seconds');
    expect(run!.stderr).toContain('COMPETITION must be 1..128 letters');
    expect(run!.stderr).toContain('--stop-vm does not apply to assign');
    expect(unknown!.code).toBe(EXIT.usage);
    expect(none!.code).toBe(EXIT.usage);
    expect(grantNoCompetition!.stderr).toContain('grant producer needs a COMPETITION');
    expect(unknownOp!.stderr).toContain('unknown OP "rm_rf"');
    expect(badUnit!.code).toBe(EXIT.usage);
    expect(badFlag!.code).toBe(EXIT.usage);
  });

  it('says when the database does not answer, with exit code 3 (and JSON with --json)', async () => {
    const port = await freePort();
    const run = await vmpool(
      ['status', '--json', '--timeout', '2'],
      { VMPOOL_DB_PORT: String(port) },
      'bin',
    );
    expect(run.code).toBe(EXIT.unreachable);
    expect(JSON.parse(run.stdout)).toMatchObject({ exitCode: 3 });
    expect(run.stderr).toContain(`127.0.0.1:${port}`);
  });
});

describe('vmpool CLI against npm start --headless', { timeout: 600_000 }, () => {
  let app: App | undefined;
  let db: Database;
  const ports = stack.ports;
  const env = (): Record<string, string> => ({
    VMPOOL_DB_PORT: String(ports.db),
    VMPOOL_AUTH_PORT: String(ports.auth),
  });
  const cli = (...args: string[]) => vmpool(args, env());
  const competition = 'state-champs-w-2026';

  beforeAll(async () => {
    await stack.starting;
    app = initializeApp(
      {
        projectId: SETTINGS.namespace.fallback,
        databaseURL: `http://127.0.0.1:${ports.db}?ns=${SETTINGS.namespace.fallback}`,
      },
      `cli-test-${process.pid}`,
    );
    db = getDatabase(app);
  }, 320_000);

  afterAll(async () => {
    if (app) await deleteApp(app);
  });

  /**
   * Resolves once the value at `path` passes `done`, or at `until` (ms since the epoch) anyway:
   * a database listener, so the waits below spawn a `vmpool` process only to check what it
   * shows once the database has it (each one costs seconds of CPU on a shared machine).
   */
  const whenValue = (path: string, done: (value: unknown) => boolean, until: number) =>
    new Promise<void>((resolve) => {
      const ref = db.ref(path);
      const finish = () => {
        clearTimeout(timer);
        ref.off('value', onValue);
        resolve();
      };
      const onValue = (snapshot: DataSnapshot) => {
        if (done(snapshot.val())) finish();
      };
      const timer = setTimeout(finish, Math.max(0, until - Date.now()));
      ref.on('value', onValue);
    });

  it('status: the demo pool by status, each VM with its address and agent', async () => {
    // The warm VMs' agents report within a few seconds of the stack being ready.
    await whenValue(
      paths.vms(),
      (vms) =>
        Object.values((vms ?? {}) as Record<string, { agent?: unknown }>).filter(
          (vm) => vm.agent != null,
        ).length >= 2,
      Date.now() + 120_000,
    );
    let body: { total: number; counts: Record<string, number>; vms: Record<string, unknown>[] };
    for (;;) {
      const run = await cli('status', '--json');
      expect(run.code).toBe(EXIT.ok);
      body = JSON.parse(run.stdout) as typeof body;
      // Both warm VMs up: agents online and the VMs available (a VM whose agent reported late
      // under load may pass through error/agent_stale and recover on its next report).
      const online = body.vms.filter((vm) => vm.agent === 'online').length;
      if (online >= 2 && body.counts.available === 2) break;
      await new Promise((r) => setTimeout(r, 1000));
    }
    expect(body.total).toBe(5);
    expect(body.counts.available).toBe(2);
    expect(body.counts.stopped, JSON.stringify(body.vms)).toBe(3);
    expect(body.vms[0]).toMatchObject({ vmId: 'vm-001', status: 'available', assignedTo: null });
    expect(body.vms[0]!.address).toMatch(/^127\.0\.\d+\.2$/);
    expect(body.vms[2]).toMatchObject({ vmId: 'vm-003', status: 'stopped', agent: 'none' });
    const text = await vmpool(['status'], env(), 'bin');
    expect(text.stdout).toContain('pool: 5 VMs (2 available, 3 stopped)');
    expect(text.stdout).toMatch(/vm-001 +available +- +127\.0\.\d+\.2 +online/);
  });

  interface StatusVm {
    vmId: string;
    status: string;
    assignedTo: string | null;
    agent: string;
  }
  const statusVms = async (): Promise<StatusVm[]> => {
    const run = await cli('status', '--json');
    expect(run.code).toBe(EXIT.ok);
    return (JSON.parse(run.stdout) as { vms: StatusVm[] }).vms;
  };
  /** Polls `vmpool status --json` until the VM (undefined: gone from the pool) passes `done`. */
  const waitForVm = async (
    vmId: string,
    done: (vm: StatusVm | undefined) => boolean,
    what: string,
  ): Promise<StatusVm | undefined> => {
    // Generous: the machine is shared; the local compute boots in about a second.
    const until = Date.now() + 240_000;
    // The database first (`done` looks at the VM's status and presence only), then the CLI.
    await whenValue(
      paths.vm(vmId),
      (raw) => {
        const vm = raw as { status?: string; assignedTo?: string | null } | null;
        return done(
          vm === null
            ? undefined
            : { vmId, status: vm.status ?? '', assignedTo: vm.assignedTo ?? null, agent: '' },
        );
      },
      until,
    );
    let last: StatusVm | undefined;
    for (;;) {
      last = (await statusVms()).find((vm) => vm.vmId === vmId);
      if (done(last)) return last;
      if (Date.now() > until)
        throw new Error(`${vmId} never became ${what}; last: ${JSON.stringify(last)}`);
      await new Promise((r) => setTimeout(r, 1000));
    }
  };

  it('grant and revoke: custom claims in Auth and producerAccess in the database', async () => {
    const email = 'producer@vmpool.local';
    const granted = await cli('grant', 'admin', email, '--json');
    expect(granted.code).toBe(EXIT.ok);
    expect(JSON.parse(granted.stdout)).toMatchObject({
      uid: 'demo-producer',
      claims: { admin: true, producer: true },
    });
    expect(await demoIdTokenClaims(ports.auth, email)).toMatchObject({
      admin: true,
      producer: true,
    });
    expect((await cli('revoke', 'admin', email)).code).toBe(EXIT.ok);
    const afterRevoke = await demoIdTokenClaims(ports.auth, email);
    expect(afterRevoke.admin).toBeUndefined();
    expect(afterRevoke.producer).toBe(true);

    const other = 'elite-qualifier-w-2027';
    expect((await cli('grant', 'producer', email, other)).code).toBe(EXIT.ok);
    expect((await db.ref(paths.producerAccessFor('demo-producer', other)).get()).val()).toBe(true);
    expect((await cli('revoke', 'producer', email, other)).code).toBe(EXIT.ok);
    expect((await db.ref(paths.producerAccessFor('demo-producer', other)).get()).exists()).toBe(
      false,
    );
    // The others are kept, and so is the claim.
    expect((await db.ref(paths.producerAccessFor('demo-producer', competition)).get()).val()).toBe(
      true,
    );
    expect((await demoIdTokenClaims(ports.auth, email)).producer).toBe(true);

    const unknownUser = await cli('grant', 'admin', 'nobody@vmpool.local');
    expect(unknownUser.code).toBe(EXIT.failed);
    expect(unknownUser.stderr).toContain('no such user');
    const unknownCompetition = await cli('grant', 'producer', email, 'no-such-meet');
    expect(unknownCompetition.code).toBe(EXIT.failed);
    expect(unknownCompetition.stderr).toContain('no competition no-such-meet');
  });

  it('assign and release: the web app request rows, progress steps live, exit code by result', async () => {
    const assign = await cli('assign', competition);
    expect(assign.stderr).toBe('');
    expect(assign.code).toBe(EXIT.ok);
    const requestId = /request (\S+): assign/.exec(assign.stdout)?.[1];
    expect(requestId).toBeDefined();
    expect(assign.stdout).toMatch(/step Check request: done/);
    expect(assign.stdout).toMatch(/\[100%\] succeeded/);
    const vmId = /succeeded: (vm-\d+) at /.exec(assign.stdout)?.[1];
    expect(vmId).toBeDefined();
    const row = (await db.ref(paths.request(requestId!)).get()).val() as Record<string, unknown>;
    const { result: _result, ...request } = row;
    expect(parsePoolRequest(request)).toMatchObject({
      ok: true,
      value: { action: 'assign', competitionId: competition, requestedBy: 'demo-admin' },
    });

    const status = JSON.parse((await cli('status', '--json')).stdout) as {
      vms: { vmId: string; assignedTo: string | null; status: string }[];
    };
    expect(status.vms.find((vm) => vm.vmId === vmId)).toMatchObject({
      status: 'assigned',
      assignedTo: competition,
    });

    // A producer may release their own competition.
    const release = await cli('release', competition, '--as', 'producer@vmpool.local', '--json');
    expect(release.code).toBe(EXIT.ok);
    expect(JSON.parse(release.stdout)).toMatchObject({
      result: { state: 'succeeded', vmId },
    });
    const again = await cli('release', competition);
    expect(again.code).toBe(EXIT.failed);
    expect(again.stdout).toContain('failed: NOT_ASSIGNED');
  });

  it('VM actions need an admin; a refused action fails with its reason', async () => {
    const producer = await cli('stop', 'vm-001', '--as', 'producer@vmpool.local');
    expect(producer.code).toBe(EXIT.unreachable);
    expect(producer.stderr).toContain('is not an admin');
    // Rebooting a VM that is stopped is refused by the state machine.
    const status = JSON.parse((await cli('status', '--json')).stdout) as {
      vms: { vmId: string; status: string }[];
    };
    const stopped = status.vms.find((vm) => vm.status === 'stopped');
    expect(stopped).toBeDefined();
    const reboot = await cli('reboot', stopped!.vmId);
    expect(reboot.code).toBe(EXIT.failed);
    expect(reboot.stdout).toContain('failed: INVALID_STATE');
    // Recover is for a VM in error only.
    const recover = await cli('recover', stopped!.vmId);
    expect(recover.code).toBe(EXIT.failed);
    expect(recover.stdout).toMatch(/request \S+: recover vm-/);
    expect(recover.stdout).toContain('failed: ');
  });

  it('exec and logs: command rows run by the agent, output shown', async () => {
    const exec = await cli('exec', 'vm-002', 'check_services');
    expect(exec.code).toBe(EXIT.ok);
    expect(exec.stdout).toContain('show-server.service - active');
    expect(exec.stdout).toMatch(/succeeded \(exit 0, /);
    const commandId = /command (\S+): check_services/.exec(exec.stdout)?.[1];
    const row: unknown = (await db.ref(paths.command('vm-002', commandId!)).get()).val();
    expect(parseVmCommand(row)).toMatchObject({
      ok: true,
      value: { op: 'check_services', requestedBy: 'demo-admin', status: 'succeeded' },
    });

    const logs = await cli('logs', 'vm-002', 'agent', '--lines', '20', '--json');
    expect(logs.code).toBe(EXIT.ok);
    const body = JSON.parse(logs.stdout) as {
      command: { args: unknown; output: { stdout: string } };
    };
    expect(body.command.args).toEqual({ unit: 'agent', lines: 20 });
    expect(body.command.output.stdout).toContain('check_services');

    const missing = await cli('exec', 'vm-099', 'system_info');
    expect(missing.code).toBe(EXIT.failed);
    expect(missing.stderr).toContain('no VM vm-099');
  });

  it('alerts and alerts ack', async () => {
    const now = Date.now();
    const alert: Alert = {
      id: 'cli-test-alert',
      level: 'warning',
      category: 'vm',
      title: 'CLI test alert',
      message: 'written by the CLI test',
      timestamp: now,
      createdAt: now,
      sourceId: 'cli-test',
      acknowledged: false,
      acknowledgedBy: null,
      acknowledgedAt: null,
      resolved: false,
      resolvedAt: null,
      autoResolve: false,
    };
    await db.ref(paths.alert(competition, alert.id)).set(alert);
    const list = await cli('alerts', '--competition', competition, '--json');
    expect(list.code).toBe(EXIT.ok);
    const listed = JSON.parse(list.stdout) as { alerts: { id: string; scope: string }[] };
    expect(listed.alerts).toContainEqual(
      expect.objectContaining({ id: alert.id, scope: competition }),
    );
    expect((await cli('alerts')).stdout).toContain('CLI test alert');

    const ack = await cli('alerts', 'ack', alert.id);
    expect(ack.code).toBe(EXIT.ok);
    expect((await db.ref(paths.alert(competition, alert.id)).get()).val()).toMatchObject({
      acknowledged: true,
      acknowledgedBy: 'demo-admin',
      resolved: false,
    });
    expect((await cli('alerts')).stdout).toMatch(/CLI test alert \(acked\)/);
    const unknown = await cli('alerts', 'ack', 'no-such-alert');
    expect(unknown.code).toBe(EXIT.failed);
  });

  it('cost: says when a month has no figures, shows them when it has', async () => {
    const empty = await cli('cost', '--month', '2020-01');
    expect(empty.code).toBe(EXIT.ok);
    expect(empty.stdout).toContain('no cost figures for 2020-01');
    const figures: MonthlyCost = {
      month: '2020-02',
      currency: 'USD',
      through: Date.UTC(2020, 1, 29),
      updatedAt: Date.UTC(2020, 1, 29),
      total: { usd: 12.5, billableSeconds: 36_000 },
      idle: { usd: 2.5, billableSeconds: 7200 },
      competitions: {
        [competition]: { usd: 10, billableSeconds: 28_800, vms: {} },
      },
      vms: {
        'vm-001': {
          usd: 12.5,
          billableSeconds: 36_000,
          instanceType: 'g4dn.xlarge',
          idleSeconds: 7200,
          idleUsd: 2.5,
        },
      },
      days: {},
      unpriced: { billableSeconds: 0, instanceTypes: [] },
    };
    await db.ref(paths.monthlyCost('2020-02')).set(figures);
    const shown = await cli('cost', '--month', '2020-02');
    expect(shown.code).toBe(EXIT.ok);
    expect(shown.stdout).toContain('2020-02: $12.50 for 10.0 h (idle $2.50, 2.0 h)');
    expect(shown.stdout).toMatch(new RegExp(`${competition} +\\$10\\.00`));
    const json = JSON.parse((await cli('cost', '--month', '2020-02', '--json')).stdout) as {
      cost: MonthlyCost;
    };
    expect(json.cost.total.usd).toBe(12.5);
  });

  // Launch first, so that stopping a warm VM leaves the warm minimum (2) met and the reconcile
  // does not start a stopped VM meanwhile; the launched VM is terminated last.
  let launchedVm = '';
  let poolBefore: string[] = [];
  const launchConfig = { subnetId: '', securityGroupId: '', maxTotalVMs: 0 };

  it('launch: a new VM joins the pool and becomes available', async () => {
    poolBefore = (await statusVms()).map((vm) => vm.vmId);
    // The demo config has no subnet or security group and is full (maxTotalVMs 5).
    const config = (await db.ref(paths.poolConfig()).get()).val() as typeof launchConfig;
    Object.assign(launchConfig, {
      subnetId: config.subnetId,
      securityGroupId: config.securityGroupId,
      maxTotalVMs: config.maxTotalVMs,
    });
    await db.ref(paths.poolConfig()).update({
      subnetId: 'subnet-0123456789abcdef0',
      securityGroupId: 'sg-0123456789abcdef0',
      maxTotalVMs: poolBefore.length + 1,
    });
    const launch = await cli('launch', '--json');
    expect(launch.stderr).toBe('');
    expect(launch.code).toBe(EXIT.ok);
    const launched = JSON.parse(launch.stdout) as { result: { state: string; vmId?: string } };
    expect(launched.result.state).toBe('succeeded');
    launchedVm = launched.result.vmId ?? '';
    expect(launchedVm).toMatch(/^vm-\d+$/);
    expect(poolBefore).not.toContain(launchedVm);
    expect(
      await waitForVm(launchedVm, (vm) => vm?.status === 'available', 'available'),
    ).toMatchObject({ status: 'available', assignedTo: null });
  });

  it('stop then start a free warm VM: stopped, then available again', async () => {
    const free = (await statusVms()).find(
      (vm) => vm.status === 'available' && vm.assignedTo === null && vm.vmId !== launchedVm,
    );
    expect(free).toBeDefined();
    const vmId = free!.vmId;

    const stop = await cli('stop', vmId, '--json');
    expect(stop.stderr).toBe('');
    expect(stop.code).toBe(EXIT.ok);
    expect(JSON.parse(stop.stdout)).toMatchObject({ result: { state: 'succeeded', vmId } });
    expect(await waitForVm(vmId, (vm) => vm?.status === 'stopped', 'stopped')).toMatchObject({
      status: 'stopped',
      assignedTo: null,
    });
    expect((await db.ref(paths.vm(vmId)).get()).val()).toMatchObject({ status: 'stopped' });

    const start = await cli('start', vmId);
    expect(start.stderr).toBe('');
    expect(start.code).toBe(EXIT.ok);
    expect(start.stdout).toMatch(new RegExp(`request \\S+: start ${vmId}`));
    expect(start.stdout).toContain(`succeeded: ${vmId}`);
    // available once its agent reports ready again
    expect(await waitForVm(vmId, (vm) => vm?.status === 'available', 'available')).toMatchObject({
      status: 'available',
      assignedTo: null,
    });
  });

  it('terminate: the launched VM leaves the pool once the compute reports it terminated', async () => {
    expect(launchedVm).not.toBe('');
    const terminate = await cli('terminate', launchedVm);
    expect(terminate.stderr).toBe('');
    expect(terminate.code).toBe(EXIT.ok);
    expect(terminate.stdout).toContain(`succeeded: ${launchedVm}`);
    expect(await waitForVm(launchedVm, (vm) => vm === undefined, 'removed from the pool')).toBe(
      undefined,
    );
    expect((await db.ref(paths.vm(launchedVm)).get()).exists()).toBe(false);
    expect((await statusVms()).map((vm) => vm.vmId)).toEqual(poolBefore);
    await db.ref(paths.poolConfig()).update(launchConfig);
  });
});
