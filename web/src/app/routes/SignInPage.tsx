import { useState, type FormEvent } from 'react';
import { useAuth } from '../../lib/auth/useAuth';

const DEMO_PASSWORD = 'vmpool-demo';
const DEMO_LOGINS = [
  { email: 'admin@vmpool.local', role: 'admin' },
  { email: 'producer@vmpool.local', role: 'producer' },
];

/** Google sign-in in production; email/password with the seeded demo logins locally. */
export function SignInPage() {
  const { mode, busy, error, signInWithGoogle, signInWithPassword } = useAuth();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');

  const submit = (event: FormEvent) => {
    event.preventDefault();
    void signInWithPassword(email, password);
  };

  return (
    <main className="center-screen">
      <section className="panel auth-card" aria-labelledby="sign-in-title">
        <div className="brand" style={{ color: 'var(--text)' }}>
          <span className="brand-mark" aria-hidden="true">
            vm
          </span>
          <span style={{ color: 'var(--text)' }}>vmpool</span>
        </div>
        <div>
          <h1 id="sign-in-title">Sign in</h1>
          <p className="muted" style={{ margin: '4px 0 0' }}>
            Streaming VMs for every show, one click away.
          </p>
        </div>
        {mode === 'google' ? (
          <button
            type="button"
            className="btn btn-primary"
            onClick={() => void signInWithGoogle()}
            disabled={busy}
          >
            {busy ? 'Signing in…' : 'Sign in with Google'}
          </button>
        ) : (
          <>
            <form onSubmit={submit} aria-label="Sign in with email">
              <div className="field">
                <label htmlFor="sign-in-email">Email</label>
                <input
                  id="sign-in-email"
                  type="email"
                  autoComplete="username"
                  required
                  value={email}
                  onChange={(event) => setEmail(event.target.value)}
                />
              </div>
              <div className="field">
                <label htmlFor="sign-in-password">Password</label>
                <input
                  id="sign-in-password"
                  type="password"
                  autoComplete="current-password"
                  required
                  value={password}
                  onChange={(event) => setPassword(event.target.value)}
                />
              </div>
              <button type="submit" className="btn btn-primary" disabled={busy}>
                {busy ? 'Signing in…' : 'Sign in'}
              </button>
            </form>
            <div className="demo-logins">
              <strong>Local demo logins</strong> (password <code>{DEMO_PASSWORD}</code>)
              <ul>
                {DEMO_LOGINS.map((login) => (
                  <li key={login.email}>
                    <button
                      type="button"
                      className="btn btn-link btn-small"
                      onClick={() => {
                        setEmail(login.email);
                        setPassword(DEMO_PASSWORD);
                      }}
                    >
                      {login.email}
                    </button>{' '}
                    <span className="muted">({login.role})</span>
                  </li>
                ))}
              </ul>
            </div>
          </>
        )}
        {error !== null && (
          <div className="callout callout-error" role="alert">
            {error}
          </div>
        )}
      </section>
    </main>
  );
}
