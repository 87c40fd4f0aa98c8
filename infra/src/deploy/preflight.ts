import { parsePoolConfig, POOL_TAG_KEYS, type PoolConfig } from '@vmpool/core';
import { parseWebConfig, type WebConfig } from '../../../web/src/config/env';
import { parseInfraOutputs, type InfraOutputs } from '../outputs';
import type { DeployArgs } from './args';

/**
 * The Firebase secrets the deployed functions need, one list: the preflight checks each is
 * set. The functions declare each with `defineSecret`, so `firebase deploy` fails without it.
 */
export interface RequiredSecret {
  name: string;
  /** What it is for, shown when it is missing. */
  purpose: string;
}
export const REQUIRED_SECRETS: readonly RequiredSecret[] = [
  {
    name: 'VMPOOL_ALERT_WEBHOOK',
    purpose:
      'the Discord or Slack incoming-webhook URL alerts are posted to; the value none turns the posts off',
  },
];

/** What the preflight reads from the world, so tests can point it at fixtures and a local DB. */
export interface PreflightProbes {
  /** A file relative to the repository root, or null when it does not exist. */
  readFile(path: string): Promise<string | null>;
  /** Whether the firebase CLI (firebase-tools) is installed. */
  firebaseCliInstalled(): boolean;
  /** The build environment of the web app as Vite loads it for production. */
  webEnv(): Record<string, string>;
  /** `vmPool/config` as stored in the target database (null when absent). */
  readPoolConfig(databaseUrl: string, project: string): Promise<unknown>;
  /** Whether a Cloud Functions secret is set in the project. */
  secretIsSet(project: string, name: string): Promise<boolean>;
}

export interface PreflightResult {
  errors: string[];
  project: string | null;
  outputs: InfraOutputs | null;
  web: WebConfig | null;
  databaseUrl: string | null;
  poolConfig: PoolConfig | null;
  /** Where the pool config came from: the --pool-config file or the database. */
  poolConfigSource: string;
}

const PROJECT_ID = /^[a-z][a-z0-9-]{4,28}[a-z0-9]$/;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

async function readJson(
  probes: PreflightProbes,
  path: string,
  label: string,
  missingHint: string,
  errors: string[],
): Promise<unknown> {
  const text = await probes.readFile(path);
  if (text === null) {
    errors.push(`${label}: ${path} not found (${missingHint})`);
    return undefined;
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    errors.push(`${label}: ${path} is not valid JSON: ${(error as Error).message}`);
    return undefined;
  }
}

function chooseProject(args: DeployArgs, firebaserc: string | null, errors: string[]) {
  let project = args.project;
  if (project === null && firebaserc !== null) {
    try {
      const rc = JSON.parse(firebaserc) as unknown;
      const chosen = isRecord(rc) && isRecord(rc.projects) ? rc.projects.default : undefined;
      if (typeof chosen === 'string') project = chosen;
    } catch (error) {
      errors.push(`Firebase project: .firebaserc is not valid JSON: ${(error as Error).message}`);
      return null;
    }
  }
  if (project === null) {
    errors.push(
      'Firebase project: none chosen (pass --project ID, or run npx firebase use --add once)',
    );
    return null;
  }
  if (!PROJECT_ID.test(project)) {
    errors.push(`Firebase project: ${JSON.stringify(project)} is not a project id`);
    return null;
  }
  return project;
}

function checkWebConfig(probes: PreflightProbes, project: string | null, errors: string[]) {
  const parsed = parseWebConfig(probes.webEnv());
  const hint =
    'set them in web/.env.production; npx firebase apps:sdkconfig WEB --project PROJECT prints them';
  if (!parsed.ok) {
    for (const error of parsed.errors) errors.push(`web config: ${error} (${hint})`);
    return null;
  }
  if (parsed.config.useEmulators) {
    errors.push('web config: VITE_USE_EMULATORS is on; a deployed web app must use the project');
    return null;
  }
  if (project !== null && parsed.config.firebase.projectId !== project) {
    errors.push(
      `web config: VITE_FIREBASE_PROJECT_ID is ${parsed.config.firebase.projectId}, but the deploy targets ${project}`,
    );
  }
  return parsed.config;
}

/**
 * A pool config file completed from the infrastructure: the fields it leaves out that the
 * stack decides (region, subnet, security group, instance profile, the pool tags) are taken
 * from the outputs. Fields it sets are kept, and checked against the outputs afterwards.
 */
export function withInfraDefaults(raw: unknown, outputs: InfraOutputs | null): unknown {
  if (outputs === null || !isRecord(raw)) return raw;
  const tags = isRecord(raw.tags) ? raw.tags : {};
  return {
    awsRegion: outputs.region,
    subnetId: outputs.subnetId,
    securityGroupId: outputs.securityGroupId,
    instanceProfile: outputs.instanceProfileName,
    ...raw,
    tags: {
      [POOL_TAG_KEYS.project]: outputs.poolTagProject,
      [POOL_TAG_KEYS.managedBy]: outputs.poolTagManagedBy,
      ...tags,
    },
  };
}

