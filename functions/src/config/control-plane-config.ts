import {
  AWS_REGION_PATTERN,
  DEFAULT_ALERT_WEBHOOK_LEVELS,
  fail,
  ok,
  parseAlertLevels,
  type AlertLevel,
  type DeadlineSettings,
  type Parsed,
} from '@vmpool/core';

/**
 * Deployment settings of the control plane (not the pool's own `vmPool/config`): which regions
 * reconcile scans and how long transitional work may take. Parsed once at cold start.
 */
export interface ControlPlaneConfig extends DeadlineSettings {
  /** Regions scanned by reconcile besides the pool config's `awsRegion`. */
  extraRegions: string[];
  /** How long release waits for its agent commands (or SSM) before finishing anyway. */
  releaseTimeoutMs: number;
  /** A starting VM gets warmupTimeSeconds times this factor before its deadline passes. */
  startDeadlineFactor: number;
  /** How long EC2 may take to stop or terminate an instance. */
  stopDeadlineMs: number;
  /** A request still not final this long after its last update is driven again by reconcile. */
  requestRedriveAfterMs: number;
  /**
   * How long one run of a request holds it without renewing (issue 11): a live run renews its
   * lease four times per lease, a duplicate delivery meanwhile stands back, and reconcile drives
   * the request again once the lease ran out (its run died). The lease is this, but never longer
   * than `reconcileIntervalMs` (core's requestLeaseTiming), so a dead run's request is re-driven
   * within two reconcile intervals.
   */
  requestLeaseMs: number;
  /** User data passed to launched instances (the AMI's boot script reads it). */
  launchUserData: string;
  /** S3 bucket for `archive_recordings` when it runs through SSM ("" = archiving refused). */
  archiveBucket: string;
  /**
   * A JSON file of AWS identity certificates that replaces the ones bundled with the
   * functions (functions/config/aws-identity-certificates.json); null = the bundled ones.
   */
  identityCertificatesPath: string | null;
  /**
   * The AWS role the functions assume with their Google identity (web identity federation;
   * infra/ creates it). null = the SDK's default credentials (the local stack and tests pass
   * their own). Required in production.
   */
  awsRoleArn: string | null;
  /** The region of the STS endpoint that exchanges the Google ID token for AWS credentials. */
  awsStsRegion: string;
  /** host[:port] of the Google metadata server that issues the functions' ID tokens. */
  metadataHost: string;
  /** The Secrets Manager secret holding the EC2 state-change key ("" = that function refuses). */
  ec2EventsSecretArn: string;
  /**
   * The AWS account the pool's instances belong to (12 digits). agentToken refuses an identity
   * document of any other account (ACCOUNT_MISMATCH), and every document while it is unset
   * (ACCOUNT_NOT_CONFIGURED). null only where agentToken does not run (the local stack).
   */
  awsAccountId: string | null;
  /**
   * How long after an instance's start (the identity document's pendingTime) its first token
   * exchange may bind the boot's nonce. Whoever presents the document first binds it, so this
   * window is what an attacker has; it covers a boot and the agent's retries (ami/README.md).
   */
  agentBindWindowMs: number;
  /**
   * Whether a VM's address may come from what its agent reports when EC2 gave none. Only the
   * local stack sets this (its VMs have no EC2): in production `vmAddress` comes from EC2's
   * addresses only, never from a value the VM itself wrote.
   */
  trustAgentAddress: boolean;
  /**
   * The alert levels posted to the alert webhook (`VMPOOL_ALERT_WEBHOOK_LEVELS`, e.g.
   * `critical,warning`, or `none`). The webhook URL itself is a secret, not a setting.
   */
  alertWebhookLevels: AlertLevel[];
  // --- self-healing (issue 11)
  /**
   * How often reconcile runs (production's schedule: every minute; the local host sets its own
   * interval). A deferred recovery's next try (`recovery.nextAttemptAt`) is one interval ahead.
   */
  reconcileIntervalMs: number;
  // ---
  // --- failover re-check queue (issue 12)
  /**
   * The Google Cloud region the functions are deployed in (`VMPOOL_FUNCTIONS_REGION`): the
   * `failoverRecheck` task queue lives there. Nothing in the repository deploys to another
   * region than Firebase's default, us-central1; set this only with the functions' region.
   */
  functionsRegion: string;
  // ---
}

