// `npm start` configuration: flags win over environment variables, which win over defaults.
// Parsed once, validated, every problem reported together.
import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { isRulesProfile, RULES_PROFILES, type RulesProfile } from '@vmpool/tools/rules';
import { parseAlertLevels, type AlertLevel } from '@vmpool/core';
import { alertWebhookUrlProblem } from '@vmpool/functions/host';

export interface StackConfig {
  headless: boolean;
  dataDir: string;
  host: string;
  databasePort: number;
  namespace: string;
  authPort: number;
  webPort: number;
  controlPort: number;
  /** cold start time of a local VM (pending → running) */
  bootDelayMs: number;
  /** VMs listen on `<prefix>.2`, `<prefix>.3`, … port 3003 */
  vmAddressPrefix: string;
  /** how often the local functions host reconciles the pool */
  reconcileIntervalMs: number;
  /** how often agents probe their services */
  probeIntervalMs: number;
  /** an agent that dies is started again after this long, as systemd's Restart=always; 0 = never */
  agentRestartMs: number;
  /** `dev` runs the Vite dev server, `preview` builds once and serves the build */
  webMode: 'dev' | 'preview';
  /** where the auth emulator finds Java 21+ */
  javaHome: string | undefined;
  /** security rules the database enforces: strict (database.rules.json) or compat */
  rulesProfile: RulesProfile;
  /** where the HTTPS API (PRD §6.1) answers; the web app proxies `/api/` to it */
  apiPort: number;
  /** the Discord/Slack webhook alerts are posted to (a secret: printed masked); null = none */
  alertWebhook: string | null;
  /** the alert levels posted to the webhook */
  alertLevels: AlertLevel[];
}

export type StackConfigResult = { ok: true; config: StackConfig } | { ok: false; errors: string[] };

interface Setting {
  flag: string;
  env: string;
  fallback: string;
  help: string;
}

export const SETTINGS = {
  dataDir: {
    flag: 'data-dir',
    env: 'VMPOOL_DATA_DIR',
    fallback: '.local-data',
    help: 'data folder (database, VM folders, compute state)',
  },
  databasePort: {
    flag: 'db-port',
    env: 'VMPOOL_DB_PORT',
    fallback: '9000',
    help: 'local RTDB server port',
  },
  namespace: {
    flag: 'namespace',
    env: 'VMPOOL_NAMESPACE',
    fallback: 'demo-vmpool',
    help: 'database namespace and Firebase project id',
  },
  authPort: {
    flag: 'auth-port',
    env: 'VMPOOL_AUTH_PORT',
    fallback: '9099',
    help: 'Firebase Auth emulator port',
  },
  webPort: { flag: 'web-port', env: 'VMPOOL_WEB_PORT', fallback: '5173', help: 'web app port' },
  controlPort: {
    flag: 'control-port',
    env: 'VMPOOL_CONTROL_PORT',
    fallback: '9190',
    help: 'local control endpoint (/__local/vms…)',
  },
  bootDelayMs: {
    flag: 'boot-delay-ms',
    env: 'VMPOOL_BOOT_DELAY_MS',
    fallback: '15000',
    help: 'how long a cold VM takes to boot',
  },
  vmAddressPrefix: {
    flag: 'vm-address-prefix',
    env: 'VMPOOL_VM_ADDRESS_PREFIX',
    fallback: '127.0.1',
    help: 'loopback /24 the VMs live in',
  },
  reconcileIntervalMs: {
    flag: 'reconcile-interval-ms',
    env: 'VMPOOL_RECONCILE_INTERVAL_MS',
    fallback: '10000',
    help: 'control plane reconcile period',
  },
  probeIntervalMs: {
    flag: 'probe-interval-ms',
    env: 'VMPOOL_PROBE_INTERVAL_MS',
    fallback: '5000',
    help: 'agent probe period',
  },
  agentRestartMs: {
    flag: 'agent-restart-ms',
    env: 'VMPOOL_AGENT_RESTART_MS',
    fallback: '0',
    help: 'restart a dead agent after this long, as systemd Restart=always (0: never)',
  },
  webMode: {
    flag: 'web-mode',
    env: 'VMPOOL_WEB_MODE',
    fallback: 'dev',
    help: 'dev (Vite dev server) or preview (build, then serve)',
  },
  rulesProfile: {
    flag: 'rules-profile',
    env: 'VMPOOL_RULES_PROFILE',
    fallback: 'strict',
    help: "security rules: strict, or compat (+ the show-controller's anonymous reads)",
  },
  apiPort: {
    flag: 'api-port',
    env: 'VMPOOL_API_PORT',
    fallback: '9191',
    help: 'HTTPS API (/api/…); the web app proxies /api/ to it',
  },
  alertWebhook: {
    flag: 'alert-webhook',
    env: 'VMPOOL_ALERT_WEBHOOK',
    fallback: 'none',
    help: 'Discord/Slack webhook URL alerts are posted to',
  },
  alertLevels: {
    flag: 'alert-levels',
    env: 'VMPOOL_ALERT_WEBHOOK_LEVELS',
    fallback: 'critical,warning',
    help: 'alert levels posted to the webhook, or none',
  },
} as const satisfies Record<string, Setting>;

const NAMESPACE = /^[a-z0-9-]{1,63}$/;
const ADDRESS_PREFIX = /^127\.\d{1,3}\.\d{1,3}$/;

