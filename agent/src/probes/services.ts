// Turns raw probe findings into the canonical services map of the contract. Pure: the same
// findings always give the same report.
import type { ServiceName, ServicesReport, ServiceStatus } from '../report/types';
import type { ShowProbe } from './show-status';
import type { TcpProbe } from './tcp';
import type { UnitKey, UnitStates } from './units';

export interface ProbeFindings {
  now: number;
  mode: 'local' | 'production';
  showServerPort: number;
  show: ShowProbe;
  socket: { connected: boolean; detail: string };
  units: UnitStates | null;
  /** Absent in local mode: a local VM has no ports of its own. */
  tcp: { obsWebsocket?: TcpProbe; nimbleStats?: TcpProbe; noMachine?: TcpProbe };
  tcpPorts: { obsWebsocket: number; nimbleStats: number; noMachine: number };
  processes: Set<string> | null;
}

const PROCESS_NAMES: Partial<Record<ServiceName, readonly string[]>> = {
  obs: ['obs'],
  discord: ['Discord', 'discord'],
  xvfb: ['Xvfb'],
};

function status(
  state: ServiceStatus['state'],
  now: number,
  extra: Omit<ServiceStatus, 'state' | 'checkedAt'> = {},
): ServiceStatus {
  const result: ServiceStatus = { state, checkedAt: now };
  if (extra.port !== undefined) result.port = extra.port;
  if (extra.latencyMs !== undefined) result.latencyMs = extra.latencyMs;
  if (extra.detail !== undefined) result.detail = extra.detail.slice(0, 1000);
  return result;
}

function fromUnit(
  units: UnitStates | null,
  key: UnitKey,
): { state: ServiceStatus['state']; detail: string } | null {
  const active = units?.[key];
  if (active === undefined) return null;
  return { state: active === 'active' ? 'up' : 'down', detail: `unit ${active}` };
}

function fromTcp(
  probe: TcpProbe | undefined,
  port: number,
  now: number,
  label: string,
): ServiceStatus {
  if (!probe) return status('unknown', now, { port, detail: `${label} not probed` });
  return probe.open
    ? status('up', now, {
        port,
        ...(probe.latencyMs !== null ? { latencyMs: probe.latencyMs } : {}),
      })
    : status('down', now, { port, detail: `${label}: ${probe.error ?? 'closed'}` });
}

function fromProcess(processes: Set<string> | null, name: ServiceName, now: number): ServiceStatus {
  const candidates = PROCESS_NAMES[name] ?? [];
  if (processes === null) return status('unknown', now, { detail: 'process list unavailable' });
  const found = candidates.find((candidate) => processes.has(candidate));
  return found
    ? status('up', now, { detail: `process ${found}` })
    : status('down', now, { detail: `no ${candidates.join('/')} process` });
}

export function deriveServices(f: ProbeFindings): ServicesReport {
  const { now, show } = f;
  const showServer = show.reachable
    ? status(show.error ? 'down' : 'up', now, {
        port: f.showServerPort,
        ...(show.latencyMs !== null ? { latencyMs: show.latencyMs } : {}),
        detail: show.error ?? f.socket.detail,
      })
    : status('down', now, {
        port: f.showServerPort,
        detail: `/api/status: ${show.error ?? 'unreachable'}`,
      });

  if (f.mode === 'local') {
    // The stand-in show server plays OBS and its websocket; vmctl's units file is the
    // local VM's service manager. NoMachine and Discord do not exist on a local VM.
    const obsFromShow = show.reachable
      ? status(show.obsConnected ? 'up' : 'down', now, {
          detail: `show server reports obsConnected=${show.obsConnected}`,
        })
      : status('unknown', now, { detail: 'show server unreachable' });
    const obsUnit = fromUnit(f.units, 'obs');
    const unitOr = (key: UnitKey): ServiceStatus => {
      const unit = fromUnit(f.units, key);
      return unit
        ? status(unit.state, now, { detail: unit.detail })
        : status('unknown', now, { detail: 'no unit state' });
    };
    const absent = status('unknown', now, { detail: 'not part of a local VM' });
    return {
      showServer,
      obsWebsocket: { ...obsFromShow, port: f.tcpPorts.obsWebsocket },
      obs:
        obsUnit?.state === 'down' ? status('down', now, { detail: obsUnit.detail }) : obsFromShow,
      nimble: { ...unitOr('nimble'), port: f.tcpPorts.nimbleStats },
      noMachine: absent,
      discord: absent,
      xvfb: unitOr('xvfb'),
    };
  }

  const obsUnit = fromUnit(f.units, 'obs');
  const nimbleUnit = fromUnit(f.units, 'nimble');
  const nimbleTcp = fromTcp(f.tcp.nimbleStats, f.tcpPorts.nimbleStats, now, 'stats port');
  // Nimble is up when its unit is active (if systemd tells) and its stats port answers.
  const nimble =
    nimbleUnit && nimbleUnit.state === 'down'
      ? status('down', now, { port: f.tcpPorts.nimbleStats, detail: nimbleUnit.detail })
      : nimbleTcp;
  const xvfbUnit = fromUnit(f.units, 'xvfb');
  return {
    showServer,
    obsWebsocket: fromTcp(f.tcp.obsWebsocket, f.tcpPorts.obsWebsocket, now, 'obs-websocket'),
    obs: obsUnit
      ? status(obsUnit.state, now, { detail: obsUnit.detail })
      : fromProcess(f.processes, 'obs', now),
    nimble,
    noMachine: fromTcp(f.tcp.noMachine, f.tcpPorts.noMachine, now, 'nxserver'),
    discord: fromProcess(f.processes, 'discord', now),
    xvfb: xvfbUnit
      ? status(xvfbUnit.state, now, { detail: xvfbUnit.detail })
      : fromProcess(f.processes, 'xvfb', now),
  };
}
