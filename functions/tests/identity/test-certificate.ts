import { execFileSync } from 'node:child_process';
import { createSign, X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A throwaway RSA certificate standing in for AWS's regional one, made by openssl per test run. */
export interface TestSigner {
  pem: string;
  certificate: X509Certificate;
  /** base64 RSA-SHA256 signature, as IMDS serves it */
  sign(documentText: string): string;
}

export function createTestSigner(commonName = 'vmpool test identity signer'): TestSigner {
  const dir = mkdtempSync(join(tmpdir(), 'vmpool-identity-'));
  try {
    const keyFile = join(dir, 'key.pem');
    const certFile = join(dir, 'cert.pem');
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-sha256',
        '-days',
        '2',
        '-subj',
        `/CN=${commonName}`,
        '-keyout',
        keyFile,
        '-out',
        certFile,
      ],
      { stdio: 'ignore' },
    );
    const key = readFileSync(keyFile, 'utf8');
    const pem = readFileSync(certFile, 'utf8');
    return {
      pem,
      certificate: new X509Certificate(pem),
      sign: (documentText) =>
        createSign('RSA-SHA256').update(documentText, 'utf8').sign(key, 'base64'),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The AWS account of the test documents (moto's default account, too). */
export const TEST_ACCOUNT_ID = '123456789012';

/** An identity document laid out as IMDS serves it (pretty JSON, " : " separators). */
export function identityDocumentText(fields: {
  instanceId: string;
  region: string;
  pendingTime: number;
  instanceType?: string;
  accountId?: string;
}): string {
  const document = {
    accountId: fields.accountId ?? TEST_ACCOUNT_ID,
    architecture: 'x86_64',
    availabilityZone: `${fields.region}a`,
    billingProducts: null,
    devpayProductCodes: null,
    marketplaceProductCodes: null,
    imageId: 'ami-0abcdef1234567890',
    instanceId: fields.instanceId,
    instanceType: fields.instanceType ?? 't3.large',
    kernelId: null,
    pendingTime: new Date(fields.pendingTime).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    privateIp: '10.0.1.23',
    ramdiskId: null,
    region: fields.region,
    version: '2017-09-30',
  };
  return JSON.stringify(document, null, 2).replaceAll('": ', '" : ');
}
