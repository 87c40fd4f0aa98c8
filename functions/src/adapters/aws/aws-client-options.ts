import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import type { AwsCallCounter } from './call-counter';

/** How the AWS adapters build their SDK clients; production passes nothing but maybe a counter. */
export interface AwsClientOptions {
  /** e.g. a moto server in tests; the SDK's regional endpoint when absent */
  endpoint?: string;
  /**
   * Static keys (moto), or a provider such as the shared web identity credentials of the
   * deployed functions; the default credential chain when absent.
   */
  credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  /** attempts per call including the first (adaptive retry); default 6 */
  maxAttempts?: number;
  /** counts calls and attempts per operation */
  callCounter?: AwsCallCounter;
}

export const DEFAULT_MAX_ATTEMPTS = 6;

/** The SDK client settings shared by EC2 and SSM. Adaptive retry also rate-limits the client
 * itself after throttling, so a burst of reconcile work slows down instead of failing. */
export function clientConfig(region: string, options: AwsClientOptions) {
  return {
    region,
    retryMode: 'adaptive',
    maxAttempts: options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    ...(options.credentials ? { credentials: options.credentials } : {}),
  };
}

/** Clients are created once per region and reused for the life of the process. */
export function perRegionCache<Client>(
  create: (region: string) => Client,
): (region: string) => Client {
  const clients = new Map<string, Client>();
  return (region) => {
    let client = clients.get(region);
    if (!client) {
      client = create(region);
      clients.set(region, client);
    }
    return client;
  };
}
