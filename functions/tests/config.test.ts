import { describe, expect, it } from 'vitest';
import {
  DEFAULT_CONTROL_PLANE_CONFIG,
  parseControlPlaneConfig,
} from '../src/config/control-plane-config';

describe('control-plane settings from the environment', () => {
  it('defaults when nothing is set', () => {
    expect(parseControlPlaneConfig({})).toEqual({ ok: true, value: DEFAULT_CONTROL_PLANE_CONFIG });
  });

  it('reads regions and timeouts', () => {
    const parsed = parseControlPlaneConfig({
      VMPOOL_REGIONS: 'eu-west-1, us-west-2,eu-west-1',
      VMPOOL_RELEASE_TIMEOUT_MS: '60000',
    });
    expect(parsed.ok && parsed.value.extraRegions).toEqual(['eu-west-1', 'us-west-2']);
    expect(parsed.ok && parsed.value.releaseTimeoutMs).toBe(60000);
  });

  it('uses the bundled identity certificates unless a file overrides them', () => {
    expect(DEFAULT_CONTROL_PLANE_CONFIG.identityCertificatesPath).toBeNull();
    expect(parseControlPlaneConfig({ VMPOOL_IDENTITY_CERTIFICATES: '  ' })).toMatchObject({
      ok: true,
      value: { identityCertificatesPath: null },
    });
    expect(
      parseControlPlaneConfig({ VMPOOL_IDENTITY_CERTIFICATES: ' /srv/certs/aws-identity.json ' }),
    ).toMatchObject({
      ok: true,
      value: { identityCertificatesPath: '/srv/certs/aws-identity.json' },
    });
  });

  it('reads the pool’s AWS account once and refuses anything but 12 digits', () => {
    expect(DEFAULT_CONTROL_PLANE_CONFIG.awsAccountId).toBeNull();
    expect(parseControlPlaneConfig({ VMPOOL_AWS_ACCOUNT_ID: ' 123456789012 ' })).toMatchObject({
      ok: true,
      value: { awsAccountId: '123456789012' },
    });
    for (const bad of ['12345678901', '1234567890123', 'acct-1234567', '12345678901x']) {
      const parsed = parseControlPlaneConfig({ VMPOOL_AWS_ACCOUNT_ID: bad });
      expect(parsed).toEqual({
        ok: false,
        errors: [
          `VMPOOL_AWS_ACCOUNT_ID: ${JSON.stringify(bad)} is not an AWS account id (12 digits)`,
        ],
      });
    }
  });

  it('bounds the first-bind window of agent tokens (default 10 min)', () => {
    expect(DEFAULT_CONTROL_PLANE_CONFIG.agentBindWindowMs).toBe(600_000);
    expect(parseControlPlaneConfig({ VMPOOL_AGENT_BIND_WINDOW_MS: '300000' })).toMatchObject({
      value: { agentBindWindowMs: 300_000 },
    });
    expect(parseControlPlaneConfig({ VMPOOL_AGENT_BIND_WINDOW_MS: '1000' }).ok).toBe(false);
    expect(parseControlPlaneConfig({ VMPOOL_AGENT_BIND_WINDOW_MS: '7200000' }).ok).toBe(false);
  });

  it('takes agent-reported addresses only when told to (the local stack)', () => {
    expect(DEFAULT_CONTROL_PLANE_CONFIG.trustAgentAddress).toBe(false);
    expect(parseControlPlaneConfig({ VMPOOL_TRUST_AGENT_ADDRESS: 'true' })).toMatchObject({
      value: { trustAgentAddress: true },
    });
    expect(parseControlPlaneConfig({ VMPOOL_TRUST_AGENT_ADDRESS: 'yes' })).toEqual({
      ok: false,
      errors: ['VMPOOL_TRUST_AGENT_ADDRESS: must be true or false, got "yes"'],
    });
  });

  it('reports every problem at once', () => {
    const parsed = parseControlPlaneConfig({
      VMPOOL_REGIONS: 'mars-1',
      VMPOOL_RELEASE_TIMEOUT_MS: 'soon',
      VMPOOL_START_DEADLINE_FACTOR: '0',
      VMPOOL_IDENTITY_CERTIFICATES: 'certs.pem',
    });
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) {
      expect(parsed.errors).toHaveLength(4);
      expect(parsed.errors.join('\n')).toMatch(/VMPOOL_REGIONS.*mars-1/);
      expect(parsed.errors.join('\n')).toMatch(/VMPOOL_IDENTITY_CERTIFICATES.*certs\.pem.*\.json/);
    }
  });

  it('reads the AWS role, STS region, metadata host and EC2 events secret', () => {
    expect(
      parseControlPlaneConfig({
        VMPOOL_AWS_ROLE_ARN: 'arn:aws:iam::111122223333:role/vmpool-control-plane',
        VMPOOL_AWS_STS_REGION: 'eu-west-1',
        GCE_METADATA_HOST: '127.0.0.1:8089',
        VMPOOL_EC2_EVENTS_SECRET_ARN:
          'arn:aws:secretsmanager:us-east-1:111122223333:secret:Ec2EventsKey-AbCdEf',
      }),
    ).toMatchObject({
      ok: true,
      value: {
        awsRoleArn: 'arn:aws:iam::111122223333:role/vmpool-control-plane',
        awsStsRegion: 'eu-west-1',
        metadataHost: '127.0.0.1:8089',
        ec2EventsSecretArn:
          'arn:aws:secretsmanager:us-east-1:111122223333:secret:Ec2EventsKey-AbCdEf',
      },
    });
  });

  it('requires the role and the events secret in production, reporting both with the rest', () => {
    expect(parseControlPlaneConfig({}, { production: true })).toEqual({
      ok: false,
      errors: [
        'VMPOOL_AWS_ROLE_ARN: required in production (the role infra/ creates; npm run deploy sets it)',
        'VMPOOL_EC2_EVENTS_SECRET_ARN: required in production (the key infra/ creates; npm run deploy sets it)',
        "VMPOOL_AWS_ACCOUNT_ID: required in production (the pool's AWS account; npm run deploy sets it from infra outputs)",
      ],
    });
    const parsed = parseControlPlaneConfig({
      VMPOOL_AWS_ROLE_ARN: 'vmpool-control-plane',
      VMPOOL_AWS_STS_REGION: 'moon-1',
      GCE_METADATA_HOST: 'http://metadata',
      VMPOOL_EC2_EVENTS_SECRET_ARN: 'key',
      VMPOOL_REGIONS: 'mars-1',
    });
    expect(!parsed.ok && parsed.errors).toEqual([
      'VMPOOL_REGIONS: "mars-1" is not an AWS region',
      'VMPOOL_AWS_ROLE_ARN: "vmpool-control-plane" is not an IAM role ARN',
      'VMPOOL_AWS_STS_REGION: "moon-1" is not an AWS region',
      'GCE_METADATA_HOST: "http://metadata" must be host or host:port',
      'VMPOOL_EC2_EVENTS_SECRET_ARN: "key" is not a Secrets Manager secret ARN',
    ]);
  });

  it('reads the alert webhook levels, and names every unknown one', () => {
    const fine = parseControlPlaneConfig({ VMPOOL_ALERT_WEBHOOK_LEVELS: 'warning,critical,info' });
    expect(fine.ok && fine.value.alertWebhookLevels).toEqual(['critical', 'warning', 'info']);
    const none = parseControlPlaneConfig({ VMPOOL_ALERT_WEBHOOK_LEVELS: 'none' });
    expect(none.ok && none.value.alertWebhookLevels).toEqual([]);
    const byDefault = parseControlPlaneConfig({});
    expect(byDefault.ok && byDefault.value.alertWebhookLevels).toEqual(['critical', 'warning']);
    const wrong = parseControlPlaneConfig({ VMPOOL_ALERT_WEBHOOK_LEVELS: 'critical,urgent' });
    expect(!wrong.ok && wrong.errors).toEqual([
      'VMPOOL_ALERT_WEBHOOK_LEVELS: "urgent" is not an alert level (critical, warning, info)',
    ]);
  });
});

