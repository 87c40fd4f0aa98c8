// moto's S3 for the agent's production state store (issue 12): one bucket, and the credentials
// the SDK's default chain reads (an instance profile on EC2) set in the environment, which the
// test's agents inherit.
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { MOTO_CREDENTIALS, startMoto } from '../../../functions/tests/support/moto';

export interface MotoS3 {
  endpoint: string;
  /** A client on moto, for the test to look at the bucket with. */
  s3: S3Client;
  /** Stops moto and puts the environment back as it was. */
  stop(): Promise<void>;
}

export async function startMotoS3(bucket: string, region = 'us-east-1'): Promise<MotoS3> {
  const moto = await startMoto();
  const saved: Record<string, string | undefined> = {};
  for (const [name, value] of [
    ['AWS_ACCESS_KEY_ID', MOTO_CREDENTIALS.accessKeyId],
    ['AWS_SECRET_ACCESS_KEY', MOTO_CREDENTIALS.secretAccessKey],
  ] as const) {
    saved[name] = process.env[name];
    process.env[name] = value;
  }
  const s3 = new S3Client({
    region,
    endpoint: moto.endpoint,
    forcePathStyle: true,
    credentials: MOTO_CREDENTIALS,
  });
  const stop = async () => {
    s3.destroy();
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    await moto.stop();
  };
  try {
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  } catch (error) {
    await stop();
    throw error;
  }
  return { endpoint: moto.endpoint, s3, stop };
}
