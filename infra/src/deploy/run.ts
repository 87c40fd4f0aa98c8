import { spawn } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, resolve as resolvePath } from 'node:path';
import { describeStep, type DeployStep } from './plan';
import { writePoolConfigToDatabase } from './probes';

export interface StepRunner {
  root: string;
  project: string;
  log: (line: string) => void;
}

function runCommand(root: string, argv: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const [command, ...rest] = argv;
    const child = spawn(command!, rest, { cwd: root, stdio: 'inherit' });
    child.once('error', reject);
    child.once('exit', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
  });
}

/**
 * Runs the steps in order and stops at the first failure. Returns null on success, else what
 * failed (the steps before it stay done; each is safe to run again).
 */
export async function runSteps(steps: DeployStep[], runner: StepRunner): Promise<string | null> {
  for (const [index, step] of steps.entries()) {
    runner.log(describeStep(step, index, steps.length).split('\n')[0]!);
    switch (step.kind) {
      case 'command': {
        const code = await runCommand(runner.root, step.argv);
        if (code === 0) break;
        if (step.problemsExitCode !== undefined && code === step.problemsExitCode) {
          return `${step.title}: refused (the problems are listed above); nothing was deployed`;
        }
        return `${step.title}: \`${step.argv.join(' ')}\` exited with ${code}`;
      }
      case 'write-file': {
        const target = resolvePath(runner.root, step.path);
        await mkdir(dirname(target), { recursive: true });
        await writeFile(target, step.content);
        break;
      }
      case 'write-pool-config':
        try {
          await writePoolConfigToDatabase(step.databaseUrl, runner.project, step.config);
        } catch (error) {
          return `${step.title}: ${(error as Error).message}`;
        }
        break;
    }
  }
  return null;
}
