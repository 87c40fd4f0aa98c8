// `npm test`: the prerequisites first (one line and `npm run setup` when something is
// missing), then types, lint and format, then every test project, then one summary line.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, existsSync, rmSync } from 'node:fs';

if (!existsSync('node_modules/.bin/tsx')) {
  console.error('npm test: missing node_modules; install them with: npm ci');
  process.exit(1);
}
const prerequisites = spawnSync('node_modules/.bin/tsx', ['tools/src/prereqs/cli.ts'], {
  stdio: 'inherit',
});
if (prerequisites.status !== 0) process.exit(1);

const reportFile = 'test-artifacts/vitest-report.json';
mkdirSync('test-artifacts', { recursive: true });
rmSync(reportFile, { force: true });

const started = performance.now();
const check = spawnSync('npm', ['run', 'check'], { stdio: 'inherit' });
const tests = spawnSync(
  'npx',
  [
    'vitest',
    'run',
    '--reporter=default',
    '--reporter=json',
    `--outputFile.json=${reportFile}`,
    ...process.argv.slice(2),
  ],
  { stdio: 'inherit' },
);

let passed = 0;
let failed = 0;
let skipped = 0;
if (existsSync(reportFile)) {
  const report = JSON.parse(readFileSync(reportFile, 'utf8'));
  passed = report.numPassedTests;
  failed = report.numFailedTests + (report.numRuntimeErrorTestSuites ?? 0);
  skipped = report.numPendingTests + report.numTodoTests;
} else {
  failed += 1;
}
const minutes = ((performance.now() - started) / 60000).toFixed(1);
const checkOk = check.status === 0;
const testsOk = tests.status === 0 && failed === 0;
console.log('');
console.log(`check (types, lint, format): ${checkOk ? 'passed' : 'FAILED'}`);
console.log(`tests (${minutes} min in all): ${testsOk ? 'passed' : 'FAILED'}`);
console.log(`vmpool: ${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(checkOk && testsOk ? 0 : 1);
