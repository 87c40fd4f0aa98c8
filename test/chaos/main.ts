// `npm run chaos [-- --seed S --rounds N]`: the chaos suite against the real local stack
// (stack-chaos.ts). `npm run chaos -- --sim [--seed S --rounds N]` runs the fast in-process
// suite instead (functions/tests/chaos: the use cases over the local RTDB and an in-memory
// cloud with a manual clock).
import { integerFlag as flag } from '../../functions/tests/chaos/seeded';
import { formatStackChaosReport, machineLine, runStackChaos } from './stack-chaos';

if (process.argv.includes('--sim')) {
  await import('../../functions/tests/chaos/main');
} else {
  const seed = flag('seed', Math.floor(Math.random() * 2 ** 31));
  const rounds = flag('rounds', 5);
  const started = performance.now();
  console.log(`chaos (local stack): seed ${seed}, ${rounds} rounds; ${machineLine()}`);
  const report = await runStackChaos({
    seed,
    rounds,
    steps: flag('steps', 4),
    reconcileIntervalMs: flag('reconcile-ms', 10_000),
    // Issue 11's done-when: full capacity within 3 reconcile intervals of the faults clearing.
    maxIntervalsToFullCapacity: flag('max-intervals', 3),
    log: (line) => console.log(line),
  });
  for (const line of formatStackChaosReport(report)) console.log(line);
  console.log(`wall time ${((performance.now() - started) / 1000).toFixed(1)} s; ${machineLine()}`);
  process.exit(report.violations.length === 0 ? 0 : 1);
}
