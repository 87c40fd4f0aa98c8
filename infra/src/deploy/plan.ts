import { EC2_EVENTS_FUNCTION, type PoolConfig } from '@vmpool/core';
import { CONTROL_PLANE_ENV_KEYS } from '../../../functions/src/config/control-plane-config';
import type { WebConfig } from '../../../web/src/config/env';
import type { InfraOutputs } from '../outputs';
import type { DeployArgs } from './args';

/** Where the rules tool writes the merged rules, and the firebase config that deploys them. */
export const BUILT_RULES_FILE = 'build/database.rules.json';
export const DEPLOY_FIREBASE_CONFIG = 'firebase.deploy.json';

export type DeployStep =
  | {
      kind: 'command';
      title: string;
      argv: string[];
      /** Exit code 2 means "problems printed one per line" (the rules tool). */
      problemsExitCode?: number;
    }
  | { kind: 'write-file'; title: string; path: string; content: string }
  | { kind: 'write-pool-config'; title: string; databaseUrl: string; config: PoolConfig };

export interface PlanInput {
  args: DeployArgs;
  project: string;
  outputs: InfraOutputs;
  web: WebConfig;
  databaseUrl: string;
  poolConfig: PoolConfig;
  /** The repository's firebase.json */
  firebaseJson: unknown;
  /** The current functions/.env.<project>, or null */
  existingFunctionsEnv: string | null;
  now: number;
}

/** The functions' base URL, from the EC2 events endpoint infra/ built for them. */
export function functionsBaseUrl(outputs: InfraOutputs): string {
  const suffix = `/${EC2_EVENTS_FUNCTION}`;
  return outputs.ec2EventsEndpoint.endsWith(suffix)
    ? outputs.ec2EventsEndpoint.slice(0, -suffix.length)
    : outputs.ec2EventsEndpoint.replace(/\/[^/]*$/, '');
}

/** What launched VMs receive as user data (ami/scripts/vmpool-boot.sh reads these keys). */
export function launchUserData(outputs: InfraOutputs, web: WebConfig): string {
  return JSON.stringify({
    'database-url': web.firebase.databaseURL,
    'functions-base-url': functionsBaseUrl(outputs),
    'api-key': web.firebase.apiKey,
    'project-id': web.firebase.projectId,
    'auth-domain': web.firebase.authDomain,
    'archive-bucket': outputs.recordingsBucket,
    'obs-websocket-password-parameter': outputs.obsPasswordParameter,
  });
}

/** The settings the deploy manages in functions/.env.<project>; other lines stay as they are. */
export function functionsEnv(outputs: InfraOutputs, web: WebConfig): Record<string, string> {
  const K = CONTROL_PLANE_ENV_KEYS;
  return {
    [K.awsRoleArn]: outputs.controlPlaneRoleArn,
    [K.awsStsRegion]: outputs.region,
    [K.awsAccountId]: outputs.accountId,
    [K.ec2EventsSecretArn]: outputs.ec2EventsSecretArn,
    [K.archiveBucket]: outputs.recordingsBucket,
    [K.launchUserData]: launchUserData(outputs, web),
  };
}

const MANAGED_HEADER = '# Written by npm run deploy (from infra outputs and the web config):';

/** Merges the managed settings into a dotenv file's text, keeping every other line. */
export function mergeDotenv(existing: string | null, managed: Record<string, string>): string {
  const keys = new Set(Object.keys(managed));
  const kept = (existing ?? '')
    .split('\n')
    .filter((line) => line !== MANAGED_HEADER)
    .filter((line) => {
      const key = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=/.exec(line)?.[1];
      return key === undefined || !keys.has(key);
    })
    .join('\n')
    .trimEnd();
  const lines = Object.entries(managed).map(([key, value]) => {
    if (value.includes("'") || value.includes('\n')) {
      throw new Error(`${key}: a value with a quote or a line break cannot be written to dotenv`);
    }
    return `${key}='${value}'`;
  });
  return `${kept === '' ? '' : `${kept}\n\n`}${MANAGED_HEADER}\n${lines.join('\n')}\n`;
}

/** firebase.json with the database rules pointing at the built (merged) rules. */
export function deployFirebaseConfig(firebaseJson: unknown): string {
  if (typeof firebaseJson !== 'object' || firebaseJson === null) {
    throw new Error('firebase.json must hold an object');
  }
  const config = firebaseJson as Record<string, unknown>;
  const database = (config.database ?? {}) as Record<string, unknown>;
  return `${JSON.stringify({ ...config, database: { ...database, rules: BUILT_RULES_FILE } }, null, 2)}\n`;
}

/** The deploy, step by step, in order; the first failing step stops it. */
export function deployPlan(input: PlanInput): DeployStep[] {
  const { args, project, outputs, web } = input;
  const rulesArgv = [
    'npm',
    'run',
    'rules:build',
    '--',
    '--profile',
    args.rulesProfile,
    ...(args.mergeRules === null ? [] : ['--merge-with', args.mergeRules]),
    '--out',
    BUILT_RULES_FILE,
  ];
  const envFile = `functions/.env.${project}`;
  const steps: DeployStep[] = [
    {
      kind: 'command',
      title: `Build the database rules (${args.rulesProfile}${args.mergeRules === null ? '' : `, merged with ${args.mergeRules}`})`,
      argv: rulesArgv,
      problemsExitCode: 2,
    },
    {
      kind: 'write-file',
      title: `Write the functions' AWS and launch settings to ${envFile}`,
      path: envFile,
      content: mergeDotenv(input.existingFunctionsEnv, functionsEnv(outputs, web)),
    },
    {
      kind: 'write-file',
      title: `Write ${DEPLOY_FIREBASE_CONFIG} (firebase.json with the built rules)`,
      path: DEPLOY_FIREBASE_CONFIG,
      content: deployFirebaseConfig(input.firebaseJson),
    },
    {
      kind: 'command',
      title: 'Build the functions',
      argv: ['npm', 'run', 'build', '-w', '@vmpool/functions'],
    },
    {
      kind: 'command',
      title: 'Build the web app',
      argv: ['npm', 'run', 'build', '-w', '@vmpool/web'],
    },
  ];
  if (args.poolConfigFile !== null) {
    steps.push({
      kind: 'write-pool-config',
      title: `Write vmPool/config from ${args.poolConfigFile} to ${input.databaseUrl}`,
      databaseUrl: input.databaseUrl,
      config: { ...input.poolConfig, updatedAt: input.now, updatedBy: 'npm run deploy' },
    });
  }
  steps.push({
    kind: 'command',
    title: `Deploy rules, functions and hosting to ${project}`,
    argv: [
      'npx',
      'firebase',
      'deploy',
      '--config',
      DEPLOY_FIREBASE_CONFIG,
      '--project',
      project,
      '--only',
      'database,functions,hosting',
    ],
  });
  return steps;
}

/** How a step reads in --dry-run and in the progress lines. */
export function describeStep(step: DeployStep, index: number, total: number): string {
  const head = `[${index + 1}/${total}] ${step.title}`;
  switch (step.kind) {
    case 'command':
      return `${head}\n    $ ${step.argv.join(' ')}`;
    case 'write-file':
      return `${head}\n${step.content
        .trimEnd()
        .split('\n')
        .map((line) => `    | ${line}`)
        .join('\n')}`;
    case 'write-pool-config':
      return `${head}\n    ${JSON.stringify(step.config)}`;
  }
}
