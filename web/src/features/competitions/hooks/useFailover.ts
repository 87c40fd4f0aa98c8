import type { FailoverRecord } from '@vmpool/core';
import { useEffect, useState } from 'react';
import { useSession } from '../../../lib/session';
import { submitRequest, useRequest, type RequestView } from '../../requests';
import { watchFailover } from '../api/failover';

export interface FailoverView {
  record: FailoverRecord | null;
  error: string | null;
  /** The "Switch to vm-00X" request made here, if any. */
  switchRequest: RequestView;
  switching: boolean;
  submitError: string | null;
  /** Confirms the switch (`failover` request for the failed VM). */
  confirmSwitch(): void;
}

/** Follows a competition's failover live and lets its producer or an admin confirm a switch. */
export function useFailover(competitionId: string): FailoverView {
  const { db, user } = useSession();
  const [state, setState] = useState<{
    id: string;
    record: FailoverRecord | null;
    error: string | null;
  }>({ id: competitionId, record: null, error: null });
  const [requestId, setRequestId] = useState<string | null>(null);
  const [submitting, setSubmitting] = useState(false);
  const [submitError, setSubmitError] = useState<string | null>(null);
  const switchRequest = useRequest(requestId);

  useEffect(
    () =>
      watchFailover(
        db,
        competitionId,
        (record) => setState({ id: competitionId, record, error: null }),
        (error) => setState({ id: competitionId, record: null, error }),
      ),
    [db, competitionId],
  );

  const current = state.id === competitionId ? state : { record: null, error: null };
  const confirmSwitch = () => {
    const record = current.record;
    if (record === null) return;
    setSubmitting(true);
    setSubmitError(null);
    submitRequest(db, user.uid, {
      action: 'failover',
      competitionId,
      failedVmId: record.failedVmId,
    })
      .then((handle) => setRequestId(handle.requestId))
      .catch((error: unknown) =>
        setSubmitError(error instanceof Error ? error.message : String(error)),
      )
      .finally(() => setSubmitting(false));
  };
  return {
    record: current.record,
    error: current.error,
    switchRequest,
    switching: submitting || (requestId !== null && switchRequest.result?.state === 'running'),
    submitError,
    confirmSwitch,
  };
}
