import { describe, expect, it } from 'vitest';
import { webAppOrigins } from '../../src/stack/web-app';

describe('webAppOrigins', () => {
  it('names the origins the web app answers on, loopback aliases included', () => {
    expect(webAppOrigins('127.0.0.1', 5173)).toEqual([
      'http://127.0.0.1:5173',
      'http://localhost:5173',
    ]);
    expect(webAppOrigins('localhost', 8080)).toEqual([
      'http://localhost:8080',
      'http://127.0.0.1:8080',
    ]);
    expect(webAppOrigins('192.168.1.5', 5173)).toEqual(['http://192.168.1.5:5173']);
  });
});
