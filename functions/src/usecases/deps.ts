import type {
  Clock,
  ComputePort,
  Logger,
  RemoteExecPort,
  ShowServerProbe,
} from '@vmpool/core/ports';
import type { FailoverRecheckTask } from '@vmpool/core';
import type { ControlPlaneConfig } from '../config/control-plane-config';
import type { PoolStore } from '../store/pool-store';
import type { AlertNotifications } from './notifications/alert-notifications';

/** Who may do what beyond the RTDB rules: admins are told apart by their custom claim. */
export interface AccessPort {
  isAdmin(uid: string): Promise<boolean>;
  /**
   * Ends the Auth sessions of the agent on this instance (uid `agentAuthUid(instanceId)`): its
   * refresh tokens stop working, so no new ID token is issued. An instance that never signed
   * in has nothing to revoke. The ID token it holds stays valid up to an hour, which the rules
   * close by comparing the token's instanceId with the VM record.
   */
  revokeAgentSessions(instanceId: string): Promise<void>;
}

/** Everything a use case touches, passed in: no use case reads time or env itself. */
export interface UseCaseDeps {
  store: PoolStore;
  compute: ComputePort;
  /** SSM Run Command (or a stand-in); null when no fallback exists for offline agents. */
  remoteExec: RemoteExecPort | null;
  access: AccessPort;
  /** Failover detection: does a VM's show server answer at its vmAddress (issue 12)? */
  showProbe: ShowServerProbe;
  clock: Clock;
  logger: Logger;
  settings: ControlPlaneConfig;
  /** The alert webhook (Discord/Slack); absent or null: no notifications. */
  notifications?: AlertNotifications | null;
  /**
   * Waits between looks at a failover's state import (issue 12); absent: a real timer. Tests
   * with a manual clock move it here.
   */
  sleep?: (ms: number) => Promise<void>;
  /**
   * Failover re-checks (issue 12): Cloud Tasks in production, a timer in the local host; absent
   * or null: a failure is acted on at the next reconcile only.
   */
  failoverRecheck?: FailoverRecheckScheduler | null;
  /**
   * Issue 11: the timer a request's run renews its lease with; absent: a real interval. Tests
   * with a manual clock tick it themselves.
   */
  repeat?: Repeat;
}

/** Calls `tick` every `ms` until the returned function is called. */
export type Repeat = (ms: number, tick: () => Promise<void>) => () => void;

/** Runs the `failoverRecheck` function with `task` in `delaySeconds` (at least once). */
export interface FailoverRecheckScheduler {
  schedule(task: FailoverRecheckTask, delaySeconds: number): Promise<void>;
}
