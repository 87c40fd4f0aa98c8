import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { VM_STATUSES, type VmStatus } from '../contract/vm-record';
import { transition, VM_EVENTS, VM_TRANSITIONS } from './vm-status';

const event = fc.constantFrom(...VM_EVENTS);

/** States reachable from where VMs are born: a launch (starting) or an imported stopped VM. */
function reachableFrom(starts: readonly VmStatus[]): Set<VmStatus> {
  const seen = new Set<VmStatus>(starts);
  const queue = [...starts];
  while (queue.length > 0) {
    const from = queue.shift() as VmStatus;
    for (const edge of VM_TRANSITIONS) {
      if (edge.from === from && !seen.has(edge.to)) {
        seen.add(edge.to);
        queue.push(edge.to);
      }
    }
  }
  return seen;
}

describe('state machine properties', () => {
  it('every reachable state has a path back to available or stopped', () => {
    const reachable = reachableFrom(['starting', 'stopped']);
    expect(reachable).toEqual(new Set(VM_STATUSES));
    for (const from of reachable) {
      const back = reachableFrom([from]);
      expect(back.has('available') || back.has('stopped'), `${from} is a dead end`).toBe(true);
    }
  });

  it('allows exactly the transitions the table lists (every status and event)', () => {
    // Small and finite: every pair is checked, not a sample of them.
    for (const from of VM_STATUSES) {
      for (const ev of VM_EVENTS) {
        const edge = VM_TRANSITIONS.find((e) => e.from === from && e.event === ev);
        const result = transition(from, ev);
        if (edge === undefined) {
          expect(result.ok, `${from} --${ev}-->`).toBe(false);
        } else {
          expect(result, `${from} --${ev}-->`).toEqual({ ok: true, to: edge.to });
        }
      }
    }
  });

  it('a random walk only ever moves along table edges', () => {
    fc.assert(
      fc.property(fc.array(event, { maxLength: 60 }), (events) => {
        let current: VmStatus = 'starting';
        for (const ev of events) {
          const result = transition(current, ev);
          if (!result.ok) continue;
          expect(VM_TRANSITIONS).toContainEqual(
            expect.objectContaining({ from: current, event: ev, to: result.to }),
          );
          current = result.to;
        }
        expect(VM_STATUSES).toContain(current);
      }),
    );
  });
});
