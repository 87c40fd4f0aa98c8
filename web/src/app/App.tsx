import { LoadingState } from '../components/StateBox';
import { AuthProvider } from '../lib/auth/AuthProvider';
import { hasAnyRole } from '../lib/auth/roles';
import { useAuth } from '../lib/auth/useAuth';
import type { FirebaseServices } from '../lib/firebase';
import { SessionProvider } from '../lib/session';
import { Layout } from './Layout';
import { SignInPage } from './routes/SignInPage';

export function App({ services }: { services: FirebaseServices }) {
  return (
    <AuthProvider auth={services.auth} mode={services.useEmulators ? 'password' : 'google'}>
      <Gate services={services} />
    </AuthProvider>
  );
}

function Gate({ services }: { services: FirebaseServices }) {
  const { state, signOut } = useAuth();
  if (state.status === 'loading') {
    return (
      <main className="center-screen">
        <LoadingState label="Checking sign-in…" />
      </main>
    );
  }
  if (state.status === 'signedOut') return <SignInPage />;
  if (!hasAnyRole(state.user.roles)) {
    return (
      <main className="center-screen">
        <section className="panel auth-card" role="alert">
          <h1>No access yet</h1>
          <p className="muted">
            You are signed in as {state.user.email ?? state.user.uid}, but this account has neither
            the admin nor the producer role. Ask an admin to grant one, then sign in again.
          </p>
          <button type="button" className="btn" onClick={() => void signOut()}>
            Sign out
          </button>
        </section>
      </main>
    );
  }
  return (
    <SessionProvider session={{ db: services.db, user: state.user }}>
      <Layout />
    </SessionProvider>
  );
}
