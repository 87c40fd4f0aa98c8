import type { X509Certificate } from 'node:crypto';
import shipped from '../../config/aws-identity-certificates.json' with { type: 'json' };
import { parseIdentityCertificates } from './certificates';

/**
 * The certificates shipped in functions/config, imported so that the functions bundle carries
 * them (no file to find at run time). Parsed once; a broken file stops the cold start.
 */
export function shippedIdentityCertificates(): ReadonlyMap<string, X509Certificate> {
  const parsed = parseIdentityCertificates(shipped);
  if (!parsed.ok) {
    throw new Error(
      `Invalid functions/config/aws-identity-certificates.json:\n- ${parsed.errors.join('\n- ')}`,
    );
  }
  return parsed.value;
}