export const DEFAULT_CONTROL_PLANE_CONFIG: Readonly<ControlPlaneConfig> = Object.freeze({
  extraRegions: [],
  releaseTimeoutMs: 5 * 60_000,
  startDeadlineFactor: 2,
  stopDeadlineMs: 10 * 60_000,
  requestRedriveAfterMs: 2 * 60_000,
  requestLeaseMs: 30_000,
  launchUserData: '#!/bin/bash\n# vmpool: the agent starts from its systemd unit\n',
  archiveBucket: '',
  identityCertificatesPath: null,
  awsRoleArn: null,
  awsStsRegion: 'us-east-1',
  metadataHost: 'metadata.google.internal',
  ec2EventsSecretArn: '',
  awsAccountId: null,
  agentBindWindowMs: 10 * 60_000,
  trustAgentAddress: false,
  alertWebhookLevels: [...DEFAULT_ALERT_WEBHOOK_LEVELS],
  // --- self-healing (issue 11)
  reconcileIntervalMs: 60_000,
  // ---
  // --- failover re-check queue (issue 12)
  functionsRegion: 'us-central1',
  // ---
});

const ENV_KEYS = {
  extraRegions: 'VMPOOL_REGIONS',
  releaseTimeoutMs: 'VMPOOL_RELEASE_TIMEOUT_MS',
  startDeadlineFactor: 'VMPOOL_START_DEADLINE_FACTOR',
  stopDeadlineMs: 'VMPOOL_STOP_DEADLINE_MS',
  requestRedriveAfterMs: 'VMPOOL_REQUEST_REDRIVE_AFTER_MS',
  requestLeaseMs: 'VMPOOL_REQUEST_LEASE_MS',
  launchUserData: 'VMPOOL_LAUNCH_USER_DATA',
  archiveBucket: 'VMPOOL_ARCHIVE_BUCKET',
  identityCertificatesPath: 'VMPOOL_IDENTITY_CERTIFICATES',
  awsRoleArn: 'VMPOOL_AWS_ROLE_ARN',
  awsStsRegion: 'VMPOOL_AWS_STS_REGION',
  // The variable Google's own client libraries honour for a stand-in metadata server.
  metadataHost: 'GCE_METADATA_HOST',
  ec2EventsSecretArn: 'VMPOOL_EC2_EVENTS_SECRET_ARN',
  awsAccountId: 'VMPOOL_AWS_ACCOUNT_ID',
  agentBindWindowMs: 'VMPOOL_AGENT_BIND_WINDOW_MS',
  trustAgentAddress: 'VMPOOL_TRUST_AGENT_ADDRESS',
  alertWebhookLevels: 'VMPOOL_ALERT_WEBHOOK_LEVELS',
  // --- self-healing (issue 11)
  reconcileIntervalMs: 'VMPOOL_RECONCILE_INTERVAL_MS',
  // ---
  // --- failover re-check queue (issue 12)
  functionsRegion: 'VMPOOL_FUNCTIONS_REGION',
  // ---
} as const;

/** Every environment variable the control plane reads (npm run deploy writes some of them). */
export const CONTROL_PLANE_ENV_KEYS: Readonly<Record<keyof ControlPlaneConfig, string>> = ENV_KEYS;

const ROLE_ARN_PATTERN = /^arn:aws(-cn|-us-gov|-iso[a-z]?)?:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;
const SECRET_ARN_PATTERN =
  /^arn:aws(-cn|-us-gov|-iso[a-z]?)?:secretsmanager:[a-z0-9-]+:\d{12}:secret:[\w/+=.@-]+$/;
const HOST_PORT_PATTERN = /^[A-Za-z0-9.-]+(:\d{1,5})?$/;
/** A Google Cloud region: us-central1, europe-west4, northamerica-northeast1, me-central2. */
const GCP_REGION_PATTERN = /^[a-z]+-[a-z]+\d{1,2}$/;

