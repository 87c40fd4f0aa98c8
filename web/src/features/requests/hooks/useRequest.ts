import type { RequestResult } from '@vmpool/core';
import { useEffect, useState } from 'react';
import { useSession } from '../../../lib/session';
import { watchRequestResult } from '../api/requests';

export interface RequestView {
  /** null while the request is queued and the control plane has not answered yet. */
  result: RequestResult | null;
  /** True until the first answer from the database. */
  isLoading: boolean;
  /** A read failure, or a result that does not match the contract. */
  error: string | null;
}

const IDLE: RequestView = { result: null, isLoading: false, error: null };

/** Follows `vmPool/requests/{requestId}/result` live; pass null to follow nothing. */
export function useRequest(requestId: string | null): RequestView {
  const { db } = useSession();
  const [view, setView] = useState<{ id: string | null; view: RequestView }>({
    id: null,
    view: IDLE,
  });

  useEffect(() => {
    if (requestId === null) return;
    return watchRequestResult(
      db,
      requestId,
      ({ result, invalid }) =>
        setView({
          id: requestId,
          view: {
            result,
            isLoading: false,
            error:
              invalid === null
                ? null
                : `The control plane wrote an unreadable result: ${invalid.join('; ')}`,
          },
        }),
      (message) =>
        setView({ id: requestId, view: { result: null, isLoading: false, error: message } }),
    );
  }, [db, requestId]);

  if (requestId === null) return IDLE;
  // Until the listener for this id answers, do not show the previous request's result.
  return view.id === requestId ? view.view : { result: null, isLoading: true, error: null };
}
