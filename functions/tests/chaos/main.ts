// `npm run chaos -- --sim [--seed S --rounds N]`: the in-process chaos suite (chaos.ts) with its figures.
import { formatChaosReport, runChaos } from './chaos';
import { integerFlag as flag } from './seeded';

const seed = flag('seed', Math.floor(Math.random() * 2 ** 31));
const rounds = flag('rounds', 10);
const started = performance.now();
const report = await runChaos({ seed, rounds, log: (line) => console.log(line) });
for (const line of formatChaosReport(report)) console.log(line);
console.log(`wall time ${((performance.now() - started) / 1000).toFixed(1)} s`);
process.exit(report.violations.length === 0 ? 0 : 1);
