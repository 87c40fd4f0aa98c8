// Type-checks every workspace with its own tsconfig (web has DOM and JSX, the rest Node).
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';

const hasSources = (dir) =>
  readdirSync(dir, { recursive: true }).some(
    (f) => /\.tsx?$/.test(String(f)) && !String(f).includes('node_modules'),
  );

const workspaces = ['core', 'functions', 'agent', 'local', 'tools', 'test', 'web', 'infra'];
let failed = 0;
for (const ws of workspaces) {
  if (!hasSources(ws)) {
    console.log(`typecheck: ${ws} has no sources yet`);
    continue;
  }
  const started = performance.now();
  const result = spawnSync('npx', ['tsc', '--noEmit', '-p', `${ws}/tsconfig.json`], {
    stdio: 'inherit',
  });
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  if (result.status !== 0) {
    failed += 1;
    console.error(`typecheck: ${ws} FAILED (${seconds}s)`);
  } else {
    console.log(`typecheck: ${ws} ok (${seconds}s)`);
  }
}
process.exit(failed === 0 ? 0 : 1);
