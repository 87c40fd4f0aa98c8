import { WATCHER_REFRESH_MS, type StreamStatus } from '@vmpool/core';
import { useEffect, useState } from 'react';
import { useSession } from '../../../lib/session';
import { confirmWatcher, dropWatcher, watchPreview, type PreviewState } from '../api/stream';
import { addSample, type StreamSample } from '../lib/samples';

/**
 * While the calling component is mounted with a `vmId`, this user watches that VM: the entry
 * is written at once, re-written every WATCHER_REFRESH_MS, removed by onDisconnect if the
 * browser vanishes and removed on unmount. Returns why it could not be written, if so.
 */
export function useWatcher(
  vmId: string | null,
  refreshMs: number = WATCHER_REFRESH_MS,
): string | null {
  const { db, user } = useSession();
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    if (vmId === null) return;
    let open = true;
    const confirm = () => {
      confirmWatcher(db, vmId, user.uid).then(
        () => open && setError(null),
        (failure: unknown) => open && setError(String((failure as Error).message ?? failure)),
      );
    };
    confirm();
    const timer = window.setInterval(confirm, refreshMs);
    return () => {
      open = false;
      window.clearInterval(timer);
      // Best effort: if this fails the entry expires (WATCHER_TTL_MS) or onDisconnect runs.
      dropWatcher(db, vmId, user.uid).catch(() => undefined);
    };
  }, [db, user.uid, vmId, refreshMs]);
  return error;
}

export interface PreviewView extends PreviewState {
  isLoading: boolean;
}

/** The VM's live preview, as the agent publishes it while anyone watches. */
export function usePreview(vmId: string | null): PreviewView {
  const { db } = useSession();
  const [state, setState] = useState<(PreviewState & { vmId: string }) | null>(null);
  useEffect(() => {
    if (vmId === null) return;
    return watchPreview(
      db,
      vmId,
      (next) => setState({ ...next, vmId }),
      (message) => setState({ preview: null, error: message, vmId }),
    );
  }, [db, vmId]);
  if (vmId === null) return { preview: null, error: null, isLoading: false };
  // Until the first answer for this VM (also right after vmId changed), nothing is known.
  if (state === null || state.vmId !== vmId) return { preview: null, error: null, isLoading: true };
  return { preview: state.preview, error: state.error, isLoading: false };
}

/** The agent's stream reports seen since mount, kept for the last minutes (client-side). */
export function useStreamSamples(stream: StreamStatus | null): readonly StreamSample[] {
  const [samples, setSamples] = useState<readonly StreamSample[]>(() => addSample([], stream));
  // Derived while rendering (React's pattern for state that follows a prop): a new report
  // adds one sample; the same report (same checkedAt) keeps the array as it is.
  const next = addSample(samples, stream);
  if (next !== samples) setSamples(next);
  return next;
}
