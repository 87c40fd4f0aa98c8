import { deleteApp, initializeApp, type App } from 'firebase-admin/app';
import { getAuth } from 'firebase-admin/auth';
import { getDatabase, type DataSnapshot, type Reference } from 'firebase-admin/database';
import { isFinalResult, paths } from '@vmpool/core';
import type {
  Clock,
  ComputePort,
  Logger,
  RemoteExecPort,
  ShowServerProbe,
} from '@vmpool/core/ports';
import { createHttpShowProbe } from '../adapters/http/show-probe';
import {
  DEFAULT_CONTROL_PLANE_CONFIG,
  type ControlPlaneConfig,
} from '../config/control-plane-config';
import { createHttpAlertWebhook } from '../adapters/webhook/http-alert-webhook';
import { rtdbAlertDeliveryStore } from '../store/rtdb/alert-deliveries';
import { createRtdbPoolStore } from '../store/rtdb-pool-store';
import { onAlertWritten } from '../triggers/alert-written';
import { isRecord } from '../store/rtdb-values';
import { onAgentWritten } from '../triggers/agent-written';
import { claimsAccess } from '../triggers/claims-access';
import { onCommandStatusWritten } from '../triggers/command-status-written';
import { onPoolRequestCreated } from '../triggers/request-created';
import { overrideDeps } from '../triggers/runtime';
import { scheduledReconcile } from '../triggers/scheduled-reconcile';
import { failoverRecheck } from '../triggers/failover-recheck';
import type { AccessPort, UseCaseDeps } from '../usecases/deps';
import type { IdTokenClaims } from '../http';
import { consoleLogger } from './console-logger';
import { serveApi } from './serve-api';
import { RTDB_EVENT_TYPES, rtdbCloudEvent, type EventTarget } from './cloud-event';

export interface LocalHostOptions {
  /** `http://127.0.0.1:PORT?ns=NS` */
  databaseUrl: string;
  /**
   * The use cases' own connection to the same database (default: the listeners' one), so that
   * a bench can count what the control plane reads, apart from the host's trigger listeners.
   */
  useCaseDatabaseUrl?: string;
  compute: ComputePort;
  remoteExec?: RemoteExecPort;
  clock?: Clock;
  logger?: Logger;
  /** default 60000 (the production schedule); 0 disables the interval */
  reconcileIntervalMs?: number;
  /** Failover's show server probe; HTTP to each VM's address by default. */
  showProbe?: ShowServerProbe;
  projectId?: string;
  /** Serve the HTTPS API on 127.0.0.1 at this port (0 = a free one). */
  httpPort?: number;
  /** How the API checks ID tokens; default firebase-admin Auth (the Auth emulator locally). */
  verifyIdToken?: (token: string) => Promise<IdTokenClaims>;
  /** Who is an admin; default: the `admin` custom claim via firebase-admin Auth. */
  access?: AccessPort;
  /** Deadlines and timeouts; default DEFAULT_CONTROL_PLANE_CONFIG. */
  settings?: Partial<ControlPlaneConfig>;
  /**
   * The Discord/Slack webhook alerts are posted to (production reads the VMPOOL_ALERT_WEBHOOK
   * secret instead); absent or null: no notifications.
   */
  alertWebhookUrl?: string | null;
  /**
   * How long `stop` waits for handlers and a reconcile still running (default 30000). What is
   * cut short then resumes on the next start (run leases, reconcile), as after a crash: a stop
   * never waits forever on work that cannot finish.
   */
  stopDrainMs?: number;
  /**
   * Per function, seconds after which an invocation is ended as Cloud Functions ends one at its
   * `timeoutSeconds` (default: each trigger's own, as deployed).
   */
  functionTimeoutSeconds?: Partial<Record<HostedFunction, number>>;
}

const HOSTED_FUNCTIONS = {
  onPoolRequestCreated,
  onAgentWritten,
  onCommandStatusWritten,
  onAlertWritten,
  scheduledReconcile,
  failoverRecheck,
};
export type HostedFunction = keyof typeof HOSTED_FUNCTIONS;

