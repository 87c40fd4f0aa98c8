import { describe, expect, it } from 'vitest';
import { parseStackConfig, usage } from '../../src/stack/config';

describe('parseStackConfig', () => {
  it('uses the documented defaults', () => {
    const result = parseStackConfig([], {}, '/repo');
    expect(result).toEqual({
      ok: true,
      config: expect.objectContaining({
        headless: false,
        dataDir: '/repo/.local-data',
        host: '127.0.0.1',
        databasePort: 9000,
        namespace: 'demo-vmpool',
        authPort: 9099,
        webPort: 5173,
        controlPort: 9190,
        vmAddressPrefix: '127.0.1',
        webMode: 'dev',
        rulesProfile: 'strict',
      }),
    });
  });

  it('takes the rules profile from --rules-profile or VMPOOL_RULES_PROFILE, and checks it', () => {
    const fromFlag = parseStackConfig(['--rules-profile', 'compat'], {}, '/repo');
    expect(fromFlag).toMatchObject({ ok: true, config: { rulesProfile: 'compat' } });
    const fromEnv = parseStackConfig([], { VMPOOL_RULES_PROFILE: 'compat' }, '/repo');
    expect(fromEnv).toMatchObject({ ok: true, config: { rulesProfile: 'compat' } });
    const wrong = parseStackConfig(['--rules-profile', 'open', '--db-port', 'x'], {}, '/repo');
    expect(wrong).toEqual({
      ok: false,
      errors: [
        '--rules-profile (VMPOOL_RULES_PROFILE) must be strict or compat, got "open"',
        '--db-port (VMPOOL_DB_PORT) must be an integer in 1..65535, got "x"',
      ],
    });
  });

  it('takes environment variables, and flags over them', () => {
    const result = parseStackConfig(
      ['--db-port', '9500', '--headless'],
      { VMPOOL_DB_PORT: '9400', VMPOOL_AUTH_PORT: '9401', VMPOOL_NAMESPACE: 'other-ns' },
      '/repo',
    );
    expect(result.ok).toBe(true);
    if (result.ok !== true) return;
    expect(result.config).toMatchObject({
      databasePort: 9500,
      authPort: 9401,
      namespace: 'other-ns',
      headless: true,
    });
  });

  it('reports every problem at once', () => {
    const result = parseStackConfig(
      ['--db-port', 'ninety', '--namespace', 'Bad_NS', '--web-mode', 'prod', '--auth-port', '9190'],
      { VMPOOL_VM_ADDRESS_PREFIX: '10.0.0', VMPOOL_BOOT_DELAY_MS: '-5' },
      '/repo',
    );
    expect(result.ok).toBe(false);
    if (result.ok !== false) return;
    expect(result.errors).toHaveLength(6);
    expect(result.errors.join('\n')).toMatch(/--db-port .* got "ninety"/);
    expect(result.errors.join('\n')).toMatch(/--namespace/);
    expect(result.errors.join('\n')).toMatch(/--web-mode/);
    expect(result.errors.join('\n')).toMatch(/--vm-address-prefix/);
    expect(result.errors.join('\n')).toMatch(/--boot-delay-ms/);
    expect(result.errors.join('\n')).toMatch(/--control-port and --auth-port are both 9190/);
  });

  it('rejects unknown flags and keeps the stack off 127.0.0.x', () => {
    const unknown = parseStackConfig(['--dbport', '1'], {}, '/repo');
    expect(unknown.ok).toBe(false);
    const clash = parseStackConfig(['--vm-address-prefix', '127.0.0'], {}, '/repo');
    expect(clash.ok === false && clash.errors[0]).toMatch(/must not be 127.0.0/);
  });

  it('answers --help with the usage text', () => {
    expect(parseStackConfig(['--help'], {}, '/repo')).toEqual({ ok: 'help' });
    expect(usage()).toContain('VMPOOL_DB_PORT');
  });

  it('takes the API port and the alert webhook, and checks both', () => {
    const fine = parseStackConfig(
      ['--api-port', '9300', '--alert-webhook', 'https://discord.com/api/webhooks/1/abc'],
      { VMPOOL_ALERT_WEBHOOK_LEVELS: 'critical' },
      '/repo',
    );
    expect(fine).toMatchObject({
      ok: true,
      config: {
        apiPort: 9300,
        alertWebhook: 'https://discord.com/api/webhooks/1/abc',
        alertLevels: ['critical'],
      },
    });
    const byDefault = parseStackConfig([], {}, '/repo');
    expect(byDefault).toMatchObject({
      ok: true,
      config: { apiPort: 9191, alertWebhook: null, alertLevels: ['critical', 'warning'] },
    });
    const wrong = parseStackConfig(
      [
        '--alert-webhook',
        'http://hooks.example.com/x',
        '--alert-levels',
        'loud',
        '--api-port',
        '9000',
      ],
      {},
      '/repo',
    );
    expect(wrong).toEqual({
      ok: false,
      errors: [
        '--alert-webhook (VMPOOL_ALERT_WEBHOOK) must be an https:// URL (http:// only to 127.0.0.1)',
        '--alert-levels (VMPOOL_ALERT_WEBHOOK_LEVELS) "loud" is not an alert level (critical, warning, info)',
        '--api-port and --db-port are both 9000',
      ],
    });
  });
});
