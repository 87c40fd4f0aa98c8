/** The VM setup page's service status: what the VM's agent last reported, and the show. */
import { isTransitional, type VmRecord } from '@vmpool/core';
import { formatAgo } from '../../../lib/format';
import { agentPresence, ServiceDots } from '../../pool';

export function ServicePanel({
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
