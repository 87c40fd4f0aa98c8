import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deleteApp, initializeApp } from 'firebase-admin/app';
import { getDatabase } from 'firebase-admin/database';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { paths } from '@vmpool/core';
import { startRtdbServer, type RtdbServer } from '@vmpool/local/rtdb';
import { parseDeployArgs, type DeployArgs } from '../src/deploy/args';
import { deployFirebaseConfig, deployPlan, mergeDotenv } from '../src/deploy/plan';
import { REQUIRED_SECRETS, runPreflight, type PreflightProbes } from '../src/deploy/preflight';
import { systemProbes } from '../src/deploy/probes';
import { runSteps } from '../src/deploy/run';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));

/** The production web build settings, as web/.env.production would hold them. */
const WEB_ENV = {
  VITE_FIREBASE_API_KEY: 'AIzaSyExampleExampleExampleExample123',
  VITE_FIREBASE_AUTH_DOMAIN: 'gg-vmpool.firebaseapp.com',
  VITE_FIREBASE_PROJECT_ID: 'gg-vmpool',
  VITE_FIREBASE_DATABASE_URL: 'https://gg-vmpool-default-rtdb.firebaseio.com',
  VITE_FIREBASE_APP_ID: '1:123456789012:web:abcdef0123456789',
};

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vmpool-deploy-'));
  return () => rm(dir, { recursive: true, force: true });
});

function args(argv: string[]): DeployArgs {
  const parsed = parseDeployArgs(argv);
  if (!parsed.ok) throw new Error(parsed.errors.join('\n'));
  return parsed.args;
}

/** A deploy to gg-vmpool with the fixture infra outputs and pool config (either may change). */
function deployArgv(target: { project?: string; poolConfig?: string } = {}): string[] {
  return [
    '--project',
    target.project ?? 'gg-vmpool',
    '--outputs',
    fixture('outputs.json'),
    '--pool-config',
    target.poolConfig ?? fixture('pool-config.json'),
  ];
}

/** The real probes on a fixture directory; the secrets probe asks Google, so it is a set here. */
function probes(
  root: string,
  env: Record<string, string>,
  setSecrets: string[] = REQUIRED_SECRETS.map((secret) => secret.name),
): PreflightProbes {
  return { ...systemProbes(root, env), secretIsSet: async (_p, name) => setSecrets.includes(name) };
}

async function writeJson(name: string, value: unknown): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, JSON.stringify(value));
  return path;
}

