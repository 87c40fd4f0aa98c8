import { onValueWritten } from 'firebase-functions/v2/database';
import { onAgentReport } from '../usecases/events/agent-report';
import { runtimeDeps } from './runtime';

/** `vmPool/vms/{vmId}/agent` written: readiness, live-show transitions and VM alerts. */
export const onAgentWritten = onValueWritten(
  { ref: 'vmPool/vms/{vmId}/agent', timeoutSeconds: 60 },
  async (event) => {
    await onAgentReport(
      runtimeDeps(),
      event.params.vmId,
      event.data.before.val() as unknown,
      event.data.after.val() as unknown,
    );
  },
);