export interface ParseOptions {
  /**
   * The deployed functions: the AWS role and the EC2 events secret must be set (the SDK's
   * default credentials would find nothing on Google Cloud).
   */
  production?: boolean;
}

const AWS_ACCOUNT_ID = /^\d{12}$/;

function flag(
  env: Record<string, string | undefined>,
  key: string,
  fallback: boolean,
  errors: string[],
): boolean {
  const raw = env[key]?.trim();
  if (raw === undefined || raw === '') return fallback;
  if (raw === 'true') return true;
  if (raw === 'false') return false;
  errors.push(`${key}: must be true or false, got ${JSON.stringify(raw)}`);
  return fallback;
}

function positiveNumber(
  env: Record<string, string | undefined>,
  key: string,
  fallback: number,
  min: number,
  max: number,
  errors: string[],
): number {
  const raw = env[key];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < min || value > max) {
    errors.push(`${key}: must be a number between ${min} and ${max}, got ${JSON.stringify(raw)}`);
    return fallback;
  }
  return value;
}

function alertLevels(env: Record<string, string | undefined>, errors: string[]): AlertLevel[] {
  const raw = env[ENV_KEYS.alertWebhookLevels];
  if (raw === undefined || raw.trim() === '') return [...DEFAULT_ALERT_WEBHOOK_LEVELS];
  const levels = parseAlertLevels(raw);
  if (levels.ok) return levels.value;
  for (const error of levels.errors) errors.push(`${ENV_KEYS.alertWebhookLevels}: ${error}`);
  return [...DEFAULT_ALERT_WEBHOOK_LEVELS];
}

