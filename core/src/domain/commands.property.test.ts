import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isValidCompetitionId } from '../contract/ids';
import { LOG_UNITS } from '../contract/command';
import { buildCommandArgv, PRODUCTION_COMMAND_ENV, type CommandEnv } from './commands';

const env: CommandEnv = {
  ...PRODUCTION_COMMAND_ENV,
  archive: { ...PRODUCTION_COMMAND_ENV.archive, bucket: 'gg-recordings' },
};

describe('command argv properties', () => {
  it('any competition id is either rejected or lands inside one argv element untouched', () => {
    // Half the inputs are valid ids, so that the accepting branch is exercised too.
    const competitionIds = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 200 }),
      fc.stringMatching(/^[A-Za-z0-9_-]{1,128}$/),
    );
    fc.assert(
      fc.property(competitionIds, (competitionId) => {
        const built = buildCommandArgv('archive_recordings', { competitionId }, env);
        if (!built.ok) {
          expect(isValidCompetitionId(competitionId)).toBe(false);
          return;
        }
        const steps = built.value;
        expect(steps).toHaveLength(1);
        expect(steps[0]).toEqual([...env.archive.argv, 'gg-recordings', competitionId]);
        expect(competitionId).toMatch(/^[A-Za-z0-9_-]+$/);
      }),
      { numRuns: 1000 },
    );
  });

  it('any view_logs input is either rejected or yields a bounded line count from the allowlist', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.anything(), fc.constantFrom(...LOG_UNITS)),
        fc.oneof(fc.anything(), fc.integer({ min: -5, max: 600 })),
        (unit, lines) => {
          const built = buildCommandArgv('view_logs', { unit, lines }, env);
          if (!built.ok) {
            const validUnit =
              unit === undefined || (LOG_UNITS as readonly unknown[]).includes(unit);
            const validLines =
              lines === undefined ||
              (Number.isInteger(lines) && Number(lines) >= 1 && Number(lines) <= 500);
            expect(validUnit && validLines).toBe(false);
            return;
          }
          const argv = built.value[0] ?? [];
          expect(argv).toHaveLength(env.logs.length + 2);
          expect(argv.slice(0, env.logs.length)).toEqual(env.logs);
          expect(LOG_UNITS).toContain(argv[env.logs.length]);
          expect(argv[env.logs.length + 1]).toMatch(/^[1-9][0-9]{0,2}$/);
          const count = Number(argv[env.logs.length + 1]);
          expect(count >= 1 && count <= 500).toBe(true);
        },
      ),
      { numRuns: 500 },
    );
  });
});
