import { COST_MONTH_PATTERN } from './costs';
import { hasControlCharacter, ILLEGAL_KEY_CHARS, isValidVmId } from './ids';
import { priceKey } from './pool-config';

/** RTDB keys may not be empty or contain . # $ [ ] / or control characters (max 768 bytes). */
const MAX_KEY_BYTES = 768;

/** Throws a clear error when `value` cannot be used as one RTDB path segment. */
export function assertPathSegment(name: string, value: unknown): string {
  if (typeof value !== 'string') {
    throw new Error(`Illegal ${name} path segment: expected a string, got ${typeof value}`);
  }
  if (value === '') throw new Error(`Illegal ${name} path segment: empty`);
  if (ILLEGAL_KEY_CHARS.test(value) || hasControlCharacter(value)) {
    throw new Error(
      `Illegal ${name} path segment ${JSON.stringify(value)}: . # $ [ ] / and control characters are not allowed`,
    );
  }
  if (new TextEncoder().encode(value).length > MAX_KEY_BYTES) {
    throw new Error(`Illegal ${name} path segment: longer than ${MAX_KEY_BYTES} bytes`);
  }
  return value;
}

export function isValidPathSegment(value: unknown): value is string {
  try {
    assertPathSegment('key', value);
    return true;
  } catch {
    return false;
  }
}

function vmSegment(vmId: unknown): string {
  assertPathSegment('vmId', vmId);
  if (!isValidVmId(vmId)) {
    throw new Error(
      `Illegal vmId path segment ${JSON.stringify(vmId)}: must match vm-[a-z0-9-]{1,40}`,
    );
  }
  return vmId;
}

const seg = assertPathSegment;

function monthSegment(month: unknown): string {
  assertPathSegment('month', month);
  if (!COST_MONTH_PATTERN.test(month as string)) {
    throw new Error(`Illegal month path segment ${JSON.stringify(month)}: must be yyyy-mm`);
  }
  return month as string;
}

/** Every RTDB path vmpool reads or writes, as documented in docs/contract.md. */
export const paths = {
  poolConfig: () => 'vmPool/config',
  vms: () => 'vmPool/vms',
  vm: (vmId: string) => `vmPool/vms/${vmSegment(vmId)}`,
  vmAgent: (vmId: string) => `vmPool/vms/${vmSegment(vmId)}/agent`,
  vmWatchers: (vmId: string) => `vmPool/vms/${vmSegment(vmId)}/watchers`,
  vmWatcher: (vmId: string, uid: string) =>
    `vmPool/vms/${vmSegment(vmId)}/watchers/${seg('uid', uid)}`,
  /** What the agent writes often (heartbeat, metrics); no trigger watches it (agent-pulse.ts). */
  pulses: () => 'vmPool/pulse',
  vmPulse: (vmId: string) => `vmPool/pulse/${vmSegment(vmId)}`,
  /** One-shot data migrations the control plane has run (control plane only). */
  migration: (name: string) => `vmPool/migrations/${seg('name', name)}`,
  previews: () => 'vmPool/previews',
  preview: (vmId: string) => `vmPool/previews/${vmSegment(vmId)}`,
  requests: () => 'vmPool/requests',
  request: (requestId: string) => `vmPool/requests/${seg('requestId', requestId)}`,
  requestResult: (requestId: string) => `vmPool/requests/${seg('requestId', requestId)}/result`,
  commands: () => 'vmPool/commands',
  vmCommands: (vmId: string) => `vmPool/commands/${vmSegment(vmId)}`,
  command: (vmId: string, commandId: string) =>
    `vmPool/commands/${vmSegment(vmId)}/${seg('commandId', commandId)}`,
  identities: () => 'vmPool/identity',
  identity: (instanceId: string) => `vmPool/identity/${seg('instanceId', instanceId)}`,
  competitions: () => 'competitions',
  competition: (compId: string) => `competitions/${seg('compId', compId)}`,
  competitionConfig: (compId: string) => `competitions/${seg('compId', compId)}/config`,
  producerAccess: (uid: string) => `producerAccess/${seg('uid', uid)}`,
  producerAccessFor: (uid: string, compId: string) =>
    `producerAccess/${seg('uid', uid)}/${seg('compId', compId)}`,
  allAlerts: () => 'alerts',
  alerts: (scope: string) => `alerts/${seg('scope', scope)}`,
  alert: (scope: string, alertId: string) =>
    `alerts/${seg('scope', scope)}/${seg('alertId', alertId)}`,
  statusHistory: () => 'vmPool/statusHistory',
  vmStatusHistory: (vmId: string) => `vmPool/statusHistory/${vmSegment(vmId)}`,
  statusHistoryEntry: (vmId: string, entryId: string) =>
    `vmPool/statusHistory/${vmSegment(vmId)}/${seg('entryId', entryId)}`,
  costs: () => 'vmPool/costs',
  monthlyCost: (month: string) => `vmPool/costs/${monthSegment(month)}`,
  competitionCost: (month: string, compId: string) =>
    `vmPool/costs/${monthSegment(month)}/competitions/${seg('compId', compId)}`,
  bootStats: () => 'vmPool/bootStats',
  bootStatsFor: (region: string, instanceType: string) =>
    `vmPool/bootStats/${seg('region', region)}/${priceKey(instanceType)}`,
  scheduleMarks: () => 'vmPool/schedule',
  scheduleMark: (compId: string) => `vmPool/schedule/${seg('compId', compId)}`,
  // failover (issue 12)
  failovers: () => 'vmPool/failovers',
  failover: (compId: string) => `vmPool/failovers/${seg('compId', compId)}`,
  // issue 12: the latest saved show state of each competition
  stateExports: () => 'vmPool/stateExports',
  stateExport: (compId: string) => `vmPool/stateExports/${seg('compId', compId)}`,
  // Issue 9: rate limits and what producers read of the pool.
  requestQuotas: () => 'vmPool/requestQuota',
  requestQuota: (uid: string) => `vmPool/requestQuota/${seg('uid', uid)}`,
  poolSummary: () => 'vmPool/summary',
  alertWebhookStatus: () => 'vmPool/alertWebhook',
  audit: () => 'audit',
  auditEntry: (auditId: string) => `audit/${seg('auditId', auditId)}`,
} as const;