/** Reads the control plane's settings from the environment; every problem is reported at once. */
export function parseControlPlaneConfig(
  env: Record<string, string | undefined>,
  options: ParseOptions = {},
): Parsed<ControlPlaneConfig> {
  const errors: string[] = [];
  const d = DEFAULT_CONTROL_PLANE_CONFIG;
  const regionsRaw = env[ENV_KEYS.extraRegions] ?? '';
  const extraRegions = regionsRaw
    .split(',')
    .map((region) => region.trim())
    .filter((region) => region !== '');
  for (const region of extraRegions) {
    if (!AWS_REGION_PATTERN.test(region)) {
      errors.push(`${ENV_KEYS.extraRegions}: ${JSON.stringify(region)} is not an AWS region`);
    }
  }
  const config: ControlPlaneConfig = {
    extraRegions: [...new Set(extraRegions)],
    releaseTimeoutMs: positiveNumber(
      env,
      ENV_KEYS.releaseTimeoutMs,
      d.releaseTimeoutMs,
      1000,
      3_600_000,
      errors,
    ),
    startDeadlineFactor: positiveNumber(
      env,
      ENV_KEYS.startDeadlineFactor,
      d.startDeadlineFactor,
      1,
      10,
      errors,
    ),
    stopDeadlineMs: positiveNumber(
      env,
      ENV_KEYS.stopDeadlineMs,
      d.stopDeadlineMs,
      1000,
      3_600_000,
      errors,
    ),
    requestRedriveAfterMs: positiveNumber(
      env,
      ENV_KEYS.requestRedriveAfterMs,
      d.requestRedriveAfterMs,
      1000,
      3_600_000,
      errors,
    ),
    // Issue 11: at least 4 s (a renewal a second at most), at most 10 min.
    requestLeaseMs: positiveNumber(
      env,
      ENV_KEYS.requestLeaseMs,
      d.requestLeaseMs,
      4000,
      600_000,
      errors,
    ),
    launchUserData: env[ENV_KEYS.launchUserData] ?? d.launchUserData,
    archiveBucket: (env[ENV_KEYS.archiveBucket] ?? d.archiveBucket).trim(),
    identityCertificatesPath: env[ENV_KEYS.identityCertificatesPath]?.trim() || null,
    awsRoleArn: env[ENV_KEYS.awsRoleArn]?.trim() || null,
    awsStsRegion: env[ENV_KEYS.awsStsRegion]?.trim() || d.awsStsRegion,
    metadataHost: env[ENV_KEYS.metadataHost]?.trim() || d.metadataHost,
    ec2EventsSecretArn: (env[ENV_KEYS.ec2EventsSecretArn] ?? d.ec2EventsSecretArn).trim(),
    awsAccountId: env[ENV_KEYS.awsAccountId]?.trim() || null,
    agentBindWindowMs: positiveNumber(
      env,
      ENV_KEYS.agentBindWindowMs,
      d.agentBindWindowMs,
      60_000,
      3_600_000,
      errors,
    ),
    trustAgentAddress: flag(env, ENV_KEYS.trustAgentAddress, d.trustAgentAddress, errors),
    alertWebhookLevels: alertLevels(env, errors),
    // --- self-healing (issue 11)
    reconcileIntervalMs: positiveNumber(
      env,
      ENV_KEYS.reconcileIntervalMs,
      d.reconcileIntervalMs,
      1000,
      3_600_000,
      errors,
    ),
    // ---
    // --- failover re-check queue (issue 12)
    functionsRegion: env[ENV_KEYS.functionsRegion]?.trim() || d.functionsRegion,
    // ---
  };
  if (config.awsRoleArn !== null && !ROLE_ARN_PATTERN.test(config.awsRoleArn)) {
    errors.push(
      `${ENV_KEYS.awsRoleArn}: ${JSON.stringify(config.awsRoleArn)} is not an IAM role ARN`,
    );
  }
  if (options.production && config.awsRoleArn === null) {
    errors.push(
      `${ENV_KEYS.awsRoleArn}: required in production (the role infra/ creates; npm run deploy sets it)`,
    );
  }
  if (!AWS_REGION_PATTERN.test(config.awsStsRegion)) {
    errors.push(
      `${ENV_KEYS.awsStsRegion}: ${JSON.stringify(config.awsStsRegion)} is not an AWS region`,
    );
  }
  if (!HOST_PORT_PATTERN.test(config.metadataHost)) {
    errors.push(
      `${ENV_KEYS.metadataHost}: ${JSON.stringify(config.metadataHost)} must be host or host:port`,
    );
  }
  if (config.ec2EventsSecretArn !== '' && !SECRET_ARN_PATTERN.test(config.ec2EventsSecretArn)) {
    errors.push(
      `${ENV_KEYS.ec2EventsSecretArn}: ${JSON.stringify(config.ec2EventsSecretArn)} is not a Secrets Manager secret ARN`,
    );
  }
  if (options.production && config.ec2EventsSecretArn === '') {
    errors.push(
      `${ENV_KEYS.ec2EventsSecretArn}: required in production (the key infra/ creates; npm run deploy sets it)`,
    );
  }
  if (options.production && config.awsAccountId === null) {
    errors.push(
      `${ENV_KEYS.awsAccountId}: required in production (the pool's AWS account; npm run deploy sets it from infra outputs)`,
    );
  }
  if (config.awsAccountId !== null && !AWS_ACCOUNT_ID.test(config.awsAccountId)) {
    errors.push(
      `${ENV_KEYS.awsAccountId}: ${JSON.stringify(config.awsAccountId)} is not an AWS account id (12 digits)`,
    );
  }
  if (
    config.archiveBucket !== '' &&
    !/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(config.archiveBucket)
  ) {
    errors.push(
      `${ENV_KEYS.archiveBucket}: ${JSON.stringify(config.archiveBucket)} is not an S3 bucket name`,
    );
  }
  if (
    config.identityCertificatesPath !== null &&
    !config.identityCertificatesPath.endsWith('.json')
  ) {
    errors.push(
      `${ENV_KEYS.identityCertificatesPath}: ${JSON.stringify(config.identityCertificatesPath)} must name a .json certificates file`,
    );
  }
  // --- failover re-check queue (issue 12)
  if (!GCP_REGION_PATTERN.test(config.functionsRegion)) {
    errors.push(
      `${ENV_KEYS.functionsRegion}: ${JSON.stringify(config.functionsRegion)} is not a Google Cloud region (e.g. us-central1)`,
    );
  }
  // ---
  if (config.launchUserData.length > 16_000) {
    errors.push(`${ENV_KEYS.launchUserData}: longer than EC2's 16 KB user data limit`);
  }
  return errors.length > 0 ? fail(errors) : ok(config);
}
