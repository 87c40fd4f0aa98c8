import { describe, expect, it } from 'vitest';
import { configFileFlag, describeConfig, parseConfig } from './config';

const LOCAL = [
  '--local',
  '--vm-id',
  'vm-001',
  '--database-url',
  'http://127.0.0.1:9000?ns=demo-vmpool',
  '--show-server',
  'http://127.0.0.1:3003',
];

describe('parseConfig', () => {
  it('accepts the documented local command line with defaults', () => {
    const result = parseConfig(LOCAL);
    expect(result.ok).toBe(true);
    if (!result.ok || result.config.mode !== 'local') throw new Error('expected local config');
    expect(result.config).toMatchObject({
      vmId: 'vm-001',
      probeIntervalMs: 10_000,
      metricsIntervalMs: 30_000,
      showServerUrl: 'http://127.0.0.1:3003',
      stateDir: '.local-data/agent/vm-001',
      obsWebsocketUrl: 'ws://127.0.0.1:4455',
      obsWebsocketPassword: undefined,
      streamIntervalMs: 5000,
    });
  });

  it('takes the OBS websocket settings from flags or the file and never logs the password', () => {
    const file = {
      'database-url': 'https://p-default-rtdb.firebaseio.com',
      'functions-base-url': 'https://us-central1-p.cloudfunctions.net',
      'api-key': 'AIzaSecretKey',
      'project-id': 'p',
      'obs-websocket-password': 'pa ss:word from SSM',
      'stream-interval-ms': 2000,
    };
    const result = parseConfig(['--obs-websocket-url', 'ws://127.0.0.1:4466'], file);
    if (!result.ok) throw new Error(result.errors.join('; '));
    expect(result.config).toMatchObject({
      obsWebsocketUrl: 'ws://127.0.0.1:4466',
      obsWebsocketPassword: 'pa ss:word from SSM',
      streamIntervalMs: 2000,
    });
    const logged = describeConfig(result.config);
    expect(logged).not.toContain('pa ss:word');
    expect(logged).toContain('"obsWebsocketPassword":"set (hidden)"');
    const empty = parseConfig([...LOCAL, '--obs-websocket-password', '']);
    if (!empty.ok) throw new Error(empty.errors.join('; '));
    expect(empty.config.obsWebsocketPassword).toBeUndefined();
  });

  it('refuses a non-websocket OBS URL, a bad stream interval and a non-string password', () => {
    const result = parseConfig(
      [...LOCAL, '--obs-websocket-url', 'http://127.0.0.1:4455', '--stream-interval-ms', '10'],
      { 'obs-websocket-password': 1234 },
    );
    expect(result).toEqual({
      ok: false,
      errors: [
        '--obs-websocket-url must use ws: or wss:',
        '--obs-websocket-password must be a string',
        '--stream-interval-ms must be an integer in 500..600000, got 10',
      ],
    });
  });

  it('reports every error together', () => {
    const result = parseConfig([
      '--local',
      '--vm-id',
      'VM 1',
      '--probe-interval-ms',
      'soon',
      '--show-server',
      'nope',
      '--api-key',
      'k',
    ]);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors).toEqual(
      expect.arrayContaining([
        '--database-url is required to reach the Realtime Database',
        expect.stringContaining('--show-server is not a URL'),
        expect.stringContaining('--probe-interval-ms must be an integer'),
        expect.stringContaining('--vm-id must match'),
        '--api-key has no meaning in local mode',
      ]),
    );
    expect(result.errors).toHaveLength(5);
  });

  it('rejects unknown flags', () => {
    const result = parseConfig([...LOCAL, '--frobnicate']);
    expect(result.ok).toBe(false);
  });

  it('needs the function URL and Firebase web config in production, flags winning over the file', () => {
    const missing = parseConfig(['--database-url', 'https://p-default-rtdb.firebaseio.com']);
    expect(missing.ok).toBe(false);
    if (!missing.ok) expect(missing.errors).toHaveLength(3);

    const file = {
      'database-url': 'https://p-default-rtdb.firebaseio.com',
      'functions-base-url': 'https://us-central1-p.cloudfunctions.net/',
      'api-key': 'AIzaSecretKey',
      'project-id': 'p',
      'probe-interval-ms': 5000,
    };
    const result = parseConfig(['--probe-interval-ms', '7000'], file);
    if (!result.ok || result.config.mode !== 'production') throw new Error(JSON.stringify(result));
    expect(result.config.functionsBaseUrl).toBe('https://us-central1-p.cloudfunctions.net');
    expect(result.config.probeIntervalMs).toBe(7000);
    expect(describeConfig(result.config)).not.toContain('AIzaSecretKey');
  });

  it('chooses the state export store once: S3 with an archive bucket, else the local archive or none', () => {
    const production = {
      'database-url': 'https://p-default-rtdb.firebaseio.com',
      'functions-base-url': 'https://us-central1-p.cloudfunctions.net',
      'api-key': 'AIzaSecretKey',
      'project-id': 'p',
    };
    const store = (argv: string[], file: object = {}) => {
      const result = parseConfig(argv, file);
      if (!result.ok) throw new Error(result.errors.join('; '));
      return result.config.stateStore;
    };
    expect(store([], { ...production, 'archive-bucket': 'vmpool-recordings' })).toEqual({
      kind: 's3',
      bucket: 'vmpool-recordings',
      endpoint: undefined,
    });
    expect(store([], production)).toEqual({ kind: 'none' });
    expect(store(LOCAL)).toEqual({ kind: 'local-archive' });
    expect(
      store([...LOCAL, '--archive-bucket', 'state-test', '--s3-endpoint', 'http://127.0.0.1:5999']),
    ).toEqual({ kind: 's3', bucket: 'state-test', endpoint: 'http://127.0.0.1:5999' });

    const bad = parseConfig(
      [...LOCAL, '--archive-bucket', 'Bad_Bucket', '--s3-endpoint', 'ftp://x'],
      {},
    );
    expect(bad.ok ? [] : bad.errors).toEqual([
      '--archive-bucket is not a valid S3 bucket name: Bad_Bucket',
      '--s3-endpoint must use http: or https:',
    ]);
    const lone = parseConfig([...LOCAL, '--s3-endpoint', 'http://127.0.0.1:5999']);
    expect(lone.ok ? [] : lone.errors).toEqual([
      '--s3-endpoint needs --archive-bucket (the bucket state exports go to)',
    ]);
    const noEndpoint = parseConfig([...LOCAL, '--archive-bucket', 'state-test']);
    expect(noEndpoint.ok ? [] : noEndpoint.errors).toEqual([
      '--archive-bucket in local mode needs --s3-endpoint (an S3 stand-in)',
    ]);
  });

  it('rejects unknown keys in the config file and plain-http databases in production', () => {
    const result = parseConfig(
      ['--functions-base-url', 'https://f', '--api-key', 'k', '--project-id', 'p'],
      { 'database-url': 'http://insecure', colour: 'blue' },
    );
    expect(result.ok).toBe(false);
    if (!result.ok)
      expect(result.errors).toEqual([
        'config file: unknown key "colour"',
        '--database-url must use https:',
      ]);
  });

  it('finds --config in either spelling', () => {
    expect(configFileFlag(['--config', '/etc/a.json'])).toBe('/etc/a.json');
    expect(configFileFlag(['--config=/etc/b.json'])).toBe('/etc/b.json');
    expect(configFileFlag([])).toBeUndefined();
  });
});
