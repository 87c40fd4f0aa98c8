// Reads the instance identity through IMDSv2 (a session token first, never IMDSv1).
import { MetadataService } from '@aws-sdk/ec2-metadata-service';
import type { InstanceIdentity } from './types';

export interface ImdsOptions {
  /** Defaults to the link-local IMDS address; tests point it at a stand-in on 127.0.0.1. */
  endpoint?: string;
  timeoutMs?: number;
}

interface IdentityDocument {
  instanceId: string;
  region: string;
  availabilityZone: string;
  instanceType: string;
  privateIp: string | null;
}

export function createMetadataService(options: ImdsOptions = {}): MetadataService {
  return new MetadataService({
    endpoint: options.endpoint ?? 'http://169.254.169.254',
    ec2MetadataV1Disabled: true,
    httpOptions: { timeout: options.timeoutMs ?? 2_000 },
    retries: 3,
  });
}

/** Parses the identity document; every missing or mistyped field is named. */
export function parseIdentityDocument(text: string): IdentityDocument {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new Error('identity document is not JSON');
  }
  if (typeof raw !== 'object' || raw === null)
    throw new Error('identity document is not an object');
  const record = raw as Record<string, unknown>;
  const problems: string[] = [];
  const field = (name: string): string => {
    const value = record[name];
    if (typeof value === 'string' && value !== '') return value;
    problems.push(name);
    return '';
  };
  const document: IdentityDocument = {
    instanceId: field('instanceId'),
    region: field('region'),
    availabilityZone: field('availabilityZone'),
    instanceType: field('instanceType'),
    privateIp: typeof record.privateIp === 'string' ? record.privateIp : null,
  };
  if (problems.length > 0) throw new Error(`identity document lacks ${problems.join(', ')}`);
  return document;
}

/** IMDS answers 404 for public-ipv4 when the instance has none; that is "no address", not an error. */
async function optional(service: MetadataService, path: string): Promise<string | null> {
  try {
    const value = (await service.request(path, {})).trim();
    return value === '' ? null : value;
  } catch (error) {
    const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    if (status === 404) return null;
    throw error;
  }
}

export async function readInstanceIdentity(service: MetadataService): Promise<InstanceIdentity> {
  // Paths without a leading slash: the SDK joins them to the endpoint's "/" path.
  const [document, signature, publicIp, privateIp] = await Promise.all([
    service.request('latest/dynamic/instance-identity/document', {}),
    service.request('latest/dynamic/instance-identity/signature', {}),
    optional(service, 'latest/meta-data/public-ipv4'),
    optional(service, 'latest/meta-data/local-ipv4'),
  ]);
  const parsed = parseIdentityDocument(document);
  return {
    instanceId: parsed.instanceId,
    region: parsed.region,
    availabilityZone: parsed.availabilityZone,
    instanceType: parsed.instanceType,
    publicIp,
    privateIp: privateIp ?? parsed.privateIp,
    document,
    signature: signature.replace(/\s+/g, ''),
  };
}