export function usage(): string {
  const lines = Object.values(SETTINGS).map(
    (s: Setting) =>
      `  ${`--${s.flag}`.padEnd(24)} ${s.env.padEnd(29)} ${s.help} (default ${s.fallback})`,
  );
  return [
    'npm start [-- options]   the whole vmpool on this machine',
    `  ${'--headless'.padEnd(24)} no web app (for scripts and tests)`,
    `  ${'--help'.padEnd(24)} this text`,
    ...lines,
  ].join('\n');
}

export function parseStackConfig(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  cwd: string,
): StackConfigResult | { ok: 'help' } {
  const errors: string[] = [];
  const options: Record<string, { type: 'string' | 'boolean' }> = {
    headless: { type: 'boolean' },
    help: { type: 'boolean' },
  };
  for (const setting of Object.values(SETTINGS)) options[setting.flag] = { type: 'string' };
  let flags: Record<string, string | boolean | undefined> = {};
  try {
    flags = parseArgs({ args: [...argv], options, strict: true, allowPositionals: false }).values;
  } catch (error) {
    errors.push((error as Error).message);
  }
  if (flags.help === true) return { ok: 'help' };

  const raw = (setting: Setting): string => {
    const flag = flags[setting.flag];
    if (typeof flag === 'string') return flag.trim();
    const fromEnv = env[setting.env];
    return fromEnv !== undefined && fromEnv.trim() !== '' ? fromEnv.trim() : setting.fallback;
  };
  const integer = (setting: Setting, min: number, max: number): number => {
    const text = raw(setting);
    const value = Number(text);
    if (!/^\d+$/.test(text) || value < min || value > max) {
      errors.push(
        `--${setting.flag} (${setting.env}) must be an integer in ${min}..${max}, got "${text}"`,
      );
    }
    return value;
  };
  const port = (setting: Setting): number => integer(setting, 1, 65535);

  const namespace = raw(SETTINGS.namespace);
  if (!NAMESPACE.test(namespace))
    errors.push(
      `--namespace (VMPOOL_NAMESPACE) must match ${NAMESPACE.source}, got "${namespace}"`,
    );
  const vmAddressPrefix = raw(SETTINGS.vmAddressPrefix);
  const octets = vmAddressPrefix.split('.').map(Number);
  if (!ADDRESS_PREFIX.test(vmAddressPrefix) || octets.some((octet) => octet > 255))
    errors.push(
      `--vm-address-prefix (VMPOOL_VM_ADDRESS_PREFIX) must be a loopback /24 such as 127.0.1, got "${vmAddressPrefix}"`,
    );
  else if (vmAddressPrefix === '127.0.0')
    errors.push('--vm-address-prefix must not be 127.0.0: the stack itself lives on 127.0.0.1');
  const webMode = raw(SETTINGS.webMode);
  if (webMode !== 'dev' && webMode !== 'preview')
    errors.push(`--web-mode (VMPOOL_WEB_MODE) must be dev or preview, got "${webMode}"`);
  const rulesProfile = raw(SETTINGS.rulesProfile);
  if (!isRulesProfile(rulesProfile))
    errors.push(
      `--rules-profile (VMPOOL_RULES_PROFILE) must be ${RULES_PROFILES.join(' or ')}, got "${rulesProfile}"`,
    );

  const alertWebhookRaw = raw(SETTINGS.alertWebhook);
  const alertWebhook = alertWebhookRaw === 'none' ? null : alertWebhookRaw;
  const webhookProblem = alertWebhook === null ? null : alertWebhookUrlProblem(alertWebhook);
  if (webhookProblem !== null)
    errors.push(`--alert-webhook (VMPOOL_ALERT_WEBHOOK) ${webhookProblem}`);
  const alertLevels = parseAlertLevels(raw(SETTINGS.alertLevels));
  if (!alertLevels.ok)
    errors.push(
      ...alertLevels.errors.map((error) => `--alert-levels (VMPOOL_ALERT_WEBHOOK_LEVELS) ${error}`),
    );

  const config: StackConfig = {
    headless: flags.headless === true,
    dataDir: resolve(cwd, raw(SETTINGS.dataDir)),
    host: '127.0.0.1',
    databasePort: port(SETTINGS.databasePort),
    namespace,
    authPort: port(SETTINGS.authPort),
    webPort: port(SETTINGS.webPort),
    controlPort: port(SETTINGS.controlPort),
    bootDelayMs: integer(SETTINGS.bootDelayMs, 0, 600_000),
    vmAddressPrefix,
    reconcileIntervalMs: integer(SETTINGS.reconcileIntervalMs, 1000, 3_600_000),
    probeIntervalMs: integer(SETTINGS.probeIntervalMs, 200, 600_000),
    agentRestartMs: integer(SETTINGS.agentRestartMs, 0, 600_000),
    webMode: webMode as StackConfig['webMode'],
    javaHome: env.JAVA_HOME,
    rulesProfile: rulesProfile as RulesProfile,
    apiPort: port(SETTINGS.apiPort),
    alertWebhook,
    alertLevels: alertLevels.ok ? alertLevels.value : [],
  };
  const ports = [
    ['--db-port', config.databasePort],
    ['--auth-port', config.authPort],
    ['--control-port', config.controlPort],
    ['--api-port', config.apiPort],
    ...(config.headless ? [] : [['--web-port', config.webPort] as const]),
  ] as const;
  const seen = new Map<number, string>();
  for (const [name, value] of ports) {
    const other = seen.get(value);
    if (other !== undefined) errors.push(`${name} and ${other} are both ${value}`);
    seen.set(value, name);
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, config };
}
