// Signing in as a seeded demo user on a local stack's Auth emulator (what the web app's sign-in
// does), for the stack tests that need an ID token or its claims.
import { DEMO_PASSWORD } from '../../src/stack/seed';

/** The ID token of a seeded demo user (password sign-in on the Auth emulator at `authPort`). */
export async function demoIdToken(authPort: number, email: string): Promise<string> {
  const response = await fetch(
    `http://127.0.0.1:${authPort}/identitytoolkit.googleapis.com/v1/accounts:signInWithPassword?key=demo-api-key`,
    {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password: DEMO_PASSWORD, returnSecureToken: true }),
    },
  );
  const body = (await response.json()) as { idToken?: string };
  if (body.idToken === undefined) throw new Error(`sign-in failed: ${JSON.stringify(body)}`);
  return body.idToken;
}

/** The claims of a fresh ID token of a seeded demo user. */
export async function demoIdTokenClaims(
  authPort: number,
  email: string,
): Promise<Record<string, unknown>> {
  const payload = (await demoIdToken(authPort, email)).split('.')[1] ?? '';
  return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
}
