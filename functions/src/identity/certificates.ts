import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { AWS_REGION_PATTERN, fail, ok, type Parsed } from '@vmpool/core';

/**
 * AWS's regional public certificates for identity documents, as shipped in
 * `functions/config/aws-identity-certificates.json` (`{ "certificates": { region: PEM } }`).
 * Every problem is reported together; a certificate that does not parse is refused.
 */
export function parseIdentityCertificates(
  raw: unknown,
): Parsed<ReadonlyMap<string, X509Certificate>> {
  const certificates =
    typeof raw === 'object' && raw !== null
      ? (raw as { certificates?: unknown }).certificates
      : undefined;
  if (typeof certificates !== 'object' || certificates === null || Array.isArray(certificates)) {
    return fail(['certificates: must be an object mapping AWS regions to PEM certificates']);
  }
  const problems: string[] = [];
  const parsed = new Map<string, X509Certificate>();
  for (const [region, pem] of Object.entries(certificates)) {
    if (!AWS_REGION_PATTERN.test(region)) {
      problems.push(`certificates.${region}: is not an AWS region`);
      continue;
    }
    if (typeof pem !== 'string' || !pem.includes('-----BEGIN CERTIFICATE-----')) {
      problems.push(`certificates.${region}: must be a PEM certificate`);
      continue;
    }
    try {
      const certificate = new X509Certificate(pem);
      if (certificate.publicKey.asymmetricKeyType !== 'rsa') {
        problems.push(`certificates.${region}: must be the RSA certificate (base64 signatures)`);
        continue;
      }
      parsed.set(region, certificate);
    } catch (error) {
      problems.push(`certificates.${region}: does not parse (${(error as Error).message})`);
    }
  }
  if (parsed.size === 0 && problems.length === 0) {
    problems.push('certificates: at least one region is needed');
  }
  return problems.length > 0 ? fail(problems) : ok(parsed);
}

/** Reads and parses the shipped certificate file once, at cold start. */
export function loadIdentityCertificates(path: string): ReadonlyMap<string, X509Certificate> {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new Error(
      `Cannot read AWS identity certificates from ${path}: ${(error as Error).message}`,
    );
  }
  const parsed = parseIdentityCertificates(raw);
  if (!parsed.ok) {
    throw new Error(
      `Invalid AWS identity certificates in ${path}:\n- ${parsed.errors.join('\n- ')}`,
    );
  }
  return parsed.value;
}
