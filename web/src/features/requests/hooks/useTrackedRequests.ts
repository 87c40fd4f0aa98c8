import { useCallback, useState } from 'react';
import type { RequestHandle } from '../api/requests';

export interface TrackedRequest {
  requestId: string | null;
  action: string;
  title: string;
  /** Writing the request itself failed (validation, permission, offline). */
  submitError: string | null;
}

/**
 * Remembers the latest request per subject (a VM or a competition) so cards can show its
 * progress and keep its outcome visible until dismissed.
 */
export function useTrackedRequests() {
  const [tracked, setTracked] = useState<Record<string, TrackedRequest>>({});

  const track = useCallback(
    async (key: string, action: string, title: string, submit: () => Promise<RequestHandle>) => {
      setTracked((current) => ({
        ...current,
        [key]: { requestId: null, action, title, submitError: null },
      }));
      try {
        const handle = await submit();
        setTracked((current) => ({
          ...current,
          [key]: { requestId: handle.requestId, action, title, submitError: null },
        }));
        return handle;
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        setTracked((current) => ({
          ...current,
          [key]: { requestId: null, action, title, submitError: message },
        }));
        return null;
      }
    },
    [],
  );

  const dismiss = useCallback((key: string) => {
    setTracked(({ [key]: _removed, ...rest }) => rest);
  }, []);

  return { tracked, track, dismiss };
}
