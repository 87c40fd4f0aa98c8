import { describe, expect, it } from 'vitest';
import { VM_STATUSES } from '../contract/vm-record';
import {
  adoptedStatus,
  applyStatusChange,
  awaitsReleaseMark,
  canTransition,
  eventsFrom,
  FAILURE_EVENTS,
  failsOnStaleAgent,
  holdsAssignment,
  isAssignable,
  isAssignedOffAir,
  isAwaitingAgent,
  isBillable,
  isCold,
  isFailed,
  isHandedOver,
  isOnAir,
  isReleasing,
  isReleasingForRequest,
  isRunningStatus,
  isStartingForCompetition,
  isStartingForRequest,
  isStopping,
  isTerminating,
  isTransitional,
  isWarm,
  maintenanceOffEvent,
  readyEvent,
  recoverEvent,
  releasingCompetition,
  showEvent,
  STATUS_INFO,
  transition,
  transitionVm,
  VM_EVENT_PHRASES,
  VM_EVENTS,
  VM_TRANSITIONS,
} from './vm-status';
import { vm } from '../../tests/fixtures';

describe('VM_TRANSITIONS', () => {
  it('has at most one edge per (from, event)', () => {
    const keys = VM_TRANSITIONS.map((edge) => `${edge.from}|${edge.event}`);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('uses every event and touches every status', () => {
    expect(new Set(VM_TRANSITIONS.map((edge) => edge.event))).toEqual(new Set(VM_EVENTS));
    const touched = new Set(VM_TRANSITIONS.flatMap((edge) => [edge.from, edge.to]));
    expect(touched).toEqual(new Set(VM_STATUSES));
  });

  it('follows the documented lifecycle', () => {
    expect(transition('stopped', 'cold_assign')).toEqual({ ok: true, to: 'starting' });
    expect(transition('starting', 'agent_ready')).toEqual({ ok: true, to: 'available' });
    expect(transition('starting', 'agent_ready_assigned')).toEqual({ ok: true, to: 'assigned' });
    expect(transition('available', 'assign')).toEqual({ ok: true, to: 'assigned' });
    expect(transition('assigned', 'show_live')).toEqual({ ok: true, to: 'in_use' });
    expect(transition('in_use', 'release')).toEqual({ ok: true, to: 'releasing' });
    expect(transition('releasing', 'release_stop')).toEqual({ ok: true, to: 'stopping' });
    expect(transition('stopping', 'ec2_stopped')).toEqual({ ok: true, to: 'stopped' });
  });

  it('explains a refused transition in words', () => {
    expect(transition('in_use', 'stop_requested')).toEqual({
      ok: false,
      error: 'cannot stop a VM that is in use (possible while in use: take off air, release, fail)',
    });
    expect(canTransition('in_use', 'assign')).toBe(false);
    expect(canTransition('available', 'assign')).toBe(true);
    expect(eventsFrom('stopped')).toContain('cold_assign');
  });

  it('has a phrase for every event, none of them an event name', () => {
    for (const event of VM_EVENTS) {
      expect(VM_EVENT_PHRASES[event]).not.toBe('');
      expect(VM_EVENT_PHRASES[event]).not.toContain('_');
    }
  });

  it('leads into error through the failure events only', () => {
    const intoError = new Set(
      VM_TRANSITIONS.filter((edge) => edge.to === 'error').map((edge) => edge.event),
    );
    expect(intoError).toEqual(new Set(FAILURE_EVENTS));
    for (const edge of VM_TRANSITIONS) {
      if ((FAILURE_EVENTS as readonly string[]).includes(edge.event)) expect(edge.to).toBe('error');
    }
  });
});

describe('transitionVm', () => {
  it('checks the assignment fits the event', () => {
    expect(
      transitionVm({ vmId: 'vm-001', status: 'available', assignedTo: null }, 'assign'),
    ).toEqual({ ok: true, to: 'assigned' });
    expect(
      transitionVm({ vmId: 'vm-001', status: 'error', assignedTo: 'c1' }, 'stop_requested'),
    ).toEqual({
      ok: false,
      error: 'vm-001: cannot stop: still assigned to c1',
    });
    expect(
      transitionVm({ vmId: 'vm-001', status: 'assigned', assignedTo: null }, 'release'),
    ).toEqual({
      ok: false,
      error: 'vm-001: cannot release: not assigned to a competition',
    });
    expect(
      transitionVm({ vmId: 'vm-001', status: 'stopped', assignedTo: null }, 'show_live'),
    ).toMatchObject({
      ok: false,
      error: expect.stringMatching(/^vm-001: cannot put on air a VM that is stopped/),
    });
    expect(
      transitionVm({ vmId: 'vm-001', status: 'releasing', assignedTo: 'c1' }, 'release_done'),
    ).toEqual({ ok: true, to: 'available' });
  });
});

describe('status predicates', () => {
  it('knows which statuses are assignable, warm, cold, transitional and running', () => {
    expect(VM_STATUSES.filter(isAssignable)).toEqual(['available', 'stopped']);
    expect(VM_STATUSES.filter(isWarm)).toEqual(['available']);
    expect(VM_STATUSES.filter(isCold)).toEqual(['stopped']);
    expect(VM_STATUSES.filter(isTransitional)).toEqual([
      'releasing',
      'starting',
      'stopping',
      'terminating',
    ]);
    expect(VM_STATUSES.filter(isRunningStatus)).toEqual([
      'available',
      'assigned',
      'in_use',
      'releasing',
    ]);
    expect(VM_STATUSES.filter(isOnAir)).toEqual(['in_use']);
  });

  it('resolves "depends" billing from the EC2 state', () => {
    expect(isBillable('available')).toBe(true);
    expect(isBillable('stopped')).toBe(false);
    expect(isBillable('error', 'running')).toBe(true);
    expect(isBillable('error', 'pending')).toBe(true);
    expect(isBillable('maintenance', 'stopped')).toBe(false);
    expect(isBillable('maintenance')).toBe(false);
  });

  it('counts held assignments, including a cold assign that is still starting', () => {
    expect(holdsAssignment({ status: 'assigned', assignedTo: 'c1' })).toBe(true);
    expect(holdsAssignment({ status: 'in_use', assignedTo: 'c1' })).toBe(true);
    expect(holdsAssignment({ status: 'releasing', assignedTo: null })).toBe(true);
    expect(holdsAssignment({ status: 'starting', assignedTo: 'c1' })).toBe(true);
    expect(holdsAssignment({ status: 'error', assignedTo: 'c1' })).toBe(true);
    expect(holdsAssignment({ status: 'starting', assignedTo: null })).toBe(false);
    expect(holdsAssignment({ status: 'available', assignedTo: 'stale' })).toBe(false);
    expect(holdsAssignment({ status: 'stopped', assignedTo: 'stale' })).toBe(false);
  });

  it('has a label and colour for every status, with the PRD colours', () => {
    expect(STATUS_INFO.available.colour).toBe('green');
    expect(STATUS_INFO.assigned.colour).toBe('blue');
    expect(STATUS_INFO.in_use.colour).toBe('purple');
    expect(STATUS_INFO.stopped.colour).toBe('gray');
    expect(STATUS_INFO.starting.colour).toBe('yellow');
    expect(STATUS_INFO.error.colour).toBe('red');
    for (const status of VM_STATUSES) expect(STATUS_INFO[status].label).not.toBe('');
  });

  it('picks the event that fits the assignment and EC2 state', () => {
    expect(readyEvent({ assignedTo: null })).toBe('agent_ready');
    expect(readyEvent({ assignedTo: 'c1' })).toBe('agent_ready_assigned');
    expect(recoverEvent({ assignedTo: null })).toBe('recover');
    expect(recoverEvent({ assignedTo: 'c1' })).toBe('recover_assigned');
    expect(maintenanceOffEvent('stopped')).toBe('maintenance_off_stopped');
    expect(maintenanceOffEvent('stopping')).toBe('maintenance_off_stopped');
    expect(maintenanceOffEvent('running')).toBe('maintenance_off');
  });
});

describe('lifecycle predicates', () => {
  it('names each status a use case waits on', () => {
    expect(VM_STATUSES.filter(isAwaitingAgent)).toEqual(['starting']);
    expect(VM_STATUSES.filter(isReleasing)).toEqual(['releasing']);
    expect(VM_STATUSES.filter(isStopping)).toEqual(['stopping']);
    expect(VM_STATUSES.filter(isTerminating)).toEqual(['terminating']);
    expect(VM_STATUSES.filter(isFailed)).toEqual(['error']);
    expect(VM_STATUSES.filter(isAssignedOffAir)).toEqual(['assigned']);
    expect(VM_STATUSES.filter(isHandedOver)).toEqual(['assigned', 'in_use']);
  });

  it('fails a stale agent only where the VM serves and no release runs', () => {
    expect(VM_STATUSES.filter(failsOnStaleAgent)).toEqual(['available', 'assigned', 'in_use']);
  });

  it('tells whose start or release a VM is in', () => {
    const starting = { status: 'starting', assignedTo: 'c1', requestId: 'r1' } as const;
    expect(isStartingForCompetition(starting, 'c1')).toBe(true);
    expect(isStartingForCompetition(starting, 'c2')).toBe(false);
    expect(isStartingForCompetition({ ...starting, status: 'assigned' }, 'c1')).toBe(false);
    expect(isStartingForRequest(starting, 'r1')).toBe(true);
    expect(isStartingForRequest(starting, 'r2')).toBe(false);
    expect(isStartingForRequest({ ...starting, requestId: null }, null)).toBe(true);
    expect(isStartingForRequest({ ...starting, status: 'error' }, 'r1')).toBe(false);

    const releasing = { status: 'releasing', assignedTo: 'c1', requestId: 'r9' } as const;
    expect(isReleasingForRequest(releasing, 'r9')).toBe(true);
    expect(isReleasingForRequest(releasing, 'r1')).toBe(false);
    expect(isReleasingForRequest({ ...releasing, status: 'stopping' }, 'r9')).toBe(false);
    expect(releasingCompetition(releasing)).toBe('c1');
    expect(releasingCompetition({ ...releasing, assignedTo: null })).toBeNull();
    expect(releasingCompetition({ ...releasing, status: 'in_use' })).toBeNull();
  });

  it('marks a release only on a VM the competition holds and that is not releasing yet', () => {
    expect(awaitsReleaseMark({ status: 'in_use', assignedTo: 'c1' }, 'c1')).toBe(true);
    expect(awaitsReleaseMark({ status: 'error', assignedTo: 'c1' }, 'c1')).toBe(true);
    expect(awaitsReleaseMark({ status: 'releasing', assignedTo: 'c1' }, 'c1')).toBe(false);
    expect(awaitsReleaseMark({ status: 'assigned', assignedTo: 'c2' }, 'c1')).toBe(false);
  });

  it('derives the show event from the streaming flag', () => {
    expect(showEvent('assigned', true)).toBe('show_live');
    expect(showEvent('in_use', false)).toBe('show_ended');
    expect(showEvent('assigned', false)).toBeNull();
    expect(showEvent('in_use', true)).toBeNull();
    expect(showEvent('available', true)).toBeNull();
    for (const status of VM_STATUSES) {
      for (const streaming of [true, false]) {
        const event = showEvent(status, streaming);
        if (event !== null) expect(canTransition(status, event)).toBe(true);
      }
    }
  });

  it('adopts a tagged instance in the status its EC2 state implies', () => {
    expect(adoptedStatus('pending')).toBe('starting');
    expect(adoptedStatus('running')).toBe('starting');
    expect(adoptedStatus('stopped')).toBe('stopped');
    expect(adoptedStatus('stopping')).toBe('stopping');
    expect(adoptedStatus('shutting-down')).toBeNull();
    expect(adoptedStatus('terminated')).toBeNull();
    expect(adoptedStatus('unknown')).toBeNull();
  });
});

describe('applyStatusChange', () => {
  const NOW = 1_800_000_000_000;

  it('sets the error cause on the way into error and clears it on the way out', () => {
    const running = vm({ vmId: 'vm-001', status: 'available', deadlineRetries: 1 });
    const failed = applyStatusChange(
      running,
      { event: 'fail', reason: 'agent stopped reporting', cause: 'agent_stale' },
      NOW,
    );
    expect(failed).toEqual({
      ok: true,
      vm: {
        ...running,
        status: 'error',
        statusChangedAt: NOW,
        statusReason: 'agent stopped reporting',
        errorCause: 'agent_stale',
        deadlineRetries: 0,
      },
    });
    if (!failed.ok) return;
    const recovered = applyStatusChange(failed.vm, { event: 'recover', reason: 'back' }, NOW + 1);
    expect(recovered).toMatchObject({
      ok: true,
      vm: { status: 'available', errorCause: null, statusReason: 'back' },
    });
  });

  it('refuses what the state machine refuses, with its reason', () => {
    const live = vm({ vmId: 'vm-001', status: 'in_use', assignedTo: 'c1' });
    expect(applyStatusChange(live, { event: 'stop_requested', reason: 'x' }, NOW)).toEqual({
      ok: false,
      error:
        'vm-001: cannot stop a VM that is in use (possible while in use: take off air, release, fail)',
    });
  });
});
