// The production state store (issue 12) against moto's S3: content-addressed put that skips an
// object already there, get by key, a missing key read as "none" (import_state then names the
// bucket and key), and S3 failures reported with the operation, bucket and key.
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { stateExportKey } from '@vmpool/core';
import { importState } from '../src/state/import';
import { s3StateArchive, type S3StateArchive } from '../src/state/s3-archive';
import { startMotoS3, type MotoS3 } from './support/moto-s3';

const BUCKET = 'vmpool-recordings-test';
const REGION = 'us-east-1';
let moto: MotoS3;
let admin: S3Client;
let store: S3StateArchive;

const sha = (body: Buffer) => createHash('sha256').update(body).digest('hex');

beforeAll(async () => {
  moto = await startMotoS3(BUCKET, REGION);
  admin = moto.s3;
  store = s3StateArchive({ bucket: BUCKET, region: REGION, endpoint: moto.endpoint });
}, 90_000);

afterAll(async () => {
  store?.close();
  await moto?.stop();
});

describe('S3 state store', () => {
  const body = Buffer.from(JSON.stringify({ scenes: ['Vault Cam'] }));
  const key = stateExportKey('comp-s3', sha(body));

  it('puts an export at its key and gets the same bytes back', async () => {
    expect(await store.get('vm-001', key)).toBeNull();
    await store.put(key, body);
    const head = await admin.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key }));
    expect(head.ContentType).toBe('application/json');
    expect(head.ContentLength).toBe(body.length);
    // Any VM reads it: the spare names the VM that exported it, the bucket is shared.
    expect((await store.get('vm-002', key))?.equals(body)).toBe(true);
  });

  it('skips the upload when the object is already there (content-addressed)', async () => {
    const before = await admin.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key }));
    await new Promise((resolve) => setTimeout(resolve, 1_100)); // S3 times have 1 s resolution
    await store.put(key, body);
    const after = await admin.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key }));
    expect(after.ETag).toBe(before.ETag);
    expect(after.LastModified?.getTime()).toBe(before.LastModified?.getTime());
    // A different body at a different key is uploaded.
    const other = Buffer.from('{"scenes":[]}');
    const otherKey = stateExportKey('comp-s3', sha(other));
    await store.put(otherKey, other);
    expect((await store.get('vm-001', otherKey))?.toString()).toBe('{"scenes":[]}');
  });

  it('reads a missing key as none, and import_state names the bucket and key', async () => {
    const missing = stateExportKey('comp-s3', 'a'.repeat(64));
    expect(await store.get('vm-001', missing)).toBeNull();
    await expect(
      importState(
        { archive: store, obsConfigDir: '/nonexistent', obs: () => null, sleep: async () => {} },
        { competitionId: 'comp-s3', digest: 'a'.repeat(64), sourceVmId: 'vm-001' },
      ),
    ).rejects.toThrow(`no export at ${BUCKET}/${missing} (exported by vm-001)`);
  });

  it('refuses keys outside state/ and reports S3 failures with operation, bucket and key', async () => {
    await expect(store.put('recordings/x.json', body)).rejects.toThrow(
      'not a state export key: recordings/x.json',
    );
    await expect(store.get('vm-001', 'state/../x')).rejects.toThrow('not a state export key');
    const nowhere = s3StateArchive({
      bucket: 'vmpool-no-such-bucket',
      region: REGION,
      endpoint: moto.endpoint,
      maxAttempts: 1,
    });
    try {
      await expect(nowhere.put(key, body)).rejects.toThrow(
        `S3 PutObject of s3://vmpool-no-such-bucket/${key} failed: NoSuchBucket`,
      );
      await expect(nowhere.get('vm-001', key)).rejects.toThrow(
        `S3 GetObject of s3://vmpool-no-such-bucket/${key} failed: NoSuchBucket`,
      );
    } finally {
      nowhere.close();
    }
  });
});
