import type { HttpRequest } from './json-io';

/** The signed-in caller as the Firebase ID token describes them. */
export interface Caller {
  uid: string;
  admin: boolean;
  producer: boolean;
}

/** Whatever firebase-admin's `auth.verifyIdToken` resolves to (a DecodedIdToken). */
export type IdTokenClaims = { uid: string } & Record<string, unknown>;

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: string[],
    readonly headers?: Record<string, string>,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

/** Reads `Authorization: Bearer <Firebase ID token>` and verifies it; 401 otherwise. */
export async function authenticate(
  req: HttpRequest,
  verifyIdToken: (token: string) => Promise<IdTokenClaims>,
): Promise<Caller> {
  const header = req.headers.authorization ?? '';
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  const challenge = { 'www-authenticate': 'Bearer' };
  if (!match?.[1]) {
    throw new HttpError(
      401,
      'UNAUTHENTICATED',
      'Sign in: send a Firebase ID token as "Authorization: Bearer <token>"',
      undefined,
      challenge,
    );
  }
  let claims: IdTokenClaims;
  try {
    claims = await verifyIdToken(match[1]);
  } catch (error) {
    throw new HttpError(
      401,
      'UNAUTHENTICATED',
      `The ID token was refused: ${(error as Error).message}`,
      undefined,
      challenge,
    );
  }
  return { uid: claims.uid, admin: claims.admin === true, producer: claims.producer === true };
}
