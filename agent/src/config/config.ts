// The agent's configuration, parsed once from flags (and, on a VM, a JSON file written by the
// boot script), validated with every error reported together. Nothing else reads argv/env.
import { isIP } from 'node:net';
import { parseArgs } from 'node:util';
import {
  isValidVmId,
  SERVICE_PORTS,
  STATE_EXPORT_INTERVAL_SECONDS,
  VM_ID_PATTERN,
} from '@vmpool/core';

export interface FirebaseWebConfig {
  apiKey: string;
  projectId: string;
  authDomain?: string;
}

interface CommonConfig {
  databaseUrl: string;
  showServerUrl: string;
  probeIntervalMs: number;
  metricsIntervalMs: number;
  heartbeatIntervalMs: number;
  /** Probe results and metrics are re-written at least this often even when unchanged. */
  refreshIntervalMs: number;
  stateDir: string;
  nimbleStatsUrl: string;
  /** obs-websocket v5 of the VM's OBS. */
  obsWebsocketUrl: string;
  /** From the VM's agent config file (SSM Parameter Store at boot); never in RTDB. */
  obsWebsocketPassword: string | undefined;
  /** How often OBS's stream and stats are sampled. */
  streamIntervalMs: number;
  diskPath: string;
  /** How often an in_use VM exports its OBS state (issue 12); changes export sooner. */
  stateExportIntervalMs: number;
  logLevel: 'debug' | 'info' | 'warn' | 'error';
  /** Where show state exports go (issue 12); chosen once here. */
  stateStore: StateStoreConfig;
}

/**
 * The store for show state exports: the recordings bucket under `state/` when an archive bucket
 * is set (region from IMDS, credentials from the instance profile), else the local VM's archive
 * in local mode, else none (the agent then neither exports nor imports, and says so).
 * `endpoint` is an S3 stand-in (moto); local mode may use S3 only through one.
 */
export type StateStoreConfig =
  | { kind: 's3'; bucket: string; endpoint: string | undefined }
  | { kind: 'local-archive' }
  | { kind: 'none' };

export interface LocalConfig extends CommonConfig {
  mode: 'local';
  vmId: string;
  vmDir: string;
  /** Reported addresses; by default the show server's host (each local VM has its own). */
  publicIp: string;
  privateIp: string;
}

export interface ProductionConfig extends CommonConfig {
  mode: 'production';
  functionsBaseUrl: string;
  firebase: FirebaseWebConfig;
  /**
   * Firebase Auth emulator URL: the production path (IMDS, token exchange, custom-token
   * sign-in) against emulators. Allows an `http://host:port?ns=` database URL.
   */
  authEmulator: string | undefined;
  /** S3 bucket for archive_recordings; empty = archiving refused on this VM. */
  archiveBucket: string;
  /** Overrides the IMDS endpoint (tests use a stand-in on 127.0.0.1). */
  imdsEndpoint: string | undefined;
}

export type AgentConfig = LocalConfig | ProductionConfig;

export type ConfigResult = { ok: true; config: AgentConfig } | { ok: false; errors: string[] };

const FLAGS = {
  config: { type: 'string' },
  local: { type: 'boolean' },
  'vm-id': { type: 'string' },
  'vm-dir': { type: 'string' },
  'database-url': { type: 'string' },
  'show-server': { type: 'string' },
  'functions-base-url': { type: 'string' },
  'api-key': { type: 'string' },
  'project-id': { type: 'string' },
  'auth-domain': { type: 'string' },
  'imds-endpoint': { type: 'string' },
  'probe-interval-ms': { type: 'string' },
  'metrics-interval-ms': { type: 'string' },
  'heartbeat-interval-ms': { type: 'string' },
  'refresh-interval-ms': { type: 'string' },
  'state-dir': { type: 'string' },
  'nimble-stats': { type: 'string' },
  'obs-websocket-url': { type: 'string' },
  'obs-websocket-password': { type: 'string' },
  'stream-interval-ms': { type: 'string' },
  'disk-path': { type: 'string' },
  'archive-bucket': { type: 'string' },
  's3-endpoint': { type: 'string' },
  'auth-emulator': { type: 'string' },
  'log-level': { type: 'string' },
  'state-export-interval-seconds': { type: 'string' },
  'public-ip': { type: 'string' },
  'private-ip': { type: 'string' },
} as const;

type FlagName = keyof typeof FLAGS;

/**
 * The local stack gives each VM its own loopback address (127.0.1.x) and runs its show server
 * there, so that host is the VM's address; a show server named by host name counts as 127.0.0.1.
 */
