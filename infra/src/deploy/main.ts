// `npm run deploy`: preflight (every problem at once), then the plan; `--dry-run` prints it.
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { parseDeployArgs, USAGE } from './args';
import { deployPlan, describeStep } from './plan';
import { systemProbes } from './probes';
import { runPreflight } from './preflight';
import { runSteps } from './run';

const root = fileURLToPath(new URL('../../../', import.meta.url));

async function optionalFile(path: string): Promise<string | null> {
  try {
    return await readFile(join(root, path), 'utf8');
  } catch {
    return null;
  }
}

async function main(): Promise<number> {
  const parsed = parseDeployArgs(process.argv.slice(2));
  if (!parsed.ok) {
    for (const error of parsed.errors) console.error(`deploy: ${error}`);
    console.error(`\n${USAGE}`);
    return 2;
  }
  const { args } = parsed;
  if (args.help) {
    console.log(USAGE);
    return 0;
  }

  console.log('Preflight checks…');
  const result = await runPreflight(args, systemProbes(root));
  if (result.errors.length > 0) {
    console.error(`\nThe deploy cannot start; ${result.errors.length} problem(s):`);
    for (const error of result.errors) console.error(`  ✗ ${error}`);
    return 1;
  }
  const { project, outputs, web, databaseUrl, poolConfig } = result;
  console.log(
    `  ✓ project ${project}, infra stack ${outputs!.stackName} in ${outputs!.region}, pool config from ${result.poolConfigSource}`,
  );

  const firebaseJson = JSON.parse((await optionalFile('firebase.json')) ?? '{}') as unknown;
  const steps = deployPlan({
    args,
    project: project!,
    outputs: outputs!,
    web: web!,
    databaseUrl: databaseUrl!,
    poolConfig: poolConfig!,
    firebaseJson,
    existingFunctionsEnv: await optionalFile(`functions/.env.${project}`),
    now: Date.now(),
  });

  if (args.dryRun) {
    console.log(`\nDry run: the deploy would run these ${steps.length} steps:`);
    for (const [index, step] of steps.entries()) {
      console.log(describeStep(step, index, steps.length));
    }
    return 0;
  }

  const failure = await runSteps(steps, {
    root,
    project: project!,
    log: (line) => console.log(line),
  });
  if (failure !== null) {
    console.error(`\nDeploy stopped: ${failure}`);
    return 1;
  }
  console.log(`\nDeployed vmpool to ${project}.`);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`deploy: ${(error as Error).stack ?? String(error)}`);
    process.exit(1);
  },
);
