import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  loadIdentityCertificates,
  parseIdentityCertificates,
} from '../../src/identity/certificates';
import { IdentityError } from '../../src/identity/identity-error';
import { shippedIdentityCertificates } from '../../src/identity/shipped-certificates';
import {
  parseIdentityDocument,
  verifyDocumentSignature,
} from '../../src/identity/identity-document';
import { createTestSigner, identityDocumentText } from './test-certificate';

const shippedFile = new URL('../../config/aws-identity-certificates.json', import.meta.url);
const pendingTime = Date.UTC(2026, 10, 27, 6, 0, 0);
const text = identityDocumentText({
  instanceId: 'i-0abc12345678def00',
  region: 'us-east-1',
  pendingTime,
});

function code(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (error instanceof IdentityError) return error.code;
    throw error;
  }
  return 'accepted';
}

describe('identity document', () => {
  it('parses the fields the exchange relies on', () => {
    expect(parseIdentityDocument(text)).toMatchObject({
      instanceId: 'i-0abc12345678def00',
      region: 'us-east-1',
      pendingTime,
      accountId: '123456789012',
      instanceType: 't3.large',
    });
  });

  it('reports every problem of a malformed document at once', () => {
    const error = (() => {
      try {
        parseIdentityDocument(
          JSON.stringify({ instanceId: 'vm-1', region: 'mars', pendingTime: 'soon' }),
        );
      } catch (thrown) {
        return thrown as IdentityError;
      }
      throw new Error('accepted');
    })();
    expect(error.code).toBe('INVALID_DOCUMENT');
    expect(error.message).toContain('instanceId: is not an EC2 instance id');
    expect(error.message).toContain('region: is not an AWS region');
    expect(error.message).toContain('pendingTime: is not a timestamp');
    expect(error.message).toContain('accountId: must be a non-empty string');
    expect(code(() => parseIdentityDocument('not json'))).toBe('INVALID_DOCUMENT');
    expect(code(() => parseIdentityDocument('[]'))).toBe('INVALID_DOCUMENT');
    expect(code(() => parseIdentityDocument(' '.repeat(9000)))).toBe('INVALID_DOCUMENT');
  });

  it('verifies the signature with the certificate of the document region only', () => {
    const signer = createTestSigner();
    const other = createTestSigner('someone else');
    const certificates = new Map([['us-east-1', signer.certificate]]);
    const signature = signer.sign(text);
    expect(code(() => verifyDocumentSignature(text, signature, 'us-east-1', certificates))).toBe(
      'accepted',
    );
    // IMDS wraps the signature over lines: whitespace is not significant
    const wrapped = signature.replace(/(.{64})/g, '$1\n');
    expect(code(() => verifyDocumentSignature(text, wrapped, 'us-east-1', certificates))).toBe(
      'accepted',
    );
    expect(
      code(() =>
        verifyDocumentSignature(
          text.replace('t3.large', 't3.xlarge'),
          signature,
          'us-east-1',
          certificates,
        ),
      ),
    ).toBe('BAD_SIGNATURE');
    expect(
      code(() => verifyDocumentSignature(text, other.sign(text), 'us-east-1', certificates)),
    ).toBe('BAD_SIGNATURE');
    expect(
      code(() => verifyDocumentSignature(text, 'not base64!', 'us-east-1', certificates)),
    ).toBe('BAD_SIGNATURE');
    expect(code(() => verifyDocumentSignature(text, signature, 'eu-west-1', certificates))).toBe(
      'UNKNOWN_REGION',
    );
  });
});

describe('AWS identity certificates (configuration)', () => {
  it('ships the AWS RSA certificate for us-east-1, intact (self-signed by Amazon)', () => {
    const certificates = loadIdentityCertificates(shippedFile.pathname);
    const certificate = certificates.get('us-east-1');
    expect(certificate?.subject).toContain('O=Amazon Web Services LLC');
    expect(certificate?.publicKey.asymmetricKeyType).toBe('rsa');
    // A transcription error anywhere in the PEM would break the certificate's own signature.
    expect(certificate && certificate.verify(certificate.publicKey)).toBe(true);
    // the bundled copy is the same file
    expect(shippedIdentityCertificates().get('us-east-1')?.fingerprint256).toBe(
      certificate?.fingerprint256,
    );
  });

  it('reports every bad entry together', () => {
    const parsed = parseIdentityCertificates({
      certificates: {
        'us-east-1': 'nope',
        moon: 'x',
        'eu-west-1': '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----',
      },
    });
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) {
      expect(parsed.errors).toHaveLength(3);
      expect(parsed.errors.join('\n')).toMatch(/us-east-1: must be a PEM/);
      expect(parsed.errors.join('\n')).toMatch(/moon: is not an AWS region/);
      expect(parsed.errors.join('\n')).toMatch(/eu-west-1: does not parse/);
    }
    expect(parseIdentityCertificates({}).ok).toBe(false);
    expect(parseIdentityCertificates({ certificates: {} }).ok).toBe(false);
    const shipped = JSON.parse(readFileSync(shippedFile, 'utf8')) as unknown;
    expect(parseIdentityCertificates(shipped).ok).toBe(true);
  });
});
