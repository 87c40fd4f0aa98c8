import { createVerify, type X509Certificate } from 'node:crypto';
import { INSTANCE_ID_PATTERN, AWS_REGION_PATTERN } from '@vmpool/core';
import { IdentityError } from './identity-error';

/** The fields of the EC2 instance identity document that the exchange relies on. */
export interface IdentityDocument {
  instanceId: string;
  region: string;
  accountId: string;
  availabilityZone: string;
  instanceType: string;
  imageId: string;
  /** when the instance last entered `pending` (its last start), ms epoch */
  pendingTime: number;
}

const MAX_DOCUMENT_LENGTH = 8 * 1024;

function field(record: Record<string, unknown>, name: string, problems: string[]): string {
  const value = record[name];
  if (typeof value !== 'string' || value === '') {
    problems.push(`${name}: must be a non-empty string`);
    return '';
  }
  return value;
}

/** Parses the document text (exactly the bytes that were signed). All problems are reported. */
export function parseIdentityDocument(text: string): IdentityDocument {
  if (text.length > MAX_DOCUMENT_LENGTH) {
    throw new IdentityError('INVALID_DOCUMENT', 'The identity document is larger than 8 KiB');
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new IdentityError('INVALID_DOCUMENT', 'The identity document is not JSON');
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new IdentityError('INVALID_DOCUMENT', 'The identity document is not a JSON object');
  }
  const record = raw as Record<string, unknown>;
  const problems: string[] = [];
  const instanceId = field(record, 'instanceId', problems);
  if (instanceId && !INSTANCE_ID_PATTERN.test(instanceId)) {
    problems.push('instanceId: is not an EC2 instance id');
  }
  const region = field(record, 'region', problems);
  if (region && !AWS_REGION_PATTERN.test(region)) problems.push('region: is not an AWS region');
  const pendingText = field(record, 'pendingTime', problems);
  const pendingTime = Date.parse(pendingText);
  if (pendingText && !Number.isFinite(pendingTime)) {
    problems.push('pendingTime: is not a timestamp');
  }
  const document = {
    instanceId,
    region,
    pendingTime,
    accountId: field(record, 'accountId', problems),
    availabilityZone: field(record, 'availabilityZone', problems),
    instanceType: field(record, 'instanceType', problems),
    imageId: field(record, 'imageId', problems),
  };
  if (problems.length > 0) {
    throw new IdentityError(
      'INVALID_DOCUMENT',
      `Invalid identity document: ${problems.join('; ')}`,
    );
  }
  return document;
}

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/**
 * Checks the base64 RSA-SHA256 `signature` (IMDS `dynamic/instance-identity/signature`) over
 * the document text with the AWS certificate of the document's region.
 */
export function verifyDocumentSignature(
  documentText: string,
  signatureBase64: string,
  region: string,
  certificates: ReadonlyMap<string, X509Certificate>,
): void {
  const certificate = certificates.get(region);
  if (!certificate) {
    throw new IdentityError(
      'UNKNOWN_REGION',
      `No AWS identity certificate is configured for region ${region}`,
    );
  }
  const compact = signatureBase64.replace(/\s+/g, '');
  if (!BASE64.test(compact)) {
    throw new IdentityError('BAD_SIGNATURE', 'The signature is not base64');
  }
  const verifier = createVerify('RSA-SHA256');
  verifier.update(documentText, 'utf8');
  let valid = false;
  try {
    valid = verifier.verify(certificate.publicKey, Buffer.from(compact, 'base64'));
  } catch {
    valid = false;
  }
  if (!valid) {
    throw new IdentityError(
      'BAD_SIGNATURE',
      `The identity document's signature does not verify with the AWS certificate for ${region}`,
    );
  }
}
