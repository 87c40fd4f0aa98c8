import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { COMMAND_OPS, PUSH_ID_PATTERN, scheduleRequestId } from '@vmpool/core';
import { cleanupCommandId } from './cleanup-commands';

describe('cleanupCommandId', () => {
  it('keeps a short base as it is', () => {
    expect(cleanupCommandId('-P8HJ4zaW7rfIYZKymHa', 'archive_recordings')).toBe(
      '-P8HJ4zaW7rfIYZKymHa-archive_recordings',
    );
    expect(cleanupCommandId('r1', 'clear_recordings', 2)).toBe('r1-clear_recordings-r2');
  });

  it("fits the rules' 64 characters for a schedule release of a long competition id (found on the local stack)", () => {
    const requestId = scheduleRequestId(
      'release',
      'winter-invitational-m-2026',
      Date.UTC(2026, 11, 7, 19),
    );
    const id = cleanupCommandId(requestId, 'archive_recordings');
    expect(`${requestId}-archive_recordings`.length).toBeGreaterThan(64);
    expect(id).toMatch(PUSH_ID_PATTERN);
    expect(id.endsWith('-archive_recordings')).toBe(true);
    expect(cleanupCommandId(requestId, 'archive_recordings')).toBe(id);
  });

  it('gives every base, op and run its own valid id', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/), { minLength: 2, maxLength: 5 }),
        (bases) => {
          const ids = new Set<string>();
          for (const base of bases) {
            for (const op of COMMAND_OPS) {
              for (const run of [0, 1, 2]) {
                const id = cleanupCommandId(base, op, run);
                expect(id).toMatch(PUSH_ID_PATTERN);
                ids.add(id);
              }
            }
          }
          expect(ids.size).toBe(bases.length * COMMAND_OPS.length * 3);
        },
      ),
    );
  });
});
