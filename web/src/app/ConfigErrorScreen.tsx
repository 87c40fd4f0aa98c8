/** Shown instead of the app when the build-time configuration is incomplete or invalid. */
export function ConfigErrorScreen({ errors }: { errors: readonly string[] }) {
  return (
    <main className="center-screen">
      <section className="panel auth-card" role="alert" aria-labelledby="config-error-title">
        <h1 id="config-error-title">vmpool is not configured</h1>
        <p className="muted">
          The web app was built without a usable Firebase configuration. Fix these settings in
          <code> web/.env.local</code> (or the environment of the build) and rebuild:
        </p>
        <ul className="error-list">
          {errors.map((error) => (
            <li key={error}>{error}</li>
          ))}
        </ul>
        <p className="muted">
          For the local stack, set <code>VITE_USE_EMULATORS=true</code> or run{' '}
          <code>npm start</code>.
        </p>
      </section>
    </main>
  );
}