/** Cloud Functions' default for event-driven functions when a trigger sets none. */
const DEFAULT_TIMEOUT_SECONDS = 60;

/** A trigger's deployed `timeoutSeconds` (firebase-functions keeps its options on `__endpoint`). */
function deployedTimeoutSeconds(trigger: unknown): number {
  const endpoint = (trigger as { __endpoint?: { timeoutSeconds?: unknown } }).__endpoint;
  const seconds = endpoint?.timeoutSeconds;
  return typeof seconds === 'number' && seconds > 0 ? seconds : DEFAULT_TIMEOUT_SECONDS;
}

export class FunctionTimeoutError extends Error {
  constructor(name: string, seconds: number) {
    super(`${name} timed out after ${seconds} s; its work resumes as after a crash`);
    this.name = 'FunctionTimeoutError';
  }
}

/**
 * Ends an invocation at its timeout, as Cloud Functions does: the caller (the host's schedule,
 * its drain on stop) stops waiting. A call that hangs (an SDK promise that never settles, an
 * AWS call that never answers) can then never stall the schedule or the host for good.
 */
function endsWithin<T>(work: Promise<T>, name: string, seconds: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new FunctionTimeoutError(name, seconds)), seconds * 1000);
    timer.unref();
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

export interface LocalFunctionsHost {
  stop(): Promise<void>;
  /** Runs the scheduled reconcile now and waits for it. */
  reconcileNow(): Promise<void>;
  /** Resolves when every trigger started so far has finished. */
  idle(): Promise<void>;
  /** Where the HTTPS API answers, when `httpPort` was given. */
  httpUrl?: string;
  /** How many times each trigger has been invoked so far (as Cloud Functions would bill). */
  invocations(): Readonly<Record<string, number>>;
  /**
   * The host dies at once, as a Cloud Functions instance killed mid-operation: no trigger is
   * waited for, every call in flight fails from here on (a database or compute answer that
   * arrives later is never seen) and its connections close. For the chaos suite.
   */
  kill(): Promise<void>;
}

/** What every store, compute or probe call of a killed host throws. */
export class HostKilled extends Error {
  constructor() {
    super('the functions host was killed');
    this.name = 'HostKilled';
  }
}

/** `target`'s methods, failing once `dead()` is true: before the call and when its answer lands. */
function gated<T extends object>(target: T, dead: () => boolean): T {
  return new Proxy(target, {
    get(object, key, receiver) {
      const value = Reflect.get(object, key, receiver) as unknown;
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        if (dead()) throw new HostKilled();
        const result = (value as (...a: unknown[]) => unknown).apply(object, args);
        if (result instanceof Promise)
          return result.then((answer: unknown) => {
            if (dead()) throw new HostKilled();
            return answer;
          });
        return result;
      };
    },
  });
}

function parseDatabaseUrl(databaseUrl: string): EventTarget {
  const url = new URL(databaseUrl);
  const instance = url.searchParams.get('ns') ?? url.hostname.split('.')[0] ?? 'default';
  return { instance, host: url.host };
}

/**
 * One process that runs the exported Cloud Functions against a local RTDB: listeners on the
 * trigger paths invoke each trigger with a raw CloudEvent (as Eventarc would), an interval
 * runs the schedule, timers run the failover re-check tasks. Requests written before the host started are processed too.
 */
