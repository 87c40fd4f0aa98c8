import { SERVICE_NAMES, type ServiceName, type ServiceStatus } from '@vmpool/core';
import { formatAgo } from '../../../lib/format';

export const SERVICE_LABELS: Readonly<Record<ServiceName, string>> = {
  showServer: 'Show server',
  obsWebsocket: 'OBS WebSocket',
  obs: 'OBS',
  nimble: 'Nimble',
  noMachine: 'NoMachine',
  discord: 'Discord',
  xvfb: 'Xvfb',
};

/** Shown even before the agent reports, as unknown, so a silent VM is visibly silent. */
const KEY_SERVICES: readonly ServiceName[] = ['showServer', 'obsWebsocket', 'noMachine', 'nimble'];

export interface ServiceDotsProps {
  services: Partial<Record<ServiceName, ServiceStatus>> | null;
  now: number;
  /** When the agent is offline or stale its last report is no longer evidence. */
  stale?: boolean;
}

export function ServiceDots({ services, now, stale = false }: ServiceDotsProps) {
  const names = SERVICE_NAMES.filter(
    (name) => KEY_SERVICES.includes(name) || services?.[name] !== undefined,
  );
  return (
    <ul className="services" aria-label="Services">
      {names.map((name) => {
        const status = services?.[name];
        const state = stale || status === undefined ? 'unknown' : status.state;
        const detail =
          status === undefined
            ? 'not reported'
            : `${status.state}${status.port === undefined ? '' : ` on port ${status.port}`}, checked ${formatAgo(status.checkedAt, now)}${status.detail === undefined ? '' : ` (${status.detail})`}`;
        return (
          <li key={name} title={detail} aria-label={`${SERVICE_LABELS[name]}: ${state}`}>
            <span className={`dot dot-${state}`} aria-hidden="true" />
            {SERVICE_LABELS[name]}
          </li>
        );
      })}
    </ul>
  );
}