describe('deploy preflight', () => {
  it('passes with a project, infra outputs, a complete pool config, web config and secrets', async () => {
    const result = await runPreflight(
      args(deployArgv()),
      probes(dir, WEB_ENV, ['VMPOOL_ALERT_WEBHOOK']),
      [{ name: 'VMPOOL_ALERT_WEBHOOK', purpose: 'alert webhook URL' }],
    );
    expect(result.errors).toEqual([]);
    expect(result.project).toBe('gg-vmpool');
    expect(result.outputs?.securityGroupId).toBe('sg-0fedcba9876543210');
    expect(result.poolConfig?.amiId).toBe('ami-0123456789abcdef0');
    expect(result.databaseUrl).toBe(WEB_ENV.VITE_FIREBASE_DATABASE_URL);
  });

  it('reports every problem together when nothing is set up', async () => {
    const result = await runPreflight(
      args(['--merge-rules', join(dir, 'show-controller.rules.json')]),
      probes(dir, {}),
      [
        { name: 'VMPOOL_ALERT_WEBHOOK', purpose: 'alert webhook URL' },
        { name: 'OTHER', purpose: 'x' },
      ],
    );
    expect(result.errors).toEqual([
      'Firebase project: none chosen (pass --project ID, or run npx firebase use --add once)',
      'infra outputs: infra/outputs.json not found (run npm run infra:deploy first; it writes them)',
      ...['API_KEY', 'AUTH_DOMAIN', 'PROJECT_ID', 'DATABASE_URL', 'APP_ID'].map(
        (name) =>
          `web config: VITE_FIREBASE_${name} is required (or set VITE_USE_EMULATORS=true) (set them in web/.env.production; npx firebase apps:sdkconfig WEB --project PROJECT prints them)`,
      ),
      `rules to merge: ${join(dir, 'show-controller.rules.json')} not found (the show-controller rules given with --merge-rules)`,
    ]);
  });

  it('requires the alert webhook secret (the functions declare it; none turns posts off)', async () => {
    expect(REQUIRED_SECRETS.map((secret) => secret.name)).toEqual(['VMPOOL_ALERT_WEBHOOK']);
    const result = await runPreflight(args(deployArgv()), probes(dir, WEB_ENV, []));
    expect(result.errors).toEqual([
      expect.stringMatching(
        /^secret VMPOOL_ALERT_WEBHOOK is not set \(the Discord or Slack incoming-webhook URL .*\): npx firebase functions:secrets:set VMPOOL_ALERT_WEBHOOK --project gg-vmpool$/,
      ),
    ]);
  });

  it('takes the project from .firebaserc and checks the listed secrets there', async () => {
    await writeFile(
      join(dir, '.firebaserc'),
      JSON.stringify({ projects: { default: 'gg-vmpool' } }),
    );
    const result = await runPreflight(
      args(['--outputs', fixture('outputs.json'), '--pool-config', fixture('pool-config.json')]),
      probes(dir, WEB_ENV, []),
      [{ name: 'VMPOOL_ALERT_WEBHOOK', purpose: 'alert webhook URL' }],
    );
    expect(result.project).toBe('gg-vmpool');
    expect(result.errors).toEqual([
      'secret VMPOOL_ALERT_WEBHOOK is not set (alert webhook URL): npx firebase functions:secrets:set VMPOOL_ALERT_WEBHOOK --project gg-vmpool',
    ]);
  });

  it('refuses a pool config that is incomplete or out of step with the infrastructure', async () => {
    const pool = JSON.parse(await readFile(fixture('pool-config.json'), 'utf8')) as Record<
      string,
      unknown
    >;
    const file = await writeJson('pool.json', {
      ...pool,
      amiId: '',
      awsRegion: 'eu-west-1',
      securityGroupId: 'sg-00000000000000000',
      keyPairName: 'crew-key',
      maxTotalVMs: 0,
    });
    const first = await runPreflight(args(deployArgv({ poolConfig: file })), probes(dir, WEB_ENV));
    // Field limits first: nothing else is judged on an invalid config.
    expect(first.errors).toEqual([`pool config (${file}): maxTotalVMs: must be >= 1`]);
    await writeJson('pool.json', {
      ...pool,
      amiId: '',
      awsRegion: 'eu-west-1',
      securityGroupId: 'sg-00000000000000000',
      keyPairName: 'crew-key',
      tags: { ManagedBy: 'someone-else' },
    });
    const second = await runPreflight(args(deployArgv({ poolConfig: file })), probes(dir, WEB_ENV));
    const at = `pool config (${file})`;
    expect(second.errors).toEqual([
      `${at}: amiId: must be set (launches are refused without it)`,
      `${at}: keyPairName: must be empty: there is no SSH (port 22 is closed; SSM and the agent replace it) and the control-plane role may not launch with a key pair`,
      `${at}: awsRegion: is eu-west-1, but the infrastructure's region is us-east-1`,
      `${at}: securityGroupId: is sg-00000000000000000, but the infrastructure's security group is sg-0fedcba9876543210`,
      `${at}: tags.ManagedBy: must be "vm-pool-manager" (the control-plane role acts only on instances tagged so), got "someone-else"`,
    ]);
    expect(second.poolConfig).toBeNull();
  });

  it('completes a pool config file from the infrastructure outputs', async () => {
    const file = await writeJson('pool.json', { amiId: 'ami-0123456789abcdef0', maxConcurrent: 2 });
    const result = await runPreflight(args(deployArgv({ poolConfig: file })), probes(dir, WEB_ENV));
    expect(result.errors).toEqual([]);
    expect(result.poolConfig).toMatchObject({
      amiId: 'ami-0123456789abcdef0',
      maxConcurrent: 2,
      awsRegion: 'us-east-1',
      subnetId: 'subnet-0123456789abcdef0',
      securityGroupId: 'sg-0fedcba9876543210',
      instanceProfile: 'vmpool-VmInstanceProfile-AbCdEf123456',
      tags: { Project: 'gymnastics-graphics', ManagedBy: 'vm-pool-manager' },
    });
  });

  it('refuses an emulator web build and a web config of another project', async () => {
    const emulators = await runPreflight(
      args(deployArgv()),
      probes(dir, { VITE_USE_EMULATORS: 'true' }),
    );
    expect(emulators.errors).toEqual([
      'web config: VITE_USE_EMULATORS is on; a deployed web app must use the project',
    ]);
    const other = await runPreflight(
      args(deployArgv({ project: 'gg-other' })),
      probes(dir, WEB_ENV),
    );
    expect(other.errors).toEqual([
      'web config: VITE_FIREBASE_PROJECT_ID is gg-vmpool, but the deploy targets gg-other',
    ]);
  });

  it('reads the web config from web/.env.production as Vite does', async () => {
    const root = dir;
    await import('node:fs/promises').then((fs) => fs.mkdir(join(root, 'web')));
    await writeFile(
      join(root, 'web', '.env.production'),
      Object.entries(WEB_ENV)
        .map(([key, value]) => `${key}=${value}`)
        .join('\n'),
    );
    const result = await runPreflight(args(deployArgv()), probes(root, {}));
    expect(result.errors).toEqual([]);
    expect(result.web?.firebase.apiKey).toBe(WEB_ENV.VITE_FIREBASE_API_KEY);
  });
});

