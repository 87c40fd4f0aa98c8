import type { Clock, ComputePort, Logger, RemoteExecPort } from '@vmpool/core/ports';
import type { ControlPlaneConfig } from '../config/control-plane-config';
import type { PoolStore } from '../store/pool-store';

/** Who may do what beyond the RTDB rules: admins are told apart by their custom claim. */
export interface AccessPort {
  isAdmin(uid: string): Promise<boolean>;
}

/** Everything a use case touches, passed in: no use case reads time or env itself. */
export interface UseCaseDeps {
  store: PoolStore;
  compute: ComputePort;
  /** SSM Run Command (or a stand-in); null when no fallback exists for offline agents. */
  remoteExec: RemoteExecPort | null;
  access: AccessPort;
  clock: Clock;
  logger: Logger;
  settings: ControlPlaneConfig;
}
