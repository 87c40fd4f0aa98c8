/** The VM setup page's connection test: the browser fetches the show server's status. */
import { Spinner } from '../../../components/StateBox';
import type { CompetitionSummary } from '../api/competitions';
import type { ConnectionTestView } from '../hooks/useConnectionTest';

export function ConnectionPanel({
  competition,
  connection,
}: {
  competition: CompetitionSummary;
  connection: ConnectionTestView;
}) {
  const outcome = connection.outcome;
  return (
    <section className="panel" aria-label="Connection test">
      <div className="panel-head">
        <h2>Connection test</h2>
        <button
          type="button"
          className="btn btn-small"
          onClick={connection.run}
          disabled={competition.vmAddress === null || connection.testing}
          aria-busy={connection.testing}
        >
          {connection.testing && <Spinner />}
          Test connection
        </button>
      </div>
      <div className="panel-body" aria-live="polite">
        {competition.vmAddress === null ? (
          <p className="muted" style={{ margin: 0 }}>
            No VM is ready for this competition, so there is nothing to test yet.
          </p>
        ) : outcome === null ? (
          <p className="muted" style={{ margin: 0 }}>
            Testing <span className="mono">http://{competition.vmAddress}/api/status</span>…
          </p>
        ) : outcome.ok ? (
          <div className="callout callout-success" role="status">
            <span>
              <strong>Show server reachable</strong> in {outcome.latencyMs} ms · OBS{' '}
              {outcome.obsConnected === null
                ? 'unknown'
                : outcome.obsConnected
                  ? 'connected'
                  : 'not connected'}
              {outcome.obsIsStreaming === true && ' · streaming'}
              {outcome.connectedClients !== null && ` · ${outcome.connectedClients} clients`}
            </span>
          </div>
        ) : (
          <div className="callout callout-error" role="status">
            <span>
              <strong>Not reachable:</strong> {outcome.reason}
            </span>
          </div>
        )}
      </div>
    </section>
  );
}
