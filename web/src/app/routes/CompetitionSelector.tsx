/**
 * `/` (PRD P16-05): the competitions this user may see, each with its VM, assign/release, and
 * links to the producer and talent views that stay disabled until a VM is ready.
 */
import type { PoolConfig, VmRecord } from '@vmpool/core';
import { useId } from 'react';
import { EmptyState, ErrorState, LoadingState, Spinner } from '../../components/StateBox';
import {
  CompetitionVmBadge,
  ShowTimesEditor,
  type CompetitionSummary,
  type CompetitionsView,
} from '../../features/competitions';
import { useVMPool, vmActionAvailability, vmReadiness } from '../../features/pool';
import {
  RequestProgress,
  isFinished,
  useRequest,
  useTrackedRequests,
  type TrackedRequest,
} from '../../features/requests';
import { useNow } from '../../hooks/useNow';
import { competitionPath, Link } from '../../lib/router';
import { useSession } from '../../lib/session';

export function CompetitionSelector({ competitions }: { competitions: CompetitionsView }) {
  const { user } = useSession();
  const pool = useVMPool();
  const { tracked, track, dismiss } = useTrackedRequests();
  const now = useNow(1000);

  return (
    <div className="page">
      <div className="page-head">
        <div>
          <h1>Competitions</h1>
          <p>
            {user.roles.admin
              ? 'Every competition. Assign a VM to get a show ready; release it afterwards.'
              : 'Your competitions. Assign a VM to get your show ready; release it afterwards.'}
          </p>
        </div>
        {user.roles.admin && (
          <Link to="/admin/vm-pool" className="btn">
            Manage VM pool →
          </Link>
        )}
      </div>
      {!pool.isLoading && pool.poolConfig !== null && (
        <div className="muted" aria-label="Pool summary">
          {pool.availableVMs.length} VM{pool.availableVMs.length === 1 ? '' : 's'} ready to assign ·{' '}
          {pool.stoppedVMs.length} stopped (cold start takes a few minutes)
        </div>
      )}
      {competitions.error !== null && (
        <ErrorState title="Competitions could not be loaded." message={competitions.error} />
      )}
      {pool.error !== null && (
        <ErrorState title="The VM pool could not be loaded." message={pool.error} />
      )}
      {competitions.isLoading ? (
        <LoadingState label="Loading competitions…" />
      ) : competitions.competitions.length === 0 ? (
        <div className="panel">
          <EmptyState title="No competitions">
            <p>
              {user.roles.admin
                ? 'There are no competitions in the database yet.'
                : 'You have no competitions yet. Ask an admin to give you access.'}
            </p>
          </EmptyState>
        </div>
      ) : (
        <section className="comp-list" aria-label="Competitions">
          {competitions.competitions.map((competition) => (
            <CompetitionCard
              key={competition.id}
              competition={competition}
              vm={pool.getVMForCompetition(competition.id)}
              poolConfig={pool.poolConfig}
              canEditSchedule={user.roles.admin || user.roles.producer}
              now={now}
              tracked={tracked[competition.id]}
              onAssign={() =>
                void track(competition.id, 'assign', `Assign a VM to ${competition.name}`, () =>
                  pool.assignVM(competition.id),
                )
              }
              onRelease={() =>
                void track(competition.id, 'release', `Release the VM of ${competition.name}`, () =>
                  pool.releaseVM(competition.id),
                )
              }
              onDismiss={() => dismiss(competition.id)}
            />
          ))}
        </section>
      )}
    </div>
  );
}

interface CompetitionCardProps {
  competition: CompetitionSummary;
  vm: VmRecord | undefined;
  poolConfig: PoolConfig | null;
  /** Admins, and producers (who only see their own competitions). */
  canEditSchedule: boolean;
  now: number;
  tracked: TrackedRequest | undefined;
  onAssign(): void;
  onRelease(): void;
  onDismiss(): void;
}

