import { onRequest } from 'firebase-functions/v2/https';
import { createEc2EventsHandler, secretsManagerEventsKey } from '../ec2-events';
import { applyEc2StateChange } from '../usecases/events/ec2-state-change';
import { productionAwsCredentials } from './production-deps';
import { runtimeDeps } from './runtime';

type Handler = ReturnType<typeof createEc2EventsHandler>;
let handler: Handler | null = null;

function ec2EventsHandler(): Handler {
  if (handler === null) {
    const deps = runtimeDeps();
    handler = createEc2EventsHandler({
      key: secretsManagerEventsKey({
        secretArn: deps.settings.ec2EventsSecretArn,
        credentials: productionAwsCredentials(deps.settings),
      }),
      apply: (change) => applyEc2StateChange(runtimeDeps(), change),
      logger: deps.logger.child({ function: 'ec2StateChange' }),
    });
  }
  return handler;
}

/**
 * EC2 instance state changes from EventBridge (infra/: rule → API destination with the key
 * header). Public to the network, authenticated by the shared key.
 */
export const ec2StateChange = onRequest(
  { timeoutSeconds: 60, invoker: 'public' },
  async (req, res) => {
    await ec2EventsHandler()(req, res);
  },
);
