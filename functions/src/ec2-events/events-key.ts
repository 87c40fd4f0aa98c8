import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { clientConfig, type AwsClientOptions } from '../adapters/aws/aws-client-options';
import { classifyAwsError } from '../adapters/aws/classify-error';

/** The key EventBridge must present; fetched where it is kept. */
export type EventsKeySource = () => Promise<string>;

export interface SecretsManagerKeyOptions extends AwsClientOptions {
  secretArn: string;
  /** How long a fetched key is trusted before it is read again; default 10 minutes. */
  cacheMs?: number;
  now?: () => number;
}

/**
 * The key from the Secrets Manager secret infra/ generates (the EventBridge connection sends
 * the same value): read with the control plane's role, one client created here, cached for a
 * while; a failed read is not cached.
 */
export function secretsManagerEventsKey(options: SecretsManagerKeyOptions): EventsKeySource {
  const region = options.secretArn.split(':')[3];
  if (!region) throw new Error(`${options.secretArn} is not a Secrets Manager secret ARN`);
  const client = new SecretsManagerClient(clientConfig(region, options));
  const cacheMs = options.cacheMs ?? 10 * 60_000;
  const now = options.now ?? (() => Date.now());
  let cached: { key: string; at: number } | null = null;
  return async () => {
    if (cached !== null && now() - cached.at < cacheMs) return cached.key;
    let key: string | undefined;
    try {
      const output = await client.send(new GetSecretValueCommand({ SecretId: options.secretArn }));
      key = output.SecretString;
    } catch (error) {
      throw classifyAwsError(error, 'GetSecretValue of the EC2 events key');
    }
    if (key === undefined || key === '') {
      throw new Error(`The secret ${options.secretArn} holds no string key`);
    }
    cached = { key, at: now() };
    return key;
  };
}
