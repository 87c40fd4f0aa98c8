/**
 * Season benchmark (npm run bench:season): an NCAA women's gymnastics season (January to
 * April, meets Friday to Monday evenings, 2-3 h each, several at once on busy nights) on a
 * simulated clock and simulated compute (boot times drawn from a seeded log-normal), run
 * through core's real policies for three ways of running the pool:
 *   manual      every VM stopped; the producer's click cold-starts one, release stops it;
 *   PRD static  2 VMs warm around the clock (the PRD), idle extras stopped after 2 h;
 *   vmpool      the schedule planner (planSchedule): VMs ready preWarmMinutes before each
 *               show, released autoReleaseAfterMinutes after it, nothing warm in between.
 * Prints each policy's dollars (from the simulated status history, priced by core's cost
 * functions) and the producers' wait, then one summary line.
 *
 * Flags: --seed N, --pre-warm MIN, --auto-release MIN, --instance-type T, --from yyyy-mm-dd,
 * --to yyyy-mm-dd.
 */
import os from 'node:os';
import { parseArgs } from 'node:util';
import { INSTANCE_HOURLY_PRICES_USD, PRICE_TABLE_SOURCE, bootEstimate } from '../src/index';
import { Rng } from './season/rng';
import { generateSeason } from './season/season';
import {
  DEFAULT_KNOBS,
  POLICY_LABELS,
  floorUsd,
  policyConfig,
  runPolicy,
  seasonSummaryLine,
  showHours,
  type PolicyFigures,
} from './season/setup';
import type { PolicyName } from './season/sim';

const { values } = parseArgs({
  options: {
    seed: { type: 'string', default: '20270108' },
    'pre-warm': { type: 'string', default: String(DEFAULT_KNOBS.preWarmMinutes) },
    'auto-release': { type: 'string', default: String(DEFAULT_KNOBS.autoReleaseAfterMinutes) },
    'instance-type': { type: 'string', default: DEFAULT_KNOBS.instanceType },
    from: { type: 'string', default: '2027-01-01' },
    to: { type: 'string', default: '2027-04-19' },
  },
});

function integer(name: string, text: string | undefined): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0) {
    console.error(`bench:season: --${name} must be a whole number, got ${String(text)}`);
    process.exit(2);
  }
  return value;
}

const seed = integer('seed', values.seed);
const knobs = {
  ...DEFAULT_KNOBS,
  preWarmMinutes: integer('pre-warm', values['pre-warm']),
  autoReleaseAfterMinutes: integer('auto-release', values['auto-release']),
  instanceType: values['instance-type'] ?? DEFAULT_KNOBS.instanceType,
};

const cpus = os.cpus();
console.log(
  `machine: ${cpus[0]?.model ?? 'unknown'} x${cpus.length}, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB, ${os.platform()} ${os.release()}, node ${process.version}`,
);

const started = performance.now();
const season = generateSeason(new Rng(seed), {
  firstDay: values.from ?? '2027-01-01',
  lastDay: values.to ?? '2027-04-19',
  maxBooked: 4,
});
const vmpoolConfig = policyConfig('vmpool', knobs);
const price = INSTANCE_HOURLY_PRICES_USD[knobs.instanceType];
const hours = showHours(season.shows);
console.log(
  `season: ${values.from} .. ${values.to}, seed ${seed}: ${season.shows.length} meets on ${season.nights} nights, up to ${season.maxAtOnce} on air at once, ${hours.toFixed(1)} show hours`,
);
console.log(
  `price: ${knobs.instanceType} ${price === undefined ? '(not in the table)' : `$${price}/h`} (${PRICE_TABLE_SOURCE}); pool of 5 VMs, 4 shows at once (PRD)`,
);
console.log(
  `compute: start-to-ready log-normal, median ${knobs.bootMedianSeconds} s, sigma ${knobs.bootSigma} (launch x1.5); release 60-180 s; stop 30-60 s; warm assign 3-10 s; reconcile every ${knobs.tickMs / 1000} s`,
);
console.log(
  `producers: arrive ${knobs.preWarmMinutes} min before the start and need a ready VM then; manual/static release 2-8 min after the real end; vmpool: preWarmMinutes ${vmpoolConfig.preWarmMinutes}, autoReleaseAfterMinutes ${vmpoolConfig.autoReleaseAfterMinutes}, minWarmVMs 0`,
);

// One seeded random stream per policy, so every policy sees the same kind of luck.
const figures: PolicyFigures[] = (['manual', 'static', 'vmpool'] as PolicyName[]).map(
  (policy, index) => runPolicy(policy, season, knobs, new Rng(seed * 7 + index + 1)),
);

const pad = (text: string, width: number) => text.padEnd(width);
const money = (usd: number) => `$${usd.toFixed(2)}`;
console.log('');
console.log(
  `${pad('policy', 12)}${pad('cost', 11)}${pad('VM hours', 10)}${pad('idle h', 9)}${pad('wait max', 10)}${pad('wait p90', 10)}${pad('waited', 8)}${pad('peak held/VMs', 15)}schedule requests`,
);
for (const entry of figures) {
  console.log(
    `${pad(POLICY_LABELS[entry.policy], 12)}${pad(money(entry.usd), 11)}${pad(entry.billableHours.toFixed(1), 10)}${pad(entry.idleHours.toFixed(1), 9)}${pad(`${Math.ceil(entry.maxWaitSeconds)} s`, 10)}${pad(`${Math.ceil(entry.p90WaitSeconds)} s`, 10)}${pad(`${entry.showsThatWaited}/${season.shows.length}`, 8)}${pad(`${entry.maxHeld}/${entry.maxVms}`, 15)}${entry.policy === 'vmpool' ? `${entry.scheduleRequests.assign} assign, ${entry.scheduleRequests.release} release` : '-'}`,
  );
}

const vmpool = figures.find((entry) => entry.policy === 'vmpool') as PolicyFigures;
const prdStatic = figures.find((entry) => entry.policy === 'static') as PolicyFigures;
const floor = floorUsd(season.shows, vmpoolConfig);
const boot = vmpool.result.bootStats;
if (boot !== null) {
  const estimate = bootEstimate(boot.start, vmpoolConfig.warmupTimeSeconds);
  console.log(
    `\nvmpool's measured start-to-ready at the end: p50 ${estimate.p50Ms / 1000} s, p90 ${estimate.p90Ms / 1000} s over the last ${estimate.samples} starts; lead ${Math.round(estimate.leadMs / 1000)} s`,
  );
}
if (vmpool.conflicts > 0)
  console.log(`vmpool named ${vmpool.conflicts} shows that would not get a VM`);
console.log(
  `goals: W = 0: ${Math.ceil(vmpool.maxWaitSeconds) === 0 ? 'met' : 'NOT met'}; A <= 1.10 x F: ${(vmpool.usd / floor).toFixed(3)} x F, ${vmpool.usd <= 1.1 * floor ? 'met' : 'NOT met'}; A <= 0.40 x S: ${(vmpool.usd / prdStatic.usd).toFixed(3)} x S, ${vmpool.usd <= 0.4 * prdStatic.usd ? 'met' : 'NOT met'}`,
);
console.log(`simulated in ${((performance.now() - started) / 1000).toFixed(1)} s`);
console.log(
  seasonSummaryLine({
    vmpoolUsd: vmpool.usd,
    floorUsd: floor,
    staticUsd: prdStatic.usd,
    maxWaitSeconds: vmpool.maxWaitSeconds,
  }),
);
