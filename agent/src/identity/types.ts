import type { AgentIdentityReport } from '../report/types';

/** Who this VM is, plus the signed document that proves it (absent in local mode). */
export interface InstanceIdentity extends AgentIdentityReport {
  document: string | null;
  signature: string | null;
}
