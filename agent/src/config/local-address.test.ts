import { describe, expect, it } from 'vitest';
import { localAddressOf, parseConfig, type LocalConfig } from './config';

const local = (showServer: string, ...extra: string[]) => [
  '--local',
  '--vm-id',
  'vm-007',
  '--database-url',
  'http://127.0.0.1:9000?ns=demo-vmpool',
  '--show-server',
  showServer,
  ...extra,
];

function localConfig(argv: string[]): LocalConfig {
  const result = parseConfig(argv);
  if (!result.ok) throw new Error(result.errors.join('; '));
  if (result.config.mode !== 'local') throw new Error('expected local config');
  return result.config;
}

describe('local mode addresses', () => {
  it("default to the host of the VM's show server", () => {
    const config = localConfig(local('http://127.0.1.7:3003'));
    expect(config).toMatchObject({ publicIp: '127.0.1.7', privateIp: '127.0.1.7' });
  });

  it('yield to explicit flags', () => {
    const config = localConfig(
      local('http://127.0.1.7:3003', '--public-ip', '127.0.1.9', '--private-ip', '10.0.0.5'),
    );
    expect(config).toMatchObject({ publicIp: '127.0.1.9', privateIp: '10.0.0.5' });
  });

  it('fall back to 127.0.0.1 when the show server is named by host name', () => {
    expect(localAddressOf('http://localhost:3003')).toBe('127.0.0.1');
    expect(localAddressOf('http://[::1]:3003')).toBe('::1');
  });

  it('must be IP addresses, and only in local mode', () => {
    const bad = parseConfig(local('http://127.0.1.7:3003', '--public-ip', 'my-vm'));
    expect(bad).toEqual({ ok: false, errors: ['--public-ip must be an IP address, got my-vm'] });
    const production = parseConfig([
      '--database-url',
      'https://p-default-rtdb.firebaseio.com',
      '--functions-base-url',
      'https://example.test',
      '--api-key',
      'k',
      '--project-id',
      'p',
      '--private-ip',
      '10.0.0.5',
    ]);
    expect(production).toEqual({
      ok: false,
      errors: ['--private-ip is only for --local; on EC2 IMDS tells'],
    });
  });
});
