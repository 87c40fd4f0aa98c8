import { onValueCreated } from 'firebase-functions/v2/database';
import { handleRequest } from '../usecases/requests/handle-request';
import { runtimeDeps } from './runtime';

/** `vmPool/requests/{requestId}` created: run the request's use case. */
export const onPoolRequestCreated = onValueCreated(
  { ref: 'vmPool/requests/{requestId}', timeoutSeconds: 120 },
  async (event) => {
    await handleRequest(runtimeDeps(), event.params.requestId, event.data.val() as unknown);
  },
);
