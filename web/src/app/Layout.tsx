/**
 * The signed-in frame: header with navigation, alert badge and user; the critical banner;
 * info toasts; the alarm tone; and the current page.
 */
import { POOL_ALERT_SCOPE } from '@vmpool/core';
import { useMemo, useState } from 'react';
import { NotFoundPage } from '../components/NotFoundPage';
import {
  AlertCountBadge,
  AlertPanel,
  AlertToasts,
  CriticalAlertBanner,
  useAlerts,
  useCriticalTone,
  useCriticalToneSetting,
} from '../features/alerts';
import { useCompetitions } from '../features/competitions';
import { useNow } from '../hooks/useNow';
import { roleLabel } from '../lib/auth/roles';
import { useAuth } from '../lib/auth/useAuth';
import { Link, matchRoute, usePathname } from '../lib/router';
import { useSession } from '../lib/session';
import { CompetitionPage } from './routes/CompetitionPage';
import { CompetitionSelector } from './routes/CompetitionSelector';
import { CostPage } from './routes/CostPage';
import { InsightsPage } from './routes/InsightsPage';
import { VMPoolPage } from './routes/VMPoolPage';
import { VmSetupPage } from './routes/VmSetupPage';

export function Layout() {
  const { user } = useSession();
  const { signOut } = useAuth();
  const route = matchRoute(usePathname());
  const competitions = useCompetitions();
  const scopes = useMemo(
    () => [POOL_ALERT_SCOPE, ...competitions.competitions.map((competition) => competition.id)],
    [competitions.competitions],
  );
  const alerts = useAlerts(scopes);
  const [alertsOpen, setAlertsOpen] = useState(false);
  const [toneOn, setToneOn] = useCriticalToneSetting();
  const now = useNow(5000);
  // Backlog is decided once every scope (pool and each competition) has answered.
  const alertsReady = !alerts.isLoading && !competitions.isLoading;
  useCriticalTone(alerts.alerts, toneOn, alertsReady);

  return (
    <>
      <header className="app-header">
        <Link to="/" className="brand">
          <span className="brand-mark" aria-hidden="true">
            vm
          </span>
          vmpool
        </Link>
        <nav className="app-nav" aria-label="Main">
          <Link to="/" aria-current={route.page === 'competitions' ? 'page' : undefined}>
            Competitions
          </Link>
          {user.roles.admin && (
            <Link to="/admin/vm-pool" aria-current={route.page === 'vm-pool' ? 'page' : undefined}>
              VM pool
            </Link>
          )}
          <Link to="/costs" aria-current={route.page === 'costs' ? 'page' : undefined}>
            Costs
          </Link>
          {user.roles.admin && (
            <Link
              to="/admin/insights"
              aria-current={route.page === 'insights' ? 'page' : undefined}
            >
              Insights
            </Link>
          )}
        </nav>
        <span className="header-spacer" />
        <button
          type="button"
          className="btn btn-small alert-button"
          aria-expanded={alertsOpen}
          onClick={() => setAlertsOpen((open) => !open)}
        >
          Alerts
          <AlertCountBadge
            criticalCount={alerts.criticalCount}
            warningCount={alerts.warningCount}
            infoCount={alerts.infoCount}
          />
        </button>
        <label className="checkbox" title="Play a tone when a critical alert arrives">
          <input
            type="checkbox"
            checked={toneOn}
            onChange={(event) => setToneOn(event.target.checked)}
          />
          Alarm tone
        </label>
        <div className="header-user">
          <span>{user.email ?? user.displayName ?? user.uid}</span>
          <span className="role-chip">{roleLabel(user.roles)}</span>
          <button type="button" className="btn btn-small" onClick={() => void signOut()}>
            Sign out
          </button>
        </div>
      </header>
      <CriticalAlertBanner
        alerts={alerts.alerts}
        onAcknowledge={alerts.acknowledgeAlert}
        canAcknowledge={alerts.canAcknowledge}
      />
      {alertsOpen && (
        <div className="page" style={{ paddingBottom: 0 }}>
          {alerts.error !== null && (
            <div className="callout callout-error" role="alert">
              Alerts could not be loaded: {alerts.error}
            </div>
          )}
          <AlertPanel
            alerts={alerts.alerts}
            now={now}
            onAcknowledge={alerts.acknowledgeAlert}
            onAcknowledgeAll={alerts.acknowledgeAll}
            canAcknowledge={alerts.canAcknowledge}
            title="All alerts"
            collapsible={false}
            showScope
          />
        </div>
      )}
      <AlertToasts alerts={alerts.alerts} ready={alertsReady} />
      <main>
        {route.page === 'competitions' && <CompetitionSelector competitions={competitions} />}
        {route.page === 'vm-pool' &&
          (user.roles.admin ? (
            <VMPoolPage competitions={competitions} />
          ) : (
            <NotFoundPage message="The VM pool page is for admins." />
          ))}
        {route.page === 'costs' && <CostPage competitions={competitions} />}
        {route.page === 'insights' &&
          (user.roles.admin ? (
            <InsightsPage />
          ) : (
            <NotFoundPage message="Pool insights are for admins." />
          ))}
        {route.page === 'vm-setup' && (
          <VmSetupPage competitionId={route.competitionId} competitions={competitions} />
        )}
        {route.page === 'competition' && (
          <CompetitionPage
            competitionId={route.competitionId}
            view={route.view}
            competitions={competitions}
          />
        )}
        {route.page === 'not-found' && <NotFoundPage message={`Nothing lives at ${route.path}.`} />}
      </main>
    </>
  );
}
