// `npm run bench`: every benchmark in turn; each prints its own figures and the machine.
import { spawnSync } from 'node:child_process';

const benches = [
  'bench:rtdb',
  'bench:control-plane',
  'bench:agent',
  'bench:season',
  'bench:failover',
  'bench:insights',
];
let failed = 0;
for (const bench of benches) {
  console.log(`\n=== ${bench} ===`);
  const extra = bench === 'bench:agent' ? ['--', ...process.argv.slice(2)] : [];
  const result = spawnSync('npm', ['run', bench, ...extra], { stdio: 'inherit' });
  if (result.status !== 0) failed += 1;
}
process.exit(failed === 0 ? 0 : 1);
