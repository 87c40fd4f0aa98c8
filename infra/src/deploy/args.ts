import { parseArgs } from 'node:util';

export const RULES_PROFILES = ['strict', 'compat'] as const;
export type RulesProfile = (typeof RULES_PROFILES)[number];

export interface DeployArgs {
  /** --project; null = .firebaserc's default project */
  project: string | null;
  /** --pool-config FILE: the pool config to check and write; null = read it from the database */
  poolConfigFile: string | null;
  /** --outputs FILE (default infra/outputs.json) */
  outputsFile: string;
  /** --infra-stack NAME: which stack of the outputs file (default: the only one, or vmpool) */
  infraStack: string | null;
  rulesProfile: RulesProfile;
  /** --merge-rules FILE: the running show-controller's rules, merged by the rules tool */
  mergeRules: string | null;
  /** --database-url URL (default: the web config's, else PROJECT-default-rtdb) */
  databaseUrl: string | null;
  dryRun: boolean;
  help: boolean;
}

export const USAGE = `Usage: npm run deploy -- [options]

Checks everything first (Firebase project, secrets, infra outputs, pool config, web config,
rules inputs) and reports every problem at once; then builds the rules, writes the functions'
environment, builds functions and web, writes the pool config (with --pool-config) and runs
firebase deploy.

  --project ID            Firebase project (default: .firebaserc's default)
  --pool-config FILE      vmPool/config to validate and write (default: read from the database)
  --outputs FILE          infra outputs (default: infra/outputs.json, from npm run infra:deploy)
  --infra-stack NAME      the stack in the outputs file (default: the only one, or vmpool)
  --rules-profile P       strict | compat (default strict), passed to npm run rules:build
  --merge-rules FILE      the show-controller's existing rules, merged with vmpool's
  --database-url URL      the Realtime Database (default: VITE_FIREBASE_DATABASE_URL)
  --dry-run               run the checks, print the steps and commands, change nothing
  --help                  this text

Environment: VMPOOL_DEPLOY_SECRETS_SET=A,B names secrets known to be set, where the deploy's
identity may not read Secret Manager (CI, an offline dry run).`;

export type ParsedArgs = { ok: true; args: DeployArgs } | { ok: false; errors: string[] };

/** Parses the deploy flags; every problem is reported together. */
export function parseDeployArgs(argv: readonly string[]): ParsedArgs {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        project: { type: 'string' },
        'pool-config': { type: 'string' },
        outputs: { type: 'string' },
        'infra-stack': { type: 'string' },
        'rules-profile': { type: 'string' },
        'merge-rules': { type: 'string' },
        'database-url': { type: 'string' },
        'dry-run': { type: 'boolean' },
        help: { type: 'boolean' },
      },
    }));
  } catch (error) {
    return { ok: false, errors: [(error as Error).message] };
  }
  const errors: string[] = [];
  const text = (name: string): string | null => {
    const value = values[name];
    if (typeof value !== 'string') return null;
    if (value.trim() === '') {
      errors.push(`--${name} needs a value`);
      return null;
    }
    return value.trim();
  };
  const profile = text('rules-profile') ?? 'strict';
  if (!(RULES_PROFILES as readonly string[]).includes(profile)) {
    errors.push(`--rules-profile must be ${RULES_PROFILES.join(' or ')}, got ${profile}`);
  }
  const args: DeployArgs = {
    project: text('project'),
    poolConfigFile: text('pool-config'),
    outputsFile: text('outputs') ?? 'infra/outputs.json',
    infraStack: text('infra-stack'),
    rulesProfile: profile as RulesProfile,
    mergeRules: text('merge-rules'),
    databaseUrl: text('database-url'),
    dryRun: values['dry-run'] === true,
    help: values.help === true,
  };
  return errors.length > 0 ? { ok: false, errors } : { ok: true, args };
}