describe('deploy preflight against the target database', () => {
  let rtdb: RtdbServer;
  beforeAll(async () => {
    rtdb = await startRtdbServer({ port: 0, quiet: true });
  });
  afterAll(async () => {
    await rtdb?.stop();
  });

  it('reads vmPool/config with firebase-admin and validates it with core', async () => {
    const databaseUrl = rtdb.databaseUrl('gg-vmpool');
    const app = initializeApp({ databaseURL: databaseUrl, projectId: 'gg-vmpool' }, 'deploy-test');
    const pool = JSON.parse(await readFile(fixture('pool-config.json'), 'utf8')) as {
      amiId: string;
    };
    const run = () =>
      runPreflight(
        args([
          '--project',
          'gg-vmpool',
          '--outputs',
          fixture('outputs.json'),
          '--database-url',
          databaseUrl,
        ]),
        probes(dir, WEB_ENV),
      );
    try {
      expect((await run()).errors).toEqual([
        `pool config: vmPool/config at ${databaseUrl} is empty (pass --pool-config FILE on the first deploy)`,
      ]);
      await getDatabase(app)
        .ref(paths.poolConfig())
        .set({ ...pool, instanceProfile: '' });
      expect((await run()).errors).toEqual([
        `pool config (vmPool/config at ${databaseUrl}): instanceProfile: must be set (launches are refused without it)`,
      ]);
      await getDatabase(app).ref(paths.poolConfig()).set(pool);
      const ok = await run();
      expect(ok.errors).toEqual([]);
      expect(ok.poolConfig?.instanceType).toBe('c5.2xlarge');

      // The deploy's write step puts a validated config there with firebase-admin.
      const written = {
        ...ok.poolConfig!,
        minWarmVMs: 0,
        updatedAt: 1,
        updatedBy: 'npm run deploy',
      };
      const failure = await runSteps(
        [{ kind: 'write-pool-config', title: 'pool config', databaseUrl, config: written }],
        { root: repoRoot, project: 'gg-vmpool', log: () => undefined },
      );
      expect(failure).toBeNull();
      const stored = (await getDatabase(app).ref(paths.poolConfig()).get()).val() as object;
      expect(stored).toMatchObject({
        minWarmVMs: 0,
        updatedBy: 'npm run deploy',
        amiId: pool.amiId,
      });
    } finally {
      await deleteApp(app);
    }
  });
});

