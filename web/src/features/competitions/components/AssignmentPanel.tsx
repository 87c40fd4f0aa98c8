/**
 * The VM setup page's assignment panel: which VM the competition holds and at what address,
 * and assign / change / release with the release options and the request's progress.
 */
import type { VmRecord } from '@vmpool/core';
import { useId, useState } from 'react';
import { Spinner } from '../../../components/StateBox';
import { formatAgo } from '../../../lib/format';
import { vmActionAvailability, vmReadiness, type VMPoolView } from '../../pool';
import { RequestProgress } from '../../requests';
import type { CompetitionSummary } from '../api/competitions';
import { useVmAssignment } from '../hooks/useVmAssignment';
import { CompetitionVmBadge } from './CompetitionVmBadge';

export function AssignmentPanel({
  competition,
  vm,
  pool,
  now,
}: {
  competition: CompetitionSummary;
  vm: VmRecord | undefined;
  pool: VMPoolView;
  now: number;
}) {
  const assignment = useVmAssignment(competition.id, vm, pool);
  const { current, request, foreignRunning, changing, inFlight } = assignment;
  const [archive, setArchive] = useState(true);
  const [stopAfter, setStopAfter] = useState(false);
  const [preferred, setPreferred] = useState('');
  const ids = useId();
  const hasVm = vm !== undefined || competition.vmId !== null;
  // Change and release both start with a release, which the state machine may not allow yet.
  const releasable = vm === undefined || vmActionAvailability(vm).release;
  const candidates = pool.availableVMs.filter((candidate) => candidate.vmId !== vm?.vmId);
  const preferredVmId = preferred === '' ? undefined : preferred;
  const releaseOptions = { archiveRecordings: archive, stopVM: stopAfter };
  const releaseBusy = inFlight && !changing && !foreignRunning && current?.action === 'release';

  return (
    <section className="panel" aria-label="Assignment">
      <div className="panel-head">
        <h2>Assignment</h2>
        <CompetitionVmBadge
          competition={competition}
          vm={vm}
          readiness={vm === undefined ? null : vmReadiness(vm, pool.poolConfig, now)}
        />
      </div>
      <div className="panel-body" style={{ display: 'flex', flexDirection: 'column', gap: 12 }}>
        <dl className="kv">
          <dt>VM</dt>
          <dd className="mono">{vm?.vmId ?? competition.vmId ?? 'none'}</dd>
          <dt>Address</dt>
          {competition.vmAddress !== null ? (
            <dd className="mono">{competition.vmAddress}</dd>
          ) : (
            <dd className="muted">{hasVm ? 'waiting for the VM to be ready' : '—'}</dd>
          )}
          {vm?.assignedAt != null && (
            <>
              <dt>Assigned</dt>
              <dd>{formatAgo(vm.assignedAt, now)}</dd>
            </>
          )}
          {vm !== undefined && vm.statusReason !== '' && (
            <>
              <dt>Status</dt>
              <dd>{vm.statusReason}</dd>
            </>
          )}
        </dl>
        {foreignRunning && (
          <RequestProgress title="Getting the VM ready" result={request.result} now={now} />
        )}
        {current !== undefined && (
          <RequestProgress
            title={current.title}
            result={request.result}
            now={now}
            error={current.submitError ?? request.error}
            onDismiss={assignment.dismiss}
          />
        )}
        {assignment.changeError !== null && (
          <div className="callout callout-error" role="alert">
            {assignment.changeError}
          </div>
        )}
        <div className="field">
          <label htmlFor={`${ids}-preferred`}>{hasVm ? 'Change to' : 'VM'}</label>
          <select
            id={`${ids}-preferred`}
            value={preferred}
            onChange={(event) => setPreferred(event.target.value)}
          >
            <option value="">Any ready VM (or a cold start)</option>
            {candidates.map((candidate) => (
              <option key={candidate.vmId} value={candidate.vmId}>
                {candidate.vmId}
                {candidate.publicIp === null ? '' : ` (${candidate.publicIp})`}
              </option>
            ))}
          </select>
        </div>
        {hasVm && (
          <fieldset style={{ border: 'none', padding: 0, margin: 0, display: 'flex', gap: 16 }}>
            <legend className="field-label" style={{ padding: 0, marginBottom: 6 }}>
              When releasing
            </legend>
            <label className="checkbox">
              <input
                type="checkbox"
                checked={archive}
                onChange={(event) => setArchive(event.target.checked)}
              />
              Archive recordings
            </label>
            <label className="checkbox">
              <input
                type="checkbox"
                checked={stopAfter}
                onChange={(event) => setStopAfter(event.target.checked)}
              />
              Stop the VM
            </label>
          </fieldset>
        )}
        <div className="btn-row">
          {!hasVm ? (
            <button
              type="button"
              className="btn btn-primary"
              onClick={() => assignment.assign(preferredVmId)}
              disabled={inFlight}
              aria-busy={inFlight}
            >
              {inFlight && <Spinner />}
              Assign VM
            </button>
          ) : (
            <>
              <button
                type="button"
                className="btn"
                onClick={() => void assignment.change(preferredVmId, releaseOptions)}
                disabled={inFlight || !releasable}
              >
                {changing && <Spinner />}
                Change VM
              </button>
              <button
                type="button"
                className="btn btn-danger"
                onClick={() => assignment.release(releaseOptions)}
                disabled={inFlight || !releasable}
                aria-busy={releaseBusy}
              >
                {releaseBusy && <Spinner />}
                Release VM
              </button>
            </>
          )}
        </div>
      </div>
    </section>
  );
}