export function localAddressOf(showServerUrl: string): string {
  try {
    const host = new URL(showServerUrl).hostname.replace(/^\[(.*)\]$/, '$1');
    return isIP(host) === 0 ? '127.0.0.1' : host;
  } catch {
    return '127.0.0.1';
  }
}

/** Reads `--config FILE` early, so main can load the file before the full parse. */
export function configFileFlag(argv: readonly string[]): string | undefined {
  const index = argv.indexOf('--config');
  return index >= 0 ? argv[index + 1] : argv.find((arg) => arg.startsWith('--config='))?.slice(9);
}

/**
 * Flags win over the file. The file uses the flag names (`"database-url": "…"`), so one
 * vocabulary documents both.
 */
export function parseConfig(argv: readonly string[], file: unknown = {}): ConfigResult {
  const errors: string[] = [];
  let flags: Partial<Record<FlagName, string | boolean>> = {};
  try {
    flags = parseArgs({
      args: [...argv],
      options: FLAGS,
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (error) {
    errors.push((error as Error).message);
  }
  const fileValues: Record<string, unknown> =
    typeof file === 'object' && file !== null && !Array.isArray(file)
      ? (file as Record<string, unknown>)
      : {};
  if (file !== fileValues) errors.push('config file must hold a JSON object');
  for (const key of Object.keys(fileValues)) {
    if (!(key in FLAGS) || key === 'config') errors.push(`config file: unknown key "${key}"`);
  }

  const raw = (name: FlagName): unknown => flags[name] ?? fileValues[name];
  const text = (name: FlagName): string | undefined => {
    const value = raw(name);
    if (value === undefined) return undefined;
    if (typeof value !== 'string' || value.trim() === '') {
      errors.push(`--${name} must be a non-empty string`);
      return undefined;
    }
    return value.trim();
  };
  const required = (name: FlagName, why: string): string => {
    const value = text(name);
    if (value === undefined && raw(name) === undefined) errors.push(`--${name} is required ${why}`);
    return value ?? '';
  };
  const integer = (name: FlagName, fallback: number, min: number, max: number): number => {
    const value = raw(name);
    if (value === undefined) return fallback;
    const parsed = typeof value === 'number' ? value : Number(value);
    if (!Number.isInteger(parsed) || parsed < min || parsed > max) {
      errors.push(`--${name} must be an integer in ${min}..${max}, got ${String(value)}`);
      return fallback;
    }
    return parsed;
  };
  const url = (name: FlagName, value: string | undefined, protocols: string[]): void => {
    if (value === undefined || value === '') return;
    try {
      const parsed = new URL(value);
      if (!protocols.includes(parsed.protocol))
        errors.push(`--${name} must use ${protocols.join(' or ')}`);
    } catch {
      errors.push(`--${name} is not a URL: ${value}`);
    }
  };

  const local = raw('local') === true;
  const authEmulator = text('auth-emulator');
  url('auth-emulator', authEmulator, ['http:']);
  const databaseUrl = required('database-url', 'to reach the Realtime Database');
  url('database-url', databaseUrl, local || authEmulator ? ['http:', 'https:'] : ['https:']);
  const showServerUrl = text('show-server') ?? `http://127.0.0.1:${SERVICE_PORTS.showServer}`;
  url('show-server', showServerUrl, ['http:', 'https:']);
  const nimbleStatsUrl = text('nimble-stats') ?? `http://127.0.0.1:${SERVICE_PORTS.nimble}`;
  url('nimble-stats', nimbleStatsUrl, ['http:']);
  const obsWebsocketUrl = text('obs-websocket-url') ?? 'ws://127.0.0.1:4455';
  url('obs-websocket-url', obsWebsocketUrl, ['ws:', 'wss:']);
  // A password is taken as it is (spaces included); an empty one means "no password".
  const rawPassword = raw('obs-websocket-password');
  if (rawPassword !== undefined && typeof rawPassword !== 'string')
    errors.push('--obs-websocket-password must be a string');
  const obsWebsocketPassword =
    typeof rawPassword === 'string' && rawPassword !== '' ? rawPassword : undefined;
  const logLevel = text('log-level') ?? 'info';
  if (!['debug', 'info', 'warn', 'error'].includes(logLevel)) {
    errors.push(`--log-level must be debug, info, warn or error, got ${logLevel}`);
  }

  const archiveBucket = text('archive-bucket') ?? '';
  if (archiveBucket !== '' && !/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(archiveBucket)) {
    errors.push(`--archive-bucket is not a valid S3 bucket name: ${archiveBucket}`);
  }
  const s3Endpoint = text('s3-endpoint');
  url('s3-endpoint', s3Endpoint, ['http:', 'https:']);
  if (s3Endpoint !== undefined && archiveBucket === '') {
    errors.push('--s3-endpoint needs --archive-bucket (the bucket state exports go to)');
  }
  if (local && archiveBucket !== '' && s3Endpoint === undefined) {
    errors.push('--archive-bucket in local mode needs --s3-endpoint (an S3 stand-in)');
  }
  const stateStore: StateStoreConfig =
    archiveBucket !== ''
      ? { kind: 's3', bucket: archiveBucket, endpoint: s3Endpoint }
      : local
        ? { kind: 'local-archive' }
        : { kind: 'none' };

  const common: CommonConfig = {
    databaseUrl,
    showServerUrl,
    probeIntervalMs: integer('probe-interval-ms', 10_000, 200, 600_000),
    metricsIntervalMs: integer('metrics-interval-ms', 30_000, 500, 3_600_000),
    heartbeatIntervalMs: integer('heartbeat-interval-ms', 20_000, 500, 600_000),
    refreshIntervalMs: integer('refresh-interval-ms', 900_000, 1_000, 86_400_000),
    stateDir: text('state-dir') ?? '',
    nimbleStatsUrl,
    obsWebsocketUrl,
    obsWebsocketPassword,
    streamIntervalMs: integer('stream-interval-ms', 5_000, 500, 600_000),
    diskPath: text('disk-path') ?? '/',
    stateExportIntervalMs:
      integer(
        'state-export-interval-seconds',
        STATE_EXPORT_INTERVAL_SECONDS.default,
        STATE_EXPORT_INTERVAL_SECONDS.min,
        STATE_EXPORT_INTERVAL_SECONDS.max,
      ) * 1000,
    logLevel: logLevel as CommonConfig['logLevel'],
    stateStore,
  };

  let config: AgentConfig;
  if (local) {
    const vmId = required('vm-id', 'in local mode');
    if (vmId !== '' && !isValidVmId(vmId))
      errors.push(`--vm-id must match ${VM_ID_PATTERN.source}, got ${vmId}`);
    const address = (name: 'public-ip' | 'private-ip'): string => {
      const value = text(name);
      if (value === undefined) return localAddressOf(showServerUrl);
      if (isIP(value) === 0) errors.push(`--${name} must be an IP address, got ${value}`);
      return value;
    };
    const publicIp = address('public-ip');
    const privateIp = address('private-ip');
    for (const name of ['functions-base-url', 'api-key', 'imds-endpoint'] as const) {
      if (raw(name) !== undefined) errors.push(`--${name} has no meaning in local mode`);
    }
    config = {
      ...common,
      mode: 'local',
      vmId,
      stateDir: common.stateDir || `.local-data/agent/${vmId}`,
      vmDir: text('vm-dir') ?? `.local-data/vms/${vmId}`,
      publicIp,
      privateIp,
    };
  } else {
    if (raw('vm-id') !== undefined)
      errors.push('--vm-id is only for --local; on EC2 the token exchange names the VM');
    for (const name of ['public-ip', 'private-ip'] as const) {
      if (raw(name) !== undefined) errors.push(`--${name} is only for --local; on EC2 IMDS tells`);
    }
    const functionsBaseUrl = required('functions-base-url', 'to exchange the identity document');
    url('functions-base-url', functionsBaseUrl, ['https:', 'http:']);
    const imdsEndpoint = text('imds-endpoint');
    url('imds-endpoint', imdsEndpoint, ['http:']);
    const authDomain = text('auth-domain');
    config = {
      ...common,
      mode: 'production',
      stateDir: common.stateDir || '/var/lib/vmpool-agent',
      functionsBaseUrl: functionsBaseUrl.replace(/\/+$/, ''),
      firebase: {
        apiKey: required('api-key', 'to sign in to Firebase'),
        projectId: required('project-id', 'to sign in to Firebase'),
        ...(authDomain ? { authDomain } : {}),
      },
      imdsEndpoint,
      authEmulator,
      archiveBucket,
    };
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, config };
}

/** The config as a log line: the API key masked, the OBS password only said to be set. */
export function describeConfig(config: AgentConfig): string {
  const withoutPassword = {
    ...config,
    obsWebsocketPassword: config.obsWebsocketPassword === undefined ? 'none' : 'set (hidden)',
  };
  const masked =
    config.mode === 'production'
      ? {
          ...withoutPassword,
          firebase: { ...config.firebase, apiKey: `${config.firebase.apiKey.slice(0, 4)}…` },
        }
      : withoutPassword;
  return JSON.stringify(masked);
}
