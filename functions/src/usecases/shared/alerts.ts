import { alertFromDraft, type Alert, type AlertChanges, type AlertDraft } from '@vmpool/core';
import type { UseCaseDeps } from '../deps';

type AlertDeps = Pick<UseCaseDeps, 'store' | 'clock' | 'logger'>;

/** Creates the alert unless an unresolved one with its sourceId exists (concurrency-safe). */
export async function raiseAlert(deps: AlertDeps, draft: AlertDraft): Promise<boolean> {
  const alert = alertFromDraft(draft, deps.store.newId());
  const { created } = await deps.store.raiseAlert(draft.scope, alert);
  if (created) {
    deps.logger.warn('alert raised', { scope: draft.scope, sourceId: draft.sourceId });
  }
  return created;
}

export async function resolveAlert(
  deps: AlertDeps,
  scope: string,
  sourceId: string,
): Promise<boolean> {
  return deps.store.resolveAlert(scope, sourceId, deps.clock.now());
}

export async function acknowledgeAlert(
  deps: AlertDeps,
  scope: string,
  alertId: string,
  by: string,
): Promise<boolean> {
  return deps.store.acknowledgeAlert(scope, alertId, by, deps.clock.now());
}

export async function listActiveAlerts(
  deps: AlertDeps,
  scope?: string,
): Promise<(Alert & { scope: string })[]> {
  return deps.store.listActiveAlerts(scope);
}

/** Applies what core's deriveAlerts decided; returns how many were created and resolved. */
export async function applyAlertChanges(
  deps: AlertDeps,
  changes: AlertChanges,
): Promise<{ created: number; resolved: number }> {
  let created = 0;
  let resolved = 0;
  for (const draft of changes.create) {
    if (await raiseAlert(deps, draft)) created += 1;
  }
  for (const resolution of changes.resolve) {
    if (await resolveAlert(deps, resolution.scope, resolution.sourceId)) resolved += 1;
  }
  return { created, resolved };
}