/** A pool config the control plane can launch with, in step with the infrastructure. */
export function poolConfigProblems(config: PoolConfig, outputs: InfraOutputs | null): string[] {
  const problems: string[] = [];
  for (const field of ['amiId', 'subnetId', 'securityGroupId', 'instanceProfile'] as const) {
    if (config[field] === '')
      problems.push(`${field}: must be set (launches are refused without it)`);
  }
  if (config.keyPairName !== '') {
    problems.push(
      'keyPairName: must be empty: there is no SSH (port 22 is closed; SSM and the agent replace it) and the control-plane role may not launch with a key pair',
    );
  }
  if (outputs === null) return problems;
  const expect = (field: string, actual: string, wanted: string, what: string) => {
    if (actual !== '' && actual !== wanted) {
      problems.push(`${field}: is ${actual}, but the infrastructure's ${what} is ${wanted}`);
    }
  };
  expect('awsRegion', config.awsRegion, outputs.region, 'region');
  expect('subnetId', config.subnetId, outputs.subnetId, 'subnet');
  expect('securityGroupId', config.securityGroupId, outputs.securityGroupId, 'security group');
  expect(
    'instanceProfile',
    config.instanceProfile,
    outputs.instanceProfileName,
    'instance profile',
  );
  const tags: [string, string][] = [
    [POOL_TAG_KEYS.project, outputs.poolTagProject],
    [POOL_TAG_KEYS.managedBy, outputs.poolTagManagedBy],
  ];
  for (const [key, wanted] of tags) {
    if (config.tags[key] !== wanted) {
      problems.push(
        `tags.${key}: must be ${JSON.stringify(wanted)} (the control-plane role acts only on instances tagged so), got ${JSON.stringify(config.tags[key] ?? null)}`,
      );
    }
  }
  return problems;
}

/**
 * Every check before a deploy, each reporting every problem it finds; nothing is changed.
 */
export async function runPreflight(
  args: DeployArgs,
  probes: PreflightProbes,
  requiredSecrets: readonly RequiredSecret[] = REQUIRED_SECRETS,
): Promise<PreflightResult> {
  const errors: string[] = [];
  const project = chooseProject(args, await probes.readFile('.firebaserc'), errors);

  if (!probes.firebaseCliInstalled()) {
    errors.push('firebase CLI: firebase-tools is not installed (run npm ci)');
  }

  let outputs: InfraOutputs | null = null;
  const rawOutputs = await readJson(
    probes,
    args.outputsFile,
    'infra outputs',
    'run npm run infra:deploy first; it writes them',
    errors,
  );
  if (rawOutputs !== undefined) {
    const parsed = parseInfraOutputs(rawOutputs, args.infraStack ?? undefined);
    if (parsed.ok) outputs = parsed.value;
    else for (const error of parsed.errors) errors.push(`infra outputs: ${error}`);
  }

  const web = checkWebConfig(probes, project, errors);
  const databaseUrl =
    args.databaseUrl ??
    web?.firebase.databaseURL ??
    (project === null ? null : `https://${project}-default-rtdb.firebaseio.com`);

  let poolConfig: PoolConfig | null = null;
  let poolConfigSource = args.poolConfigFile ?? `vmPool/config at ${databaseUrl ?? '(unknown)'}`;
  let rawPool: unknown;
  let havePool = false;
  if (args.poolConfigFile !== null) {
    rawPool = await readJson(
      probes,
      args.poolConfigFile,
      'pool config',
      'the file given with --pool-config',
      errors,
    );
    havePool = rawPool !== undefined;
    rawPool = withInfraDefaults(rawPool, outputs);
  } else if (databaseUrl !== null && project !== null) {
    try {
      rawPool = await probes.readPoolConfig(databaseUrl, project);
      havePool = true;
      if (rawPool === null) {
        errors.push(
          `pool config: ${poolConfigSource} is empty (pass --pool-config FILE on the first deploy)`,
        );
        havePool = false;
      }
    } catch (error) {
      errors.push(
        `pool config: could not read ${poolConfigSource}: ${(error as Error).message} (sign in with gcloud auth application-default login, or pass --pool-config FILE)`,
      );
    }
  }
  if (havePool) {
    const parsed = parsePoolConfig(rawPool);
    if (!parsed.ok) {
      for (const error of parsed.errors) errors.push(`pool config (${poolConfigSource}): ${error}`);
    } else {
      const problems = poolConfigProblems(parsed.value, outputs);
      for (const problem of problems) errors.push(`pool config (${poolConfigSource}): ${problem}`);
      if (problems.length === 0) poolConfig = parsed.value;
    }
  } else if (args.poolConfigFile === null) {
    poolConfigSource = 'none';
  }

  if (project !== null) {
    for (const secret of requiredSecrets) {
      try {
        if (!(await probes.secretIsSet(project, secret.name))) {
          errors.push(
            `secret ${secret.name} is not set (${secret.purpose}): npx firebase functions:secrets:set ${secret.name} --project ${project}`,
          );
        }
      } catch (error) {
        errors.push(`secret ${secret.name}: could not check it: ${(error as Error).message}`);
      }
    }
  }

  if (args.mergeRules !== null) {
    const rules = await readJson(
      probes,
      args.mergeRules,
      'rules to merge',
      'the show-controller rules given with --merge-rules',
      errors,
    );
    if (rules !== undefined && !(isRecord(rules) && isRecord(rules.rules))) {
      errors.push(`rules to merge: ${args.mergeRules} has no "rules" object`);
    }
  }

  return { errors, project, outputs, web, databaseUrl, poolConfig, poolConfigSource };
}
