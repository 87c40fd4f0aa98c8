/**
 * `/{compId}/vm-setup` (PRD 5.2): the competition's VM assignment, assign / change / release,
 * connection test, service status and quick actions with live command output.
 */
import { isTransitional, POOL_ALERT_SCOPE, type VmRecord } from '@vmpool/core';
import { useId, useMemo, useState } from 'react';
import { ErrorState, Spinner } from '../../components/StateBox';
import { AlertPanel, useAlerts } from '../../features/alerts';
import { CommandConsole, type QuickAction } from '../../features/commands';
import {
  CompetitionVmBadge,
  VmStatusWidget,
  type CompetitionSummary,
  type CompetitionsView,
  useConnectionTest,
  type ConnectionTestView,
  CompetitionGate,
} from '../../features/competitions';
import {
  ServiceDots,
  useVMPool,
  type VMPoolView,
  agentPresence,
  vmActionAvailability,
  vmReadiness,
} from '../../features/pool';
import {
  RequestProgress,
  isFinished,
  waitForFinalResult,
  useRequest,
  useTrackedRequests,
} from '../../features/requests';
import { useNow } from '../../hooks/useNow';
import { formatAgo } from '../../lib/format';
import { Link } from '../../lib/router';
import { useSession } from '../../lib/session';

const QUICK_ACTIONS: readonly QuickAction[] = [
  { op: 'restart_obs', label: 'Restart OBS' },
  { op: 'update_code', label: 'Update code' },
  { op: 'view_logs', label: 'View logs', args: { unit: 'showServer', lines: 100 } },
  { op: 'check_services', label: 'Check services' },
];

export function VmSetupPage({
  competitionId,
  competitions,
}: {
  competitionId: string;
  competitions: CompetitionsView;
}) {
  return (
    <CompetitionGate competitionId={competitionId} competitions={competitions}>
      {(competition) => <VmSetup competition={competition} />}
    </CompetitionGate>
  );
}

function VmSetup({ competition }: { competition: CompetitionSummary }) {
  const { user } = useSession();
  const pool = useVMPool();
  const now = useNow(1000);
  const vm = pool.getVMForCompetition(competition.id);
  const connection = useConnectionTest(competition.vmAddress);
  const alerts = useAlerts(useMemo(() => [competition.id, POOL_ALERT_SCOPE], [competition.id]));
  const staleSeconds = pool.poolConfig?.agentStaleSeconds ?? 60;

  return (
    <div className="page">
      <div className="page-head">
        <div>
          <div className="breadcrumb">
            <Link to="/">Competitions</Link> / {competition.name}
          </div>
          <h1>VM setup</h1>
          <p>{competition.name}</p>
        </div>
        <VmStatusWidget
          vmAddress={competition.vmAddress}
          vm={vm}
          connection={connection}
          now={now}
          poolConfig={pool.poolConfig}
        />
      </div>
      {pool.error !== null && (
        <ErrorState title="The VM pool could not be loaded." message={pool.error} />
      )}
      <div className="grid-2">
        <AssignmentPanel competition={competition} vm={vm} pool={pool} now={now} />
        <ConnectionPanel competition={competition} connection={connection} />
        <ServicePanel vm={vm} now={now} staleSeconds={staleSeconds} />
        <AlertPanel
          alerts={alerts.alerts.filter((alert) => alert.level !== 'critical')}
          now={now}
          onAcknowledge={alerts.acknowledgeAlert}
          onAcknowledgeAll={alerts.acknowledgeAll}
          canAcknowledge={alerts.canAcknowledge}
          levels={['warning', 'info']}
          title="Warnings"
          className="warning-panel"
          defaultOpen={alerts.warningCount > 0}
        />
      </div>
      {user.roles.admin && vm !== undefined && (
        <section className="panel" aria-label="Quick actions">
          <div className="panel-head">
            <h2>Quick actions on {vm.vmId}</h2>
            <span className="faint">admins only</span>
          </div>
          <div className="panel-body">
            <CommandConsole
              vmId={vm.vmId}
              competitionId={competition.id}
              quickActions={QUICK_ACTIONS}
            />
          </div>
        </section>
      )}
    </div>
  );
}