describe('running the deploy steps', () => {
  it('stops at the first failing step; exit 2 of the rules tool means its problems were listed', async () => {
    const log: string[] = [];
    const failure = await runSteps(
      [
        { kind: 'write-file', title: 'first', path: join(dir, 'first.txt'), content: 'one\n' },
        {
          kind: 'command',
          title: 'Build the database rules',
          argv: [
            process.execPath,
            '-e',
            'console.error("/competitions: conflict"); process.exit(2)',
          ],
          problemsExitCode: 2,
        },
        { kind: 'write-file', title: 'never', path: join(dir, 'never.txt'), content: 'x' },
      ],
      { root: repoRoot, project: 'gg-vmpool', log: (line) => log.push(line) },
    );
    expect(failure).toBe(
      'Build the database rules: refused (the problems are listed above); nothing was deployed',
    );
    expect(log).toEqual(['[1/3] first', '[2/3] Build the database rules']);
    expect(await readFile(join(dir, 'first.txt'), 'utf8')).toBe('one\n');
    expect(existsSync(join(dir, 'never.txt'))).toBe(false);

    const other = await runSteps(
      [
        {
          kind: 'command',
          title: 'Build the functions',
          argv: [process.execPath, '-e', 'process.exit(3)'],
        },
      ],
      { root: repoRoot, project: 'gg-vmpool', log: () => undefined },
    );
    expect(other).toMatch(/^Build the functions: `.+` exited with 3$/);
  });
});

describe('deploy plan', () => {
  it('keeps the operator’s own lines in functions/.env.<project> and replaces its managed ones', () => {
    const merged = mergeDotenv('# mine\nVMPOOL_REGIONS=eu-west-1\nVMPOOL_AWS_ROLE_ARN=old\n', {
      VMPOOL_AWS_ROLE_ARN: 'arn:aws:iam::111122223333:role/vmpool-control-plane',
    });
    expect(merged).toBe(
      "# mine\nVMPOOL_REGIONS=eu-west-1\n\n# Written by npm run deploy (from infra outputs and the web config):\nVMPOOL_AWS_ROLE_ARN='arn:aws:iam::111122223333:role/vmpool-control-plane'\n",
    );
    expect(mergeDotenv(merged, { VMPOOL_AWS_ROLE_ARN: 'x' })).toBe(
      "# mine\nVMPOOL_REGIONS=eu-west-1\n\n# Written by npm run deploy (from infra outputs and the web config):\nVMPOOL_AWS_ROLE_ARN='x'\n",
    );
    expect(() => mergeDotenv(null, { A: "it's" })).toThrow(/quote/);
  });

  it('deploys the built rules through a generated firebase config', () => {
    const config = JSON.parse(
      deployFirebaseConfig({
        database: { rules: 'database.rules.json' },
        hosting: { public: 'web/dist' },
      }),
    ) as Record<string, unknown>;
    expect(config).toEqual({
      database: { rules: 'build/database.rules.json' },
      hosting: { public: 'web/dist' },
    });
  });

  it('builds the rules first and writes the pool config before firebase deploy', async () => {
    const preflight = await runPreflight(args(deployArgv()), probes(dir, WEB_ENV));
    const steps = deployPlan({
      args: args(['--pool-config', fixture('pool-config.json')]),
      project: 'gg-vmpool',
      outputs: preflight.outputs!,
      web: preflight.web!,
      databaseUrl: preflight.databaseUrl!,
      poolConfig: preflight.poolConfig!,
      firebaseJson: {},
      existingFunctionsEnv: null,
      now: 1_800_000_000_000,
    });
    expect(steps.map((step) => step.kind)).toEqual([
      'command',
      'write-file',
      'write-file',
      'command',
      'command',
      'write-pool-config',
      'command',
    ]);
    const env = steps[1]!;
    expect(env.kind === 'write-file' && env.path).toBe('functions/.env.gg-vmpool');
    const userData = /VMPOOL_LAUNCH_USER_DATA='(.*)'/.exec(
      env.kind === 'write-file' ? env.content : '',
    );
    expect(JSON.parse(userData![1]!)).toEqual({
      'database-url': WEB_ENV.VITE_FIREBASE_DATABASE_URL,
      'functions-base-url': 'https://us-central1-gg-vmpool.cloudfunctions.net',
      'api-key': WEB_ENV.VITE_FIREBASE_API_KEY,
      'project-id': 'gg-vmpool',
      'auth-domain': WEB_ENV.VITE_FIREBASE_AUTH_DOMAIN,
      'archive-bucket': 'vmpool-recordings1234abcd-0a1b2c3d4e5f',
      'obs-websocket-password-parameter': '/vmpool/obs-websocket-password',
    });
    // firebase deploy reads the file with firebase-tools' own dotenv parser.
    const firebaseEnv = createRequire(import.meta.url)('firebase-tools/lib/functions/env.js') as {
      parse(data: string): { envs: Record<string, string>; errors: string[] };
      validateKey(key: string): void;
    };
    const parsedEnv = firebaseEnv.parse(env.kind === 'write-file' ? env.content : '');
    expect(parsedEnv.errors).toEqual([]);
    expect(parsedEnv.envs).toEqual({
      VMPOOL_AWS_ROLE_ARN: 'arn:aws:iam::111122223333:role/vmpool-control-plane',
      VMPOOL_AWS_STS_REGION: 'us-east-1',
      VMPOOL_AWS_ACCOUNT_ID: '111122223333',
      VMPOOL_EC2_EVENTS_SECRET_ARN:
        'arn:aws:secretsmanager:us-east-1:111122223333:secret:Ec2EventsKey1234-AbCdEf',
      VMPOOL_ARCHIVE_BUCKET: 'vmpool-recordings1234abcd-0a1b2c3d4e5f',
      VMPOOL_LAUNCH_USER_DATA: userData![1],
    });
    for (const key of Object.keys(parsedEnv.envs)) firebaseEnv.validateKey(key);
    const write = steps[5]!;
    expect(write.kind === 'write-pool-config' && write.config).toMatchObject({
      amiId: 'ami-0123456789abcdef0',
      updatedAt: 1_800_000_000_000,
      updatedBy: 'npm run deploy',
    });
  });
});

