import { describe, expect, it } from 'vitest';
import { manualClock } from '@vmpool/core/ports';
import { MemoryCompute } from '../src/adapters/memory';
import { testDeps, T0 } from './support/deps';
import {
  addCompetition,
  readResult,
  request,
  seedVm,
  submit,
  writeConfig,
} from './support/fixtures';
import { useTestDatabase } from './support/rtdb';

const env = useTestDatabase();

async function pool() {
  const clock = manualClock(T0);
  const compute = new MemoryCompute({ clock });
  const deps = testDeps(env.admin.db, { clock, compute });
  await writeConfig(env.admin.db, { minWarmVMs: 0 });
  await addCompetition(env.admin.db, 'meet-1', 'producer-1');
  await addCompetition(env.admin.db, 'meet-2', 'producer-2');
  await seedVm(env.admin.db, compute, 'vm-001', 'available', T0);
  return deps;
}

describe('bad requests fail with a coded error in result', () => {
  const cases: [string, Record<string, unknown>, string][] = [
    ['an unknown action', request('explode', { vmId: 'vm-001' }), 'INVALID_REQUEST'],
    ['a missing competition id', request('assign', {}), 'INVALID_REQUEST'],
    [
      'an unknown competition',
      request('assign', { competitionId: 'nope' }),
      'COMPETITION_NOT_FOUND',
    ],
    [
      'a producer asking for another show',
      request('assign', { competitionId: 'meet-2' }, 'producer-1'),
      'FORBIDDEN',
    ],
    [
      'a producer asking for an admin action',
      request('stop', { vmId: 'vm-001' }, 'producer-1'),
      'FORBIDDEN',
    ],
    ['an unknown VM', request('start', { vmId: 'vm-999' }), 'VM_NOT_FOUND'],
    ['a VM in the wrong state', request('start', { vmId: 'vm-001' }), 'INVALID_STATE'],
    ['a launch without AMI', request('launch', {}), 'CONFIG_INCOMPLETE'],
  ];

  it.each(cases)('%s', async (_name, payload, code) => {
    const deps = await pool();
    await submit(deps, env.admin.db, 'bad', payload);
    const result = await readResult(env.admin.db, 'bad');
    expect(result?.state).toBe('failed');
    expect(result?.error?.code).toBe(code);
    expect(result?.error?.message.length).toBeGreaterThan(10);
  });

  it('a release of another show is forbidden and leaves the VM alone', async () => {
    const deps = await pool();
    await submit(
      deps,
      env.admin.db,
      'a1',
      request('assign', { competitionId: 'meet-2' }, 'producer-2'),
    );
    await submit(
      deps,
      env.admin.db,
      'r1',
      request('release', { competitionId: 'meet-2' }, 'producer-1'),
    );
    expect((await readResult(env.admin.db, 'r1'))?.error?.code).toBe('FORBIDDEN');
    expect((await readResult(env.admin.db, 'a1'))?.state).toBe('succeeded');
  });
});