// --- failover re-check queue (issue 12)
describe('the functions region of the failover re-check queue', () => {
  it('defaults to us-central1, the region the functions deploy to when nothing sets another', () => {
    const parsed = parseControlPlaneConfig({});
    expect(parsed.ok && parsed.value.functionsRegion).toBe('us-central1');
  });

  it('reads VMPOOL_FUNCTIONS_REGION', () => {
    const parsed = parseControlPlaneConfig({ VMPOOL_FUNCTIONS_REGION: ' europe-west4 ' });
    expect(parsed.ok && parsed.value.functionsRegion).toBe('europe-west4');
  });

  it('refuses a value that is not a Google Cloud region, with the other problems', () => {
    for (const bad of ['us-east-1', 'locations/us-central1', 'US-CENTRAL1', 'europe']) {
      const parsed = parseControlPlaneConfig({
        VMPOOL_FUNCTIONS_REGION: bad,
        VMPOOL_RELEASE_TIMEOUT_MS: 'soon',
      });
      expect(parsed.ok).toBe(false);
      if (!parsed.ok) {
        expect(parsed.errors).toContain(
          `VMPOOL_FUNCTIONS_REGION: ${JSON.stringify(bad)} is not a Google Cloud region (e.g. us-central1)`,
        );
        expect(parsed.errors.some((error) => error.startsWith('VMPOOL_RELEASE_TIMEOUT_MS'))).toBe(
          true,
        );
      }
    }
  });
});
// ---