function AssignmentPanel({
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
  const { tracked, track, dismiss } = useTrackedRequests();
  const current = tracked.assignment;
  // Our own request, or the one driving the VM now (e.g. a cold start begun elsewhere).
  const followId = current?.requestId ?? (current === undefined ? (vm?.requestId ?? null) : null);
  const request = useRequest(followId);
  const foreignRunning =
    current === undefined && request.result !== null && !isFinished(request.result);
  const [archive, setArchive] = useState(true);
  const [stopAfter, setStopAfter] = useState(false);
  const [preferred, setPreferred] = useState('');
  const [changing, setChanging] = useState(false);
  const [changeError, setChangeError] = useState<string | null>(null);
  const ids = useId();
  const inFlight =
    changing ||
    (current !== undefined && current.submitError === null && !isFinished(request.result));
  const hasVm = vm !== undefined || competition.vmId !== null;
  // Change and release both start with a release, which the state machine may not allow yet.
  const releasable = vm === undefined || vmActionAvailability(vm).release;
  const candidates = pool.availableVMs.filter((candidate) => candidate.vmId !== vm?.vmId);

  const assign = () =>
    void track('assignment', 'assign', 'Assign VM', () =>
      pool.assignVM(competition.id, preferred === '' ? undefined : preferred),
    );
  const release = () =>
    void track('assignment', 'release', 'Release VM', () =>
      pool.releaseVM(competition.id, { archiveRecordings: archive, stopVM: stopAfter }),
    );
  // Change = release, wait until it is done, then assign another VM.
  const change = async () => {
    setChanging(true);
    setChangeError(null);
    try {
      const released = await track(
        'assignment',
        'release',
        'Change VM: releasing the current VM',
        () => pool.releaseVM(competition.id, { archiveRecordings: archive, stopVM: stopAfter }),
      );
      if (released === null) return;
      const result = await waitForFinalResult(released);
      if (result.state === 'failed') {
        setChangeError(
          `Release failed, so no new VM was assigned: ${result.error?.message ?? result.message}`,
        );
        return;
      }
      await track('assignment', 'assign', 'Change VM: assigning a new VM', () =>
        pool.assignVM(competition.id, preferred === '' ? undefined : preferred),
      );
    } catch (error) {
      setChangeError(error instanceof Error ? error.message : String(error));
    } finally {
      setChanging(false);
    }
  };

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
            onDismiss={() => dismiss('assignment')}
          />
        )}
        {changeError !== null && (
          <div className="callout callout-error" role="alert">
            {changeError}
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
              onClick={assign}
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
                onClick={() => void change()}
                disabled={inFlight || !releasable}
              >
                {changing && <Spinner />}
                Change VM
              </button>
              <button
                type="button"
                className="btn btn-danger"
                onClick={release}
                disabled={inFlight || !releasable}
                aria-busy={
                  inFlight && !changing && !foreignRunning && current?.action === 'release'
                }
              >
                {inFlight && !changing && !foreignRunning && current?.action === 'release' && (
                  <Spinner />
                )}
                Release VM
              </button>
            </>
          )}
        </div>
      </div>
    </section>
  );
}

function ConnectionPanel({
  competition,
  connection,
}: {
  competition: CompetitionSummary;
  connection: ConnectionTestView;
}) {
  const outcome = connection.outcome;
  return (
    <section className="panel" aria-label="Connection test">
      <div className="panel-head">
        <h2>Connection test</h2>
        <button
          type="button"
          className="btn btn-small"
          onClick={connection.run}
          disabled={competition.vmAddress === null || connection.testing}
          aria-busy={connection.testing}
        >
          {connection.testing && <Spinner />}
          Test connection
        </button>
      </div>
      <div className="panel-body" aria-live="polite">
        {competition.vmAddress === null ? (
          <p className="muted" style={{ margin: 0 }}>
            No VM is ready for this competition, so there is nothing to test yet.
          </p>
        ) : outcome === null ? (
          <p className="muted" style={{ margin: 0 }}>
            Testing <span className="mono">http://{competition.vmAddress}/api/status</span>…
          </p>
        ) : outcome.ok ? (
          <div className="callout callout-success" role="status">
            <span>
              <strong>Show server reachable</strong> in {outcome.latencyMs} ms · OBS{' '}
              {outcome.obsConnected === null
                ? 'unknown'
                : outcome.obsConnected
                  ? 'connected'
                  : 'not connected'}
              {outcome.obsIsStreaming === true && ' · streaming'}
              {outcome.connectedClients !== null && ` · ${outcome.connectedClients} clients`}
            </span>
          </div>
        ) : (
          <div className="callout callout-error" role="status">
            <span>
              <strong>Not reachable:</strong> {outcome.reason}
            </span>
          </div>
        )}
      </div>
    </section>
  );
}

function ServicePanel({
  vm,
  now,
  staleSeconds,
}: {
  vm: VmRecord | undefined;
  now: number;
  staleSeconds: number;
}) {
  const presence = vm === undefined ? 'never' : agentPresence(vm.agent, now, staleSeconds);
  const show = vm?.agent?.show ?? null;
  return (
    <section className="panel" aria-label="Service status">
      <div className="panel-head">
        <h2>Service status</h2>
        {vm?.agent != null && (
          <span className="faint">reported {formatAgo(vm.agent.lastSeen, now)}</span>
        )}
      </div>
      <div className="panel-body" style={{ display: 'flex', flexDirection: 'column', gap: 10 }}>
        {vm === undefined ? (
          <p className="muted" style={{ margin: 0 }}>
            No VM assigned.
          </p>
        ) : (
          <>
            <ServiceDots
              services={vm.agent?.services ?? null}
              now={now}
              stale={presence !== 'online'}
            />
            {show !== null && presence === 'online' && (
              <dl className="kv">
                <dt>OBS</dt>
                <dd>
                  {show.obsConnected ? 'connected' : 'not connected'}
                  {show.obsIsStreaming && ' · streaming'}
                  {show.obsIsRecording && ' · recording'}
                </dd>
                <dt>Scene</dt>
                <dd>{show.obsCurrentScene ?? '—'}</dd>
                <dt>Show clients</dt>
                <dd>{show.connectedClients}</dd>
              </dl>
            )}
            {presence !== 'online' &&
              // While the VM boots a silent agent is expected, not an alarm.
              (isTransitional(vm.status) ? (
                <p className="muted" style={{ margin: 0 }}>
                  The agent reports once the VM has booted; service states are unknown until then.
                </p>
              ) : (
                <p className="field-error" style={{ margin: 0 }}>
                  The VM's agent is {presence === 'never' ? 'not reporting yet' : 'not reporting'};
                  service states are unknown.
                </p>
              ))}
          </>
        )}
      </div>
    </section>
  );
}
