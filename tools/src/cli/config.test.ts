import { describe, expect, it } from 'vitest';
import { LOCAL_ACTOR, parseCliConfig } from './config';

describe('parseCliConfig', () => {
  it('targets the local stack by default, with its ports and namespace from the environment', () => {
    const result = parseCliConfig({}, { VMPOOL_DB_PORT: '19000', VMPOOL_AUTH_PORT: '19099' });
    expect(result).toEqual({
      ok: true,
      config: {
        target: {
          kind: 'local',
          projectId: 'demo-vmpool',
          databaseUrl: 'http://127.0.0.1:19000?ns=demo-vmpool',
          authEmulatorHost: '127.0.0.1:19099',
        },
        json: false,
        actor: LOCAL_ACTOR,
        connectTimeoutMs: 15_000,
      },
    });
  });

  it('targets a project with its default database URL, and no actor unless given', () => {
    const result = parseCliConfig({ project: 'my-show-pool', json: true }, {});
    expect(result).toMatchObject({
      ok: true,
      config: {
        target: {
          kind: 'project',
          projectId: 'my-show-pool',
          databaseUrl: 'https://my-show-pool-default-rtdb.firebaseio.com',
        },
        json: true,
        actor: null,
      },
    });
    const withUrl = parseCliConfig(
      { project: 'my-show-pool', 'database-url': 'https://x.europe-west1.firebasedatabase.app' },
      { VMPOOL_AS: 'ops@example.com' },
    );
    expect(withUrl).toMatchObject({
      ok: true,
      config: {
        target: { databaseUrl: 'https://x.europe-west1.firebasedatabase.app' },
        actor: 'ops@example.com',
      },
    });
  });

  it('reports every problem together', () => {
    const result = parseCliConfig(
      { project: 'X!', 'database-url': 'ftp://nope', timeout: '0' },
      {},
    );
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors).toHaveLength(3);
    const local = parseCliConfig({}, { VMPOOL_DB_PORT: 'abc', VMPOOL_NAMESPACE: 'Bad Name' });
    expect(local.ok ? [] : local.errors).toEqual([
      'VMPOOL_NAMESPACE must match ^[a-z0-9-]{1,63}$, got "Bad Name"',
      'VMPOOL_DB_PORT must be a port in 1..65535, got "abc"',
    ]);
  });
});
