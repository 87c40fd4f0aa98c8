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
});
