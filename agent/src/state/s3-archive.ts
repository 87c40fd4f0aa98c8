// The production store for state exports (issue 12): the recordings bucket, under `state/`.
// Keys are content-addressed (`state/{compId}/{sha256}.json`), so an object that is already
// there holds the same bytes and the upload is skipped (HeadObject first). Credentials come from
// the SDK's default chain (the instance profile on EC2); the region is the VM's (from IMDS).
// The spare reads the same bucket, so `get` ignores which VM exported the object.
import {
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { assertStateKey, type StateArchive } from './archive';

export interface S3StateArchiveOptions {
  bucket: string;
  region: string;
  /** An S3 stand-in (moto in tests); path-style addressing then. */
  endpoint?: string;
  /** SDK attempts per request (standard retry mode, backoff with jitter). */
  maxAttempts?: number;
}

export interface S3StateArchive extends StateArchive {
  /** Releases the client's sockets. */
  close(): void;
}

const DEFAULT_MAX_ATTEMPTS = 4;

function isNotFound(error: unknown): boolean {
  if (!(error instanceof S3ServiceException) || error.name === 'NoSuchBucket') return false;
  return (
    error.name === 'NotFound' ||
    error.name === 'NoSuchKey' ||
    error.$metadata.httpStatusCode === 404
  );
}

function failure(operation: string, where: string, error: unknown): Error {
  const detail =
    error instanceof S3ServiceException
      ? `${error.name} (HTTP ${String(error.$metadata.httpStatusCode ?? '?')}): ${error.message}`
      : String(error);
  return new Error(`S3 ${operation} of s3://${where} failed: ${detail}`, { cause: error });
}

export function s3StateArchive(options: S3StateArchiveOptions): S3StateArchive {
  const { bucket } = options;
  const client = new S3Client({
    region: options.region,
    maxAttempts: options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
    retryMode: 'standard',
    ...(options.endpoint === undefined ? {} : { endpoint: options.endpoint, forcePathStyle: true }),
  });

  async function exists(key: string): Promise<boolean> {
    try {
      await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
      return true;
    } catch (error) {
      if (isNotFound(error)) return false;
      // Without s3:ListBucket on the key, S3 answers a missing object with 403, not 404: the
      // VM role grants GetObject/PutObject under state/ only, so upload (same bytes, same key).
      if (error instanceof S3ServiceException && error.$metadata.httpStatusCode === 403) {
        return false;
      }
      throw failure('HeadObject', `${bucket}/${key}`, error);
    }
  }

  return {
    bucket,
    async put(key, body) {
      assertStateKey(key);
      if (await exists(key)) return;
      try {
        await client.send(
          new PutObjectCommand({
            Bucket: bucket,
            Key: key,
            Body: body,
            ContentType: 'application/json',
          }),
        );
      } catch (error) {
        throw failure('PutObject', `${bucket}/${key}`, error);
      }
    },
    async get(_sourceVmId, key) {
      assertStateKey(key);
      try {
        const object = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
        if (object.Body === undefined) throw new Error('the object has no body');
        return Buffer.from(await object.Body.transformToByteArray());
      } catch (error) {
        if (isNotFound(error)) return null;
        throw failure('GetObject', `${bucket}/${key}`, error);
      }
    },
    close() {
      client.destroy();
    },
  };
}
