/**
 * `/{compId}/vm-setup` (PRD 5.2): the competition's VM assignment, assign / change / release,
 * connection test, service status and quick actions with live command output.
 */
import { DEFAULT_POOL_CONFIG, POOL_ALERT_SCOPE } from '@vmpool/core';
import { useMemo } from 'react';
import { ErrorState } from '../../components/StateBox';
import { AlertPanel, useAlerts } from '../../features/alerts';
import { CommandConsole, type QuickAction } from '../../features/commands';
import {
  AssignmentPanel,
  CompetitionGate,
  ConnectionPanel,
  FailoverPanel,
  ServicePanel,
  useFailover,
  useConnectionTest,
  VmStatusWidget,
  type CompetitionSummary,
  type CompetitionsView,
} from '../../features/competitions';
import { useVMPool } from '../../features/pool';
import { VmStreamPanel } from '../../features/stream';
import { useNow } from '../../hooks/useNow';
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
  const pool = useVMPool([competition.id]);
  const now = useNow(1000);
  const vm = pool.getVMForCompetition(competition.id);
  const connection = useConnectionTest(competition.vmAddress);
  const alerts = useAlerts(useMemo(() => [competition.id, POOL_ALERT_SCOPE], [competition.id]));
  const staleSeconds = (pool.poolConfig ?? DEFAULT_POOL_CONFIG).agentStaleSeconds;
  const failover = useFailover(competition.id);

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
      <FailoverPanel failover={failover} now={now} />
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
      {vm !== undefined && (
        <section className="panel" aria-label="Program and stream">
          <div className="panel-head">
            <h2>Program and stream</h2>
            <span className="faint">{vm.vmId}</span>
          </div>
          <div className="panel-body">
            <VmStreamPanel vm={vm} now={now} />
          </div>
        </section>
      )}
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
