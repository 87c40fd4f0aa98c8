import { AssumeRoleWithWebIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { fromWebToken } from '@aws-sdk/credential-providers';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import { DEFAULT_MAX_ATTEMPTS } from './aws-client-options';

/**
 * How the deployed functions reach AWS without a long-lived key: the metadata server gives
 * the functions' Google service account an ID token for an audience (the role's ARN), and STS
 * AssumeRoleWithWebIdentity exchanges it for short-lived credentials of that role, whose trust
 * policy (infra/) accepts only that service account and that audience.
 */

export interface GoogleIdTokenOptions {
  /** host[:port] of the metadata server (metadata.google.internal on Google Cloud). */
  metadataHost: string;
  /** The `aud` of the token: the role's ARN, which the role's trust policy checks (:oaud). */
  audience: string;
  /** default 5000 */
  timeoutMs?: number;
}

/** Fetches a fresh Google ID token of the runtime's service account for each call. */
export function googleIdTokenSource(options: GoogleIdTokenOptions): () => Promise<string> {
  const url = new URL(
    `http://${options.metadataHost}/computeMetadata/v1/instance/service-accounts/default/identity`,
  );
  url.searchParams.set('audience', options.audience);
  url.searchParams.set('format', 'full');
  return async () => {
    let response: Response;
    try {
      response = await fetch(url, {
        headers: { 'Metadata-Flavor': 'Google' },
        signal: AbortSignal.timeout(options.timeoutMs ?? 5000),
      });
    } catch (error) {
      throw new Error(
        `Could not reach the metadata server at ${options.metadataHost} for an ID token: ${String(error)}`,
      );
    }
    const body = (await response.text()).trim();
    if (!response.ok) {
      throw new Error(
        `The metadata server refused an ID token (HTTP ${response.status}): ${body.slice(0, 200)}`,
      );
    }
    if (response.headers.get('metadata-flavor') !== 'Google') {
      throw new Error('The metadata server answer lacks "Metadata-Flavor: Google"; refused');
    }
    if (!/^[\w-]+\.[\w-]+\.[\w-]*$/.test(body)) {
      throw new Error('The metadata server answered something that is not a JWT');
    }
    return body;
  };
}

export interface WebIdentityCredentialsOptions {
  roleArn: string;
  /** Shows in CloudTrail as assumed-role/ROLE/SESSION. */
  roleSessionName: string;
  /** The STS region (regional endpoint). */
  stsRegion: string;
  /** e.g. moto in tests; the regional STS endpoint when absent */
  stsEndpoint?: string;
  /** A fresh web identity token (the Google ID token). */
  idToken: () => Promise<string>;
  /** attempts per STS call including the first (adaptive retry); default 6 */
  maxAttempts?: number;
  /** default Date.now; credentials are renewed this long before they expire */
  now?: () => number;
  refreshBeforeExpiryMs?: number;
}

export const ROLE_SESSION_DURATION_SECONDS = 3600;
const DEFAULT_REFRESH_BEFORE_EXPIRY_MS = 5 * 60_000;

/**
 * One credentials provider for every AWS client of the process (EC2 and SSM in each region,
 * Secrets Manager): the assumed-role credentials are shared and renewed once, shortly before
 * they expire, with one STS client created here. Concurrent callers share one renewal; a
 * failed renewal is not cached, so the next call tries again.
 */
export function webIdentityCredentials(
  options: WebIdentityCredentialsOptions,
): AwsCredentialIdentityProvider {
  const sts = new STSClient({
    region: options.stsRegion,
    retryMode: 'adaptive',
    maxAttempts: options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
    ...(options.stsEndpoint ? { endpoint: options.stsEndpoint } : {}),
  });
  const now = options.now ?? (() => Date.now());
  const margin = options.refreshBeforeExpiryMs ?? DEFAULT_REFRESH_BEFORE_EXPIRY_MS;

  const assume = async (): Promise<AwsCredentialIdentity> => {
    const webIdentityToken = await options.idToken();
    return fromWebToken({
      roleArn: options.roleArn,
      roleSessionName: options.roleSessionName,
      webIdentityToken,
      durationSeconds: ROLE_SESSION_DURATION_SECONDS,
      roleAssumerWithWebIdentity: async (params) => {
        const output = await sts.send(new AssumeRoleWithWebIdentityCommand(params));
        const credentials = output.Credentials;
        if (!credentials?.AccessKeyId || !credentials.SecretAccessKey) {
          throw new Error(`STS returned no credentials for ${options.roleArn}`);
        }
        return {
          accessKeyId: credentials.AccessKeyId,
          secretAccessKey: credentials.SecretAccessKey,
          sessionToken: credentials.SessionToken,
          expiration: credentials.Expiration,
        };
      },
    })();
  };

  let current: AwsCredentialIdentity | null = null;
  let renewing: Promise<AwsCredentialIdentity> | null = null;
  const fresh = (credentials: AwsCredentialIdentity) =>
    credentials.expiration === undefined || credentials.expiration.getTime() - margin > now();

  return async () => {
    if (current !== null && fresh(current)) return current;
    renewing ??= assume()
      .then((credentials) => {
        current = credentials;
        return credentials;
      })
      .finally(() => {
        renewing = null;
      });
    return renewing;
  };
}
