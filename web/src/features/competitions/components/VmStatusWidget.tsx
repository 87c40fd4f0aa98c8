/**
 * The small VM indicator for a competition header (PRD 5.3): a green/yellow/red dot with the
 * VM id and IP; click to expand details; "Reconnect" re-runs the connection test.
 */
import { DEFAULT_POOL_CONFIG, type PoolConfig, type VmRecord } from '@vmpool/core';
import { useId, useState } from 'react';
import { Spinner } from '../../../components/StateBox';
import { formatAgo } from '../../../lib/format';
import {
  agentPresence,
  PRESENCE_TEXT,
  vmReadiness,
  type VmReadiness,
  ServiceDots,
  StatusBadge,
} from '../../pool';
import type { ConnectionTestView } from '../hooks/useConnectionTest';

export type WidgetTone = 'green' | 'yellow' | 'red';

export interface VmStatusWidgetProps {
  /** `competitions/{compId}/config/vmAddress`; null while no VM is ready. */
  vmAddress: string | null;
  /** The pool record of the VM assigned to this competition, if any. */
  vm: VmRecord | undefined;
  connection: ConnectionTestView;
  now: number;
  /** The pool settings (agent staleness); null while loading judges with core's defaults. */
  poolConfig: PoolConfig | null;
}

export function widgetState(
  props: Pick<VmStatusWidgetProps, 'vmAddress' | 'vm' | 'connection'> & {
    /** `vmReadiness(vm, …)`; null when the VM record is unknown. */
    readiness: VmReadiness | null;
  },
): {
  tone: WidgetTone;
  text: string;
  disconnected: boolean;
} {
  const { vmAddress, vm, connection, readiness } = props;
  // An agent that stopped reporting outranks a show server that still answers: nobody can
  // run commands on, or vouch for, that VM.
  if (readiness?.flagged === true) {
    return {
      tone: 'red',
      text: readiness.unreachable ? 'VM unreachable' : 'VM unhealthy',
      disconnected: false,
    };
  }
  if (vmAddress === null) {
    return vm === undefined
      ? { tone: 'red', text: 'No VM assigned', disconnected: false }
      : { tone: 'yellow', text: 'VM getting ready', disconnected: false };
  }
  const outcome = connection.outcome;
  if (outcome === null) return { tone: 'yellow', text: 'Testing connection…', disconnected: false };
  if (!outcome.ok) return { tone: 'red', text: 'Disconnected', disconnected: true };
  if (outcome.obsConnected === false)
    return { tone: 'yellow', text: 'Connected, OBS down', disconnected: false };
  return { tone: 'green', text: `Connected · ${outcome.latencyMs} ms`, disconnected: false };
}

export function VmStatusWidget(props: VmStatusWidgetProps) {
  const { vmAddress, vm, connection, now } = props;
  const [open, setOpen] = useState(false);
  const panelId = useId();
  const staleSeconds = props.poolConfig?.agentStaleSeconds ?? DEFAULT_POOL_CONFIG.agentStaleSeconds;
  const readiness = vm === undefined ? null : vmReadiness(vm, props.poolConfig, now);
  const presence = vm === undefined ? 'never' : agentPresence(vm.agent, now, staleSeconds);
  const state = widgetState({ ...props, readiness });
  const vmLabel = vm?.vmId ?? (vmAddress === null ? 'No VM' : 'VM');
  const ip = vmAddress ?? vm?.publicIp ?? null;

  return (
    <div className="vm-widget">
      <button
        type="button"
        className="vm-widget-toggle"
        aria-expanded={open}
        aria-controls={panelId}
        aria-label={`VM status: ${vmLabel}, ${state.text}`}
        onClick={() => setOpen((value) => !value)}
      >
        <span className={`dot dot-${state.tone}`} aria-hidden="true" />
        <strong className="mono">{vmLabel}</strong>
        {ip !== null && <span className="mono muted">{ip}</span>}
        {connection.testing && <Spinner />}
      </button>
      {state.disconnected && (
        <button
          type="button"
          className="btn btn-small"
          style={{ marginLeft: 6 }}
          onClick={connection.run}
          disabled={connection.testing}
        >
          Reconnect
        </button>
      )}
      {open && (
        <div
          className="vm-widget-panel"
          id={panelId}
          role="dialog"
          aria-label={`VM details for ${vmLabel}`}
          onKeyDown={(event) => {
            if (event.key === 'Escape') setOpen(false);
          }}
        >
          <div style={{ display: 'flex', justifyContent: 'space-between', alignItems: 'center' }}>
            <strong>{state.text}</strong>
            {vm !== undefined && <StatusBadge status={vm.status} />}
          </div>
          {readiness?.flagged === true && (
            <div className="callout callout-error">{readiness.reason}</div>
          )}
          {connection.outcome !== null && !connection.outcome.ok && (
            <div className="callout callout-error">{connection.outcome.reason}</div>
          )}
          {vm !== undefined && (
            <>
              <dl className="kv">
                <dt>Address</dt>
                <dd className="mono">{vmAddress ?? '—'}</dd>
                <dt>Agent</dt>
                <dd>
                  {PRESENCE_TEXT[presence]}
                  {vm.agent !== null && (
                    <span className="faint"> · {formatAgo(vm.agent.lastSeen, now)}</span>
                  )}
                </dd>
                {connection.outcome?.ok === true && (
                  <>
                    <dt>Show clients</dt>
                    <dd>{connection.outcome.connectedClients ?? '—'}</dd>
                  </>
                )}
              </dl>
              <ServiceDots
                services={vm.agent?.services ?? null}
                now={now}
                stale={presence !== 'online'}
              />
            </>
          )}
          <div className="btn-row">
            <button
              type="button"
              className="btn btn-small"
              onClick={connection.run}
              disabled={vmAddress === null || connection.testing}
            >
              Test connection
            </button>
          </div>
        </div>
      )}
    </div>
  );
}