function CompetitionCard({
  competition,
  vm,
  poolConfig,
  canEditSchedule,
  now,
  tracked,
  onAssign,
  onRelease,
  onDismiss,
}: CompetitionCardProps) {
  // Our own request, or the one driving the VM now (e.g. a cold start begun elsewhere).
  const request = useRequest(
    tracked?.requestId ?? (tracked === undefined ? (vm?.requestId ?? null) : null),
  );
  const foreignRunning =
    tracked === undefined && request.result !== null && !isFinished(request.result);
  const inFlight =
    foreignRunning ||
    (tracked !== undefined && tracked.submitError === null && !isFinished(request.result));
  // Only the button whose request is in flight spins (an assign turns Assign into Release).
  const busyWith = (action: string) => inFlight && !foreignRunning && tracked?.action === action;
  const hasVm = vm !== undefined || competition.vmId !== null;
  const releasable = vm === undefined || vmActionAvailability(vm).release;
  const readiness = vm === undefined ? null : vmReadiness(vm, poolConfig, now);
  // The address says the control plane handed the VM over; the verdict says it still answers.
  const ready = competition.vmAddress !== null && readiness?.ready === true;
  const notReadyReason = !hasVm
    ? 'Assign a VM first'
    : readiness?.flagged === true
      ? (readiness.reason ?? 'VM not ready')
      : 'Available once the VM is ready';
  const reasonId = useId();
  const meta = [competition.meetDate, competition.venue, competition.gender].filter(
    (part) => part !== null,
  );

  return (
    <article className="panel comp-card" aria-label={`Competition ${competition.name}`}>
      <div className="comp-card-head">
        <div>
          <h2>{competition.name}</h2>
          <div className="comp-meta">{meta.length > 0 ? meta.join(' · ') : competition.id}</div>
        </div>
        <CompetitionVmBadge competition={competition} vm={vm} readiness={readiness} />
      </div>
      <ShowTimesEditor competition={competition} canEdit={canEditSchedule} now={now} />
      {competition.problem !== null && (
        <div className="callout callout-error">
          Competition config is invalid: {competition.problem}
        </div>
      )}
      {competition.vmAddress !== null && (
        <div className="comp-meta">
          Show server at <span className="mono">{competition.vmAddress}</span>
        </div>
      )}
      {readiness?.flagged === true && (
        <div className="callout callout-error" id={reasonId}>
          {readiness.reason}. Producer and Talent stay disabled until it is healthy again.
        </div>
      )}
      {foreignRunning && (
        <RequestProgress title="Getting the VM ready" result={request.result} now={now} />
      )}
      {tracked !== undefined && (
        <RequestProgress
          title={tracked.title}
          result={request.result}
          now={now}
          error={tracked.submitError ?? request.error}
          onDismiss={onDismiss}
        />
      )}
      <div className="btn-row">
        {!hasVm ? (
          <button
            type="button"
            className="btn btn-primary btn-small"
            onClick={onAssign}
            disabled={inFlight}
            aria-busy={busyWith('assign')}
          >
            {busyWith('assign') && <Spinner />}
            Assign VM
          </button>
        ) : (
          <button
            type="button"
            className="btn btn-danger btn-small"
            onClick={onRelease}
            disabled={inFlight || !releasable}
            title={releasable ? undefined : 'The VM cannot be released in its current state'}
            aria-busy={busyWith('release')}
          >
            {busyWith('release') && <Spinner />}
            Release VM
          </button>
        )}
        <Link to={competitionPath(competition.id, 'vm-setup')} className="btn btn-small">
          VM setup
        </Link>
        <span className="header-spacer" />
        <div className="comp-links">
          {(['producer', 'talent'] as const).map((view) =>
            ready ? (
              <Link key={view} to={competitionPath(competition.id, view)} className="btn btn-small">
                {view === 'producer' ? 'Producer' : 'Talent'}
              </Link>
            ) : (
              <span
                key={view}
                className="btn btn-small"
                role="link"
                aria-disabled="true"
                title={notReadyReason}
                aria-describedby={readiness?.flagged === true ? reasonId : undefined}
              >
                {view === 'producer' ? 'Producer' : 'Talent'}
              </span>
            ),
          )}
        </div>
      </div>
    </article>
  );
}
