// Type-checks every workspace. The Node workspaces share one set of compiler options, so they
// are checked as one program (tsconfig.node.json): each file once, where a program per
// workspace checked core (and whatever else it imports) again in every workspace (the seven
// took 169 s of CPU, the one program 56 s). web has DOM and JSX and stays its own program. The
// two run side by side, one per core; each one's output is printed whole when it ends.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { posix } from 'node:path';

const NODE_WORKSPACES = ['core', 'functions', 'agent', 'local', 'tools', 'test', 'infra'];
const NODE_PROGRAM = 'tsconfig.node.json';

/** Every folder a Node workspace's own tsconfig includes must be in the combined program. */
function combinedProgramProblems() {
  const readJson = (file) => JSON.parse(readFileSync(file, 'utf8'));
  const combined = readJson(NODE_PROGRAM);
  const included = new Set(combined.include);
  const problems = [];
  for (const ws of NODE_WORKSPACES) {
    const own = readJson(`${ws}/tsconfig.json`);
    if (own.compilerOptions !== undefined || own.extends !== '../tsconfig.base.json')
      problems.push(
        `${ws}/tsconfig.json has options of its own: give it its own program in scripts/typecheck.mjs`,
      );
    for (const entry of own.include ?? []) {
      const path = posix.normalize(posix.join(ws, entry));
      if (!included.has(path))
        problems.push(`${NODE_PROGRAM} lacks "${path}" (from ${ws}/tsconfig.json's include)`);
    }
  }
  return problems;
}

function check(name, config) {
  const started = performance.now();
  return new Promise((resolve) => {
    const child = spawn('npx', ['tsc', '--noEmit', '--pretty', '-p', config], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.on('close', (code) => {
      const seconds = ((performance.now() - started) / 1000).toFixed(1);
      if (output.trim() !== '')
        process.stdout.write(output.endsWith('\n') ? output : `${output}\n`);
      const ok = code === 0;
      console[ok ? 'log' : 'error'](`typecheck: ${name} ${ok ? 'ok' : 'FAILED'} (${seconds}s)`);
      resolve(ok);
    });
  });
}

const problems = combinedProgramProblems();
for (const problem of problems) console.error(`typecheck: ${problem}`);
const results = await Promise.all([
  check(NODE_WORKSPACES.join(', '), NODE_PROGRAM),
  check('web', 'web/tsconfig.json'),
]);
process.exit(problems.length === 0 && results.every(Boolean) ? 0 : 1);
