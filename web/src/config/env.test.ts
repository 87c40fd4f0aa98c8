import { describe, expect, it } from 'vitest';
import { parseWebConfig } from './env';

const production = {
  VITE_FIREBASE_API_KEY: 'key',
  VITE_FIREBASE_AUTH_DOMAIN: 'crew.firebaseapp.com',
  VITE_FIREBASE_PROJECT_ID: 'crew',
  VITE_FIREBASE_DATABASE_URL: 'https://crew-default-rtdb.firebaseio.com',
  VITE_FIREBASE_APP_ID: '1:2:web:3',
};

describe('parseWebConfig', () => {
  it('reads a production config', () => {
    expect(parseWebConfig(production)).toEqual({
      ok: true,
      config: {
        useEmulators: false,
        authEmulatorUrl: null,
        firebase: {
          apiKey: 'key',
          authDomain: 'crew.firebaseapp.com',
          projectId: 'crew',
          databaseURL: 'https://crew-default-rtdb.firebaseio.com',
          appId: '1:2:web:3',
        },
      },
    });
  });

  it('reports every missing or bad production setting at once', () => {
    const result = parseWebConfig({
      VITE_FIREBASE_DATABASE_URL: 'ftp://x',
      VITE_USE_EMULATORS: 'no',
    });
    expect(result).toEqual({
      ok: false,
      errors: [
        'VITE_FIREBASE_API_KEY is required (or set VITE_USE_EMULATORS=true)',
        'VITE_FIREBASE_AUTH_DOMAIN is required (or set VITE_USE_EMULATORS=true)',
        'VITE_FIREBASE_PROJECT_ID is required (or set VITE_USE_EMULATORS=true)',
        'VITE_FIREBASE_APP_ID is required (or set VITE_USE_EMULATORS=true)',
        'VITE_FIREBASE_DATABASE_URL must start with https:// (or http:// for a local server)',
      ],
    });
  });

  it('defaults local mode to the local stack', () => {
    const result = parseWebConfig({ VITE_USE_EMULATORS: 'true' });
    expect(result.ok && result.config).toMatchObject({
      useEmulators: true,
      authEmulatorUrl: 'http://127.0.0.1:9099',
      firebase: { projectId: 'demo-vmpool', databaseURL: 'http://127.0.0.1:9000?ns=demo-vmpool' },
    });
  });

  it('lets local mode override hosts and namespace', () => {
    const result = parseWebConfig({
      VITE_USE_EMULATORS: true,
      VITE_AUTH_EMULATOR_HOST: '127.0.0.1:19099',
      VITE_DATABASE_EMULATOR_HOST: 'localhost:19000',
      VITE_DATABASE_NAMESPACE: 'demo-other',
    });
    expect(result.ok && result.config).toMatchObject({
      authEmulatorUrl: 'http://127.0.0.1:19099',
      firebase: { databaseURL: 'http://localhost:19000?ns=demo-other' },
    });
  });

  it('rejects malformed local settings together', () => {
    const result = parseWebConfig({
      VITE_USE_EMULATORS: 'true',
      VITE_AUTH_EMULATOR_HOST: 'http://127.0.0.1:9099',
      VITE_DATABASE_NAMESPACE: 'Bad_NS',
    });
    expect(result).toEqual({
      ok: false,
      errors: [
        'VITE_AUTH_EMULATOR_HOST must be host:port, got "http://127.0.0.1:9099"',
        'VITE_DATABASE_NAMESPACE must match ^[a-z0-9-]{1,63}$, got "Bad_NS"',
      ],
    });
  });

  it('rejects an unreadable emulator flag', () => {
    const result = parseWebConfig({ ...production, VITE_USE_EMULATORS: 'maybe' });
    expect(result).toEqual({
      ok: false,
      errors: ['VITE_USE_EMULATORS must be true or false, got "maybe"'],
    });
  });
});
