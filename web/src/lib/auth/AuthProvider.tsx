/**
 * Tracks the Firebase Auth user and their role claims, and offers the sign-in methods of the
 * current mode: Google in production, email/password against the Auth emulator locally.
 */
import {
  GoogleAuthProvider,
  onIdTokenChanged,
  signInWithEmailAndPassword,
  signInWithPopup,
  signOut as firebaseSignOut,
  type Auth,
} from 'firebase/auth';
import { createContext, useCallback, useEffect, useMemo, useState, type ReactNode } from 'react';
import { rolesFromClaims, type SessionUser } from './roles';

export type AuthState =
  { status: 'loading' } | { status: 'signedOut' } | { status: 'signedIn'; user: SessionUser };

export interface AuthContextValue {
  state: AuthState;
  /** The last sign-in or sign-out failure, in words. */
  error: string | null;
  busy: boolean;
  mode: 'google' | 'password';
  signInWithGoogle(): Promise<void>;
  signInWithPassword(email: string, password: string): Promise<void>;
  signOut(): Promise<void>;
}

export const AuthContext = createContext<AuthContextValue | null>(null);

function describeAuthError(error: unknown): string {
  const code =
    typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : '';
  switch (code) {
    case 'auth/invalid-credential':
    case 'auth/wrong-password':
    case 'auth/user-not-found':
      return 'Email or password is wrong.';
    case 'auth/invalid-email':
      return 'That is not a valid email address.';
    case 'auth/too-many-requests':
      return 'Too many attempts; wait a minute and try again.';
    case 'auth/network-request-failed':
      return 'Cannot reach the sign-in service. Is the local stack running?';
    case 'auth/popup-closed-by-user':
    case 'auth/cancelled-popup-request':
      return 'Sign-in was cancelled.';
    case 'auth/popup-blocked':
      return 'The browser blocked the sign-in window; allow pop-ups for this site.';
    default:
      return error instanceof Error ? error.message : 'Sign-in failed.';
  }
}

export function AuthProvider({
  auth,
  mode,
  children,
}: {
  auth: Auth;
  mode: 'google' | 'password';
  children: ReactNode;
}) {
  const [state, setState] = useState<AuthState>({ status: 'loading' });
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    // onIdTokenChanged (not onAuthStateChanged) so refreshed claims reach the UI too.
    return onIdTokenChanged(auth, (firebaseUser) => {
      if (firebaseUser === null) {
        setState({ status: 'signedOut' });
        return;
      }
      firebaseUser.getIdTokenResult().then(
        (token) =>
          setState({
            status: 'signedIn',
            user: {
              uid: firebaseUser.uid,
              email: firebaseUser.email,
              displayName: firebaseUser.displayName,
              roles: rolesFromClaims(token.claims),
            },
          }),
        (tokenError: unknown) => {
          setError(describeAuthError(tokenError));
          setState({ status: 'signedOut' });
        },
      );
    });
  }, [auth]);

  const run = useCallback(async (action: () => Promise<unknown>) => {
    setBusy(true);
    setError(null);
    try {
      await action();
    } catch (actionError) {
      setError(describeAuthError(actionError));
    } finally {
      setBusy(false);
    }
  }, []);

  const value = useMemo<AuthContextValue>(
    () => ({
      state,
      error,
      busy,
      mode,
      signInWithGoogle: () => run(() => signInWithPopup(auth, new GoogleAuthProvider())),
      signInWithPassword: (email, password) =>
        run(() => signInWithEmailAndPassword(auth, email.trim(), password)),
      signOut: () => run(() => firebaseSignOut(auth)),
    }),
    [auth, busy, error, mode, run, state],
  );

  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}
