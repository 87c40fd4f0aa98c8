/** `/admin/vm-pool` (PRD P16-01): pool status, VM cards, pool alerts and configuration. */
import { isFinalResult, POOL_ALERT_SCOPE } from '@vmpool/core';
import { useMemo, useState } from 'react';
import { EmptyState, ErrorState } from '../../components/StateBox';
import {
  AlertPanel,
  AlertWebhookStatusLine,
  useAlerts,
  useAlertWebhookStatus,
} from '../../features/alerts';
import type { CompetitionsView } from '../../features/competitions';
import { PoolConfigPanel, PoolStatusBar, useVMPool, VmCardContainer } from '../../features/pool';
import { RequestProgress, useRequest, useTrackedRequests } from '../../features/requests';
import { useNow } from '../../hooks/useNow';

const COLD_START_KEY = 'pool:start-cold';
const LAUNCH_KEY = 'pool:launch';

export function VMPoolPage({ competitions }: { competitions: CompetitionsView }) {
  const pool = useVMPool();
  const alerts = useAlerts(POOL_ALERT_SCOPE);
  const webhook = useAlertWebhookStatus();
  const now = useNow(1000);
  const { tracked, track, dismiss } = useTrackedRequests();
  const [confirmLaunch, setConfirmLaunch] = useState(false);
  const coldStart = tracked[COLD_START_KEY];
  const coldStartRequest = useRequest(coldStart?.requestId ?? null);
  const launch = tracked[LAUNCH_KEY];
  const launchRequest = useRequest(launch?.requestId ?? null);

  const names = useMemo(
    () =>
      new Map(competitions.competitions.map((competition) => [competition.id, competition.name])),
    [competitions.competitions],
  );
  const competitionOptions = useMemo(() => {
    const withVm = new Set(pool.vms.map((vm) => vm.assignedTo).filter((id) => id !== null));
    return competitions.competitions
      .filter((competition) => competition.vmId === null && !withVm.has(competition.id))
      .map((competition) => ({ id: competition.id, name: competition.name }));
  }, [competitions.competitions, pool.vms]);

  const coldInFlight =
    coldStart !== undefined &&
    coldStart.submitError === null &&
    !isFinalResult(coldStartRequest.result);

  return (
    <div className="page">
      <div className="page-head">
        <div>
          <h1>VM pool</h1>
          <p>Every streaming VM, its health and what it is doing. Changes show up live.</p>
        </div>
        {/* Launching adds a billed instance to the pool, so it takes a second click. */}
        {confirmLaunch ? (
          <div className="btn-row" role="group" aria-label="Confirm launch">
            <span className="muted" style={{ alignSelf: 'center' }}>
              Launch one more {pool.poolConfig?.instanceType ?? ''} VM?
            </span>
            <button
              type="button"
              className="btn btn-primary"
              onClick={() => {
                setConfirmLaunch(false);
                void track(LAUNCH_KEY, 'launch', 'Launch a new VM', () => pool.launchVM());
              }}
            >
              Launch
            </button>
            <button type="button" className="btn" onClick={() => setConfirmLaunch(false)}>
              Cancel
            </button>
          </div>
        ) : (
          <button type="button" className="btn" onClick={() => setConfirmLaunch(true)}>
            Launch new VM
          </button>
        )}
      </div>

      {pool.error !== null && (
        <ErrorState title="The pool could not be loaded." message={pool.error} />
      )}
      {pool.poolConfigErrors.length > 0 && (
        <ErrorState
          title="The stored pool configuration is invalid; defaults apply until it is fixed:"
          message={pool.poolConfigErrors.join('; ')}
        />
      )}
      {pool.invalidVMs.map((invalid) => (
        <ErrorState
          key={invalid.vmId}
          title={`VM record ${invalid.vmId} is unreadable:`}
          message={invalid.errors.join('; ')}
        />
      ))}
      {pool.agentProblems.map((problem) => (
        <ErrorState
          key={`agent-${problem.vmId}`}
          title={`The agent report of ${problem.vmId} is unreadable; its agent counts as silent:`}
          message={problem.errors.join('; ')}
        />
      ))}

      {pool.isLoading ? (
        <>
          <div className="skeleton" style={{ minHeight: 90 }} aria-hidden="true" />
          <div className="vm-grid" role="status" aria-label="Loading the pool">
            <div className="skeleton" />
            <div className="skeleton" />
            <div className="skeleton" />
          </div>
        </>
      ) : (
        <>
          {pool.poolConfig !== null && (
            <PoolStatusBar
              vms={pool.vms}
              config={pool.poolConfig}
              isAdmin
              startingCold={coldInFlight}
              onStartColdVm={(vmId) =>
                void track(COLD_START_KEY, 'start', `Start cold VM ${vmId}`, () =>
                  pool.startVM(vmId),
                )
              }
            />
          )}
          {coldStart !== undefined && (
            <RequestProgress
              title={coldStart.title}
              result={coldStartRequest.result}
              now={now}
              error={coldStart.submitError ?? coldStartRequest.error}
              onDismiss={() => dismiss(COLD_START_KEY)}
            />
          )}
          {launch !== undefined && (
            <RequestProgress
              title={launch.title}
              result={launchRequest.result}
              now={now}
              error={launch.submitError ?? launchRequest.error}
              onDismiss={() => dismiss(LAUNCH_KEY)}
            />
          )}
          <AlertPanel
            alerts={alerts.alerts}
            now={now}
            onAcknowledge={alerts.acknowledgeAlert}
            onAcknowledgeAll={alerts.acknowledgeAll}
            canAcknowledge={alerts.canAcknowledge}
            title="Pool alerts"
            defaultOpen={alerts.alerts.length > 0}
          />
          <AlertWebhookStatusLine status={webhook.status} error={webhook.error} now={now} />
          {pool.vms.length === 0 ? (
            <div className="panel">
              <EmptyState title="The pool is empty">
                <p>
                  No VM is registered yet. Launch one, or check that the control plane is running.
                </p>
              </EmptyState>
            </div>
          ) : (
            <section className="vm-grid" aria-label="VMs">
              {pool.vms.map((vm) => (
                <VmCardContainer
                  key={vm.vmId}
                  vm={vm}
                  pool={pool}
                  now={now}
                  assignedName={vm.assignedTo === null ? null : (names.get(vm.assignedTo) ?? null)}
                  competitionOptions={competitionOptions}
                  tracked={tracked[`vm:${vm.vmId}`]}
                  track={(action, title, submit) =>
                    void track(`vm:${vm.vmId}`, action, title, submit)
                  }
                  dismiss={() => dismiss(`vm:${vm.vmId}`)}
                />
              ))}
            </section>
          )}
          {pool.poolConfig !== null && (
            <PoolConfigPanel config={pool.poolConfig} now={now} onSave={pool.savePoolConfig} />
          )}
        </>
      )}
    </div>
  );
}