export async function startLocalFunctionsHost(opts: LocalHostOptions): Promise<LocalFunctionsHost> {
  const target = parseDatabaseUrl(opts.databaseUrl);
  const projectId = opts.projectId ?? target.instance;
  // DataSnapshot in firebase-functions initializes its own admin app from this.
  process.env.FIREBASE_CONFIG = JSON.stringify({ projectId, databaseURL: opts.databaseUrl });
  process.env.GCLOUD_PROJECT ??= projectId;

  const app: App = initializeApp(
    { databaseURL: opts.databaseUrl, projectId },
    `vmpool-host-${Math.random().toString(36).slice(2)}`,
  );
  const db = getDatabase(app);
  const useCaseApp: App | null =
    opts.useCaseDatabaseUrl === undefined
      ? null
      : initializeApp(
          { databaseURL: opts.useCaseDatabaseUrl, projectId },
          `vmpool-host-usecases-${Math.random().toString(36).slice(2)}`,
        );
  const logger = opts.logger ?? consoleLogger('info', { component: 'functions-host' });
  const clock = opts.clock ?? { now: () => Date.now() };
  let killed = false;
  const dead = () => killed;
  const deps: UseCaseDeps = {
    store: gated(
      createRtdbPoolStore(useCaseApp === null ? db : getDatabase(useCaseApp), clock),
      dead,
    ),
    compute: gated(opts.compute, dead),
    remoteExec: opts.remoteExec ?? null,
    access: opts.access ?? claimsAccess(getAuth(app)),
    showProbe: gated(opts.showProbe ?? createHttpShowProbe(), dead),
    clock,
    logger,
    settings: {
      ...DEFAULT_CONTROL_PLANE_CONFIG,
      // Recovery's next-try times follow this host's own reconcile interval.
      ...(opts.reconcileIntervalMs !== undefined && opts.reconcileIntervalMs > 0
        ? { reconcileIntervalMs: opts.reconcileIntervalMs }
        : {}),
      ...opts.settings,
    },
  };
  const alertWebhookUrl = opts.alertWebhookUrl ?? null;
  if (alertWebhookUrl !== null) {
    deps.notifications = {
      webhook: createHttpAlertWebhook({ url: () => alertWebhookUrl }),
      deliveries: rtdbAlertDeliveryStore(db),
      levels: deps.settings.alertWebhookLevels,
      sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    };
  }
  overrideDeps(deps);

  const inFlight = new Set<Promise<void>>();
  const invocations: Record<string, number> = {};
  let stopping = false;
  const timeoutSeconds = (name: HostedFunction): number =>
    opts.functionTimeoutSeconds?.[name] ?? deployedTimeoutSeconds(HOSTED_FUNCTIONS[name]);
  const invoke = (name: HostedFunction, call: () => unknown) => {
    if (stopping) return;
    invocations[name] = (invocations[name] ?? 0) + 1;
    const run = (async () => {
      try {
        await endsWithin(Promise.resolve().then(call), name, timeoutSeconds(name));
      } catch (error) {
        if (!killed) logger.error('trigger failed', { trigger: name, error: String(error) });
      }
    })();
    inFlight.add(run);
    void run.finally(() => inFlight.delete(run));
  };

  // --- failover re-checks (issue 12): Cloud Tasks' part, the same task function from a timer.
  const recheckTimers = new Set<ReturnType<typeof setTimeout>>();
  deps.failoverRecheck = {
    schedule: async (task, delaySeconds) => {
      if (stopping) return;
      const timer = setTimeout(() => {
        recheckTimers.delete(timer);
        invoke('failoverRecheck', () => failoverRecheck.run({ data: task } as never));
      }, delaySeconds * 1000);
      recheckTimers.add(timer);
    },
  };
  // --- end failover re-checks

  // Requests: child_added also delivers every request already there (at-least-once).
  const requestsRef = db.ref(paths.requests());
  const onRequest = (snapshot: DataSnapshot) => {
    const value = snapshot.val() as unknown;
    if (isRecord(value) && isFinalResult(value.result)) return;
    const ref = `${paths.requests()}/${snapshot.key}`;
    invoke('onPoolRequestCreated', () =>
      onPoolRequestCreated(
        rtdbCloudEvent(target, RTDB_EVENT_TYPES.created, ref, null, value) as never,
      ),
    );
  };
  requestsRef.on('child_added', onRequest);

  // Agent reports: the host keeps what it last delivered, as Eventarc's before/after.
  const vmsRef = db.ref(paths.vms());
  const agents = new Map<string, string>();
  const onVm = (snapshot: DataSnapshot) => {
    const vmId = snapshot.key;
    if (vmId === null) return;
    const after = (snapshot.child('agent').val() as unknown) ?? null;
    const previous = agents.get(vmId);
    const afterJson = JSON.stringify(after);
    if (previous === afterJson || (previous === undefined && after === null)) return;
    agents.set(vmId, afterJson);
    const before = previous === undefined ? null : (JSON.parse(previous) as unknown);
    invoke('onAgentWritten', () =>
      onAgentWritten(
        rtdbCloudEvent(
          target,
          RTDB_EVENT_TYPES.written,
          paths.vmAgent(vmId),
          before,
          after,
        ) as never,
      ),
    );
  };
  vmsRef.on('child_added', onVm);
  vmsRef.on('child_changed', onVm);
  vmsRef.on('child_removed', (snapshot) => {
    if (snapshot.key !== null) agents.delete(snapshot.key);
  });

  // Command statuses, per VM and command: each command's own child events (its output
  // streaming in changes nothing here; a VM with many commands is not re-read on each change).
  const statuses = new Map<string, unknown>();
  const stopCommands = onGrandchildren(db.ref(paths.commands()), (vmId, snapshot) => {
    const commandId = snapshot.key;
    if (commandId === null) return;
    const command = snapshot.val() as unknown;
    const status = isRecord(command) ? (command.status ?? null) : null;
    const key = `${vmId}/${commandId}`;
    const before = statuses.has(key) ? statuses.get(key) : null;
    if (before === status) return;
    statuses.set(key, status);
    if (status === null) return;
    const ref = `${paths.command(vmId, commandId)}/status`;
    invoke('onCommandStatusWritten', () =>
      onCommandStatusWritten(
        rtdbCloudEvent(target, RTDB_EVENT_TYPES.written, ref, before, status) as never,
      ),
    );
  });

  // Alerts, per scope and alert: only changes after the host started (the alerts already
  // there were seen by an earlier host, or predate the webhook).
  const alertsRef = db.ref(paths.allAlerts());
  const alertValues = new Map<string, string>();
  const primed = (await alertsRef.get()).val() as unknown;
  for (const [scope, alerts] of Object.entries(isRecord(primed) ? primed : {})) {
    for (const [alertId, alert] of Object.entries(isRecord(alerts) ? alerts : {})) {
      alertValues.set(`${scope}/${alertId}`, JSON.stringify(alert));
    }
  }
  const stopAlerts = onGrandchildren(alertsRef, (scope, snapshot) => {
    const alertId = snapshot.key;
    if (alertId === null) return;
    const alert = snapshot.val() as unknown;
    const key = `${scope}/${alertId}`;
    const previous = alertValues.get(key);
    const afterJson = JSON.stringify(alert);
    if (previous === afterJson) return;
    alertValues.set(key, afterJson);
    const before = previous === undefined ? null : (JSON.parse(previous) as unknown);
    invoke('onAlertWritten', () =>
      onAlertWritten(
        rtdbCloudEvent(
          target,
          RTDB_EVENT_TYPES.written,
          paths.alert(scope, alertId),
          before,
          alert,
        ) as never,
      ),
    );
  });

  // The schedule: never two reconciles at once, as Cloud Scheduler with one instance.
  let reconciling: Promise<void> | null = null;
  let reconcileStartedAt = 0;
  const reconcileNow = async () => {
    while (reconciling) await reconciling;
    reconcileStartedAt = clock.now();
    const run = endsWithin(
      Promise.resolve(
        scheduledReconcile.run({
          scheduleTime: new Date(clock.now()).toISOString(),
          jobName: 'firebase-schedule-scheduledReconcile-local',
        } as never),
      ),
      'scheduledReconcile',
      timeoutSeconds('scheduledReconcile'),
    );
    // Waiters only wait: the caller of this run sees its error (unobserved, it would be an
    // unhandled rejection that ends the process).
    reconciling = run
      .catch(() => undefined)
      .finally(() => {
        reconciling = null;
      });
    await run;
  };
  const intervalMs = opts.reconcileIntervalMs ?? 60_000;
  const timer =
    intervalMs > 0
      ? setInterval(() => {
          if (reconciling) {
            // One at a time; a run that outlasts several intervals is said, not silent (issue
            // 11: a run once never finished, and nothing showed why the schedule had stopped).
            const runningMs = clock.now() - reconcileStartedAt;
            if (runningMs >= 3 * intervalMs)
              logger.warn('reconcile still running; the schedule waits for it', { runningMs });
            return;
          }
          invoke('scheduledReconcile', reconcileNow);
        }, intervalMs)
      : null;

  const auth = getAuth(app);
  const http =
    opts.httpPort === undefined
      ? null
      : await serveApi({
          db,
          port: opts.httpPort,
          clock,
          logger,
          verifyIdToken: opts.verifyIdToken ?? ((token) => auth.verifyIdToken(token)),
          reconcileNow,
        });

  const idle = async () => {
    while (inFlight.size > 0) await Promise.all([...inFlight]);
  };

  return {
    reconcileNow,
    idle,
    invocations: () => ({ ...invocations }),
    ...(http ? { httpUrl: http.url } : {}),
    async kill() {
      if (killed) return;
      killed = true;
      stopping = true;
      if (timer) clearInterval(timer);
      requestsRef.off();
      vmsRef.off();
      stopCommands();
      stopAlerts();
      // The dead host's deps stay installed (every call fails) until a new host replaces them.
      await http?.close();
      if (useCaseApp !== null) await deleteApp(useCaseApp);
      await deleteApp(app);
      logger.warn('functions host killed');
    },
    async stop() {
      if (killed) return;
      stopping = true;
      if (timer) clearInterval(timer);
      for (const recheck of recheckTimers) clearTimeout(recheck);
      requestsRef.off();
      vmsRef.off();
      stopCommands();
      stopAlerts();
      await http?.close();
      const drained = async () => {
        await idle();
        while (reconciling) await reconciling;
      };
      let drainTimer: NodeJS.Timeout | undefined;
      const limitMs = opts.stopDrainMs ?? 30_000;
      const done = await Promise.race([
        drained().then(() => true),
        new Promise<false>((resolve) => (drainTimer = setTimeout(() => resolve(false), limitMs))),
      ]);
      clearTimeout(drainTimer);
      if (!done) {
        logger.warn(
          'functions host stopping with work still running; it resumes on the next start',
          {
            handlers: inFlight.size,
            reconciling: reconciling !== null,
            waitedMs: limitMs,
          },
        );
      }
      overrideDeps(null);
      if (useCaseApp !== null) await deleteApp(useCaseApp);
      await deleteApp(app);
    },
  };
}

/**
 * Calls `onChild(parent, child)` for every child added or changed two levels below `root`
 * (`root/{parent}/{child}`), through child events on each parent: a change delivers that one
 * child, not its parent's whole subtree. The listens below `root`'s own are served from its
 * data (no more reads from the database). Returns what removes every listener.
 */
function onGrandchildren(
  root: Reference,
  onChild: (parent: string, child: DataSnapshot) => void,
): () => void {
  const parents = new Map<string, Reference>();
  root.on('child_added', (snapshot) => {
    const parent = snapshot.key;
    if (parent === null || parents.has(parent)) return;
    const ref = root.child(parent);
    parents.set(parent, ref);
    const deliver = (child: DataSnapshot) => onChild(parent, child);
    ref.on('child_added', deliver);
    ref.on('child_changed', deliver);
  });
  root.on('child_removed', (snapshot) => {
    const parent = snapshot.key;
    if (parent === null) return;
    parents.get(parent)?.off();
    parents.delete(parent);
  });
  return () => {
    root.off();
    for (const ref of parents.values()) ref.off();
    parents.clear();
  };
}
