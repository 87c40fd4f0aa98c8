import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseAgentReport } from './agent-report';
import { parseAlert } from './alert';
import { parseAuditEntry } from './audit';
import { parseVmCommand } from './command';
import { parseCompetitionConfig } from './competition';
import type { Parsed } from './parsed';
import { parsePoolConfig, POOL_CONFIG_LIMITS } from './pool-config';
import { parsePoolRequest, parseRequestResult } from './request';
import { parseVmRecord } from './vm-record';

const validators: Record<string, (raw: unknown) => Parsed<unknown>> = {
  parsePoolConfig,
  parseVmRecord,
  parseAgentReport,
  parsePoolRequest,
  parseRequestResult,
  parseVmCommand,
  parseAlert,
  parseCompetitionConfig,
  parseAuditEntry,
};

describe('validator properties', () => {
  it.each(Object.entries(validators))(
    '%s never throws and explains every refusal',
    (_name, parse) => {
      fc.assert(
        fc.property(fc.anything(), (raw) => {
          const result = parse(raw);
          if (!result.ok) {
            expect(result.errors.length).toBeGreaterThan(0);
            for (const line of result.errors) expect(line).toMatch(/^[^:]+: .+/);
          }
        }),
        { numRuns: 300 },
      );
    },
  );

  it('accepts every config within the documented limits and invariants', () => {
    const L = POOL_CONFIG_LIMITS;
    const arb = fc
      .record({
        maxTotalVMs: fc.integer({ min: L.maxTotalVMs.min, max: L.maxTotalVMs.max }),
        minWarmFraction: fc.double({ min: 0, max: 1, noNaN: true }),
        concurrentFraction: fc.double({ min: 0, max: 1, noNaN: true }),
        autoStopAfterHours: fc.oneof(
          fc.constant(0),
          fc.double({ min: L.autoStopAfterHours.min, max: L.autoStopAfterHours.max, noNaN: true }),
        ),
        agentStaleSeconds: fc.integer({
          min: L.agentStaleSeconds.min,
          max: L.agentStaleSeconds.max,
        }),
      })
      .map(
        ({
          maxTotalVMs,
          minWarmFraction,
          concurrentFraction,
          autoStopAfterHours,
          agentStaleSeconds,
        }) => ({
          maxTotalVMs,
          minWarmVMs: Math.min(L.minWarmVMs.max, Math.floor(minWarmFraction * maxTotalVMs)),
          maxConcurrent: Math.max(1, Math.floor(concurrentFraction * maxTotalVMs)),
          autoStopAfterHours,
          agentStaleSeconds,
        }),
      );
    fc.assert(
      fc.property(arb, (raw) => {
        const parsed = parsePoolConfig(raw);
        expect(parsed).toMatchObject({ ok: true, value: raw });
      }),
      { numRuns: 300 },
    );
  });
});
