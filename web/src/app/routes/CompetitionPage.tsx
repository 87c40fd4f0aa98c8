/**
 * `/{compId}/producer` and `/{compId}/talent`: the competition header with its VM status
 * widget and alerts (PRD 5.3, P17-03). The show controls themselves live in the
 * show-controller app, which connects to the same `vmAddress`.
 */
import { useMemo } from 'react';
import { LoadingState } from '../../components/StateBox';
import { AlertCountBadge, AlertPanel, useAlerts } from '../../features/alerts';
import {
  VmStatusWidget,
  type CompetitionSummary,
  type CompetitionsView,
  useConnectionTest,
  CompetitionGate,
} from '../../features/competitions';
import { useVMPool } from '../../features/pool';
import { useNow } from '../../hooks/useNow';
import { Link, competitionPath } from '../../lib/router';

export function CompetitionPage({
  competitionId,
  view,
  competitions,
}: {
  competitionId: string;
  view: 'producer' | 'talent';
  competitions: CompetitionsView;
}) {
  return (
    <CompetitionGate competitionId={competitionId} competitions={competitions}>
      {(competition) => <CompetitionView competition={competition} view={view} />}
    </CompetitionGate>
  );
}

function CompetitionView({
  competition,
  view,
}: {
  competition: CompetitionSummary;
  view: 'producer' | 'talent';
}) {
  const pool = useVMPool([competition.id]);
  const now = useNow(1000);
  const connection = useConnectionTest(competition.vmAddress);
  const alerts = useAlerts(useMemo(() => [competition.id], [competition.id]));
  const vm = pool.getVMForCompetition(competition.id);
  const outcome = connection.outcome;

  return (
    <div className="page">
      <div className="page-head">
        <div>
          <div className="breadcrumb">
            <Link to="/">Competitions</Link> / {competition.name}
          </div>
          <h1 style={{ display: 'flex', alignItems: 'center', gap: 10 }}>
            {view === 'producer' ? 'Producer view' : 'Talent view'}
            <AlertCountBadge
              criticalCount={alerts.criticalCount}
              warningCount={alerts.warningCount}
              infoCount={alerts.infoCount}
            />
          </h1>
          <p>{competition.name}</p>
        </div>
        <div className="settings-line">
          <Link to={competitionPath(competition.id, 'vm-setup')} className="btn btn-small">
            VM setup
          </Link>
          <VmStatusWidget
            vmAddress={competition.vmAddress}
            vm={vm}
            connection={connection}
            now={now}
            poolConfig={pool.poolConfig}
          />
        </div>
      </div>
      <AlertPanel
        alerts={alerts.alerts}
        now={now}
        onAcknowledge={alerts.acknowledgeAlert}
        onAcknowledgeAll={alerts.acknowledgeAll}
        canAcknowledge={alerts.canAcknowledge}
        levels={['warning']}
        title="Warnings"
        className="warning-panel"
        defaultOpen={alerts.warningCount > 0}
      />
      <section className="panel" aria-label="Show">
        <div className="panel-head">
          <h2>Show</h2>
        </div>
        <div className="panel-body">
          {competition.vmAddress === null ? (
            <p className="muted" style={{ margin: 0 }}>
              No VM is ready for this competition. Assign one on the{' '}
              <Link to={competitionPath(competition.id, 'vm-setup')}>VM setup</Link> page.
            </p>
          ) : outcome === null ? (
            <LoadingState label="Contacting the show server…" />
          ) : outcome.ok ? (
            <dl className="kv">
              <dt>Show server</dt>
              <dd className="mono">http://{competition.vmAddress}</dd>
              <dt>OBS</dt>
              <dd>
                {outcome.obsConnected === null
                  ? 'unknown'
                  : outcome.obsConnected
                    ? 'connected'
                    : 'not connected'}
                {outcome.obsIsStreaming === true && ' · streaming'}
              </dd>
              <dt>Clients</dt>
              <dd>{outcome.connectedClients ?? '—'}</dd>
              <dt>Latency</dt>
              <dd>{outcome.latencyMs} ms</dd>
            </dl>
          ) : (
            <div className="callout callout-error">
              <span>
                <strong>Show server not reachable:</strong> {outcome.reason}
              </span>
              <button type="button" className="btn btn-small" onClick={connection.run}>
                Test again
              </button>
            </div>
          )}
        </div>
      </section>
    </div>
  );
}