describe('npm run deploy -- --dry-run', () => {
  function deploy(argv: string[], env: Record<string, string> = WEB_ENV) {
    return spawnSync('npx', ['tsx', 'infra/src/deploy/main.ts', ...argv], {
      cwd: repoRoot,
      encoding: 'utf8',
      // Secret Manager cannot be asked offline: the alert webhook secret counts as set.
      env: { ...process.env, VMPOOL_DEPLOY_SECRETS_SET: 'VMPOOL_ALERT_WEBHOOK', ...env },
      timeout: 120_000,
    });
  }

  it('runs the preflight for real and prints every step and command without running them', async () => {
    const merge = await writeJson('show-controller.rules.json', { rules: { competitions: {} } });
    const result = deploy([
      '--dry-run',
      ...deployArgv(),
      '--rules-profile',
      'compat',
      '--merge-rules',
      merge,
    ]);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const out = result.stdout;
    expect(out).toContain('Dry run: the deploy would run these 7 steps:');
    expect(out).toContain(
      `$ npm run rules:build -- --profile compat --merge-with ${merge} --out build/database.rules.json`,
    );
    expect(out).toContain(
      "| VMPOOL_AWS_ROLE_ARN='arn:aws:iam::111122223333:role/vmpool-control-plane'",
    );
    expect(out).toContain('"rules": "build/database.rules.json"');
    expect(out).toContain('$ npm run build -w @vmpool/functions');
    expect(out).toContain('$ npm run build -w @vmpool/web');
    expect(out).toMatch(
      /Write vmPool\/config from .*pool-config\.json to https:\/\/gg-vmpool-default-rtdb/,
    );
    expect(out).toContain(
      '$ npx firebase deploy --config firebase.deploy.json --project gg-vmpool --only database,functions,hosting',
    );
    // Nothing was written.
    expect(existsSync(join(repoRoot, 'firebase.deploy.json'))).toBe(false);
    expect(existsSync(join(repoRoot, 'functions', '.env.gg-vmpool'))).toBe(false);
  });

  it('stops before any step with every preflight problem listed, exit 1', () => {
    const result = deploy(
      [
        '--dry-run',
        '--project',
        'gg-vmpool',
        '--outputs',
        'no/such/outputs.json',
        '--pool-config',
        fixture('pool-config.json'),
      ],
      {},
    );
    expect(result.status).toBe(1);
    expect(result.stdout).not.toContain('Dry run');
    expect(result.stderr).toContain('The deploy cannot start; 6 problem(s):');
    expect(result.stderr).toContain('✗ infra outputs: no/such/outputs.json not found');
    expect(result.stderr).toContain('✗ web config: VITE_FIREBASE_API_KEY is required');
  });

  it('refuses unknown flags and a bad rules profile, exit 2', () => {
    const result = deploy(['--rules-profile', 'loose', '--frobnicate']);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/Unknown option '--frobnicate'/);
    expect(result.stderr).toContain('Usage: npm run deploy -- [options]');
  });
});
