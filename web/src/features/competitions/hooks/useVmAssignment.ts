import type { ReleaseOptions, VmRecord } from '@vmpool/core';
import { useState } from 'react';
import type { VMPoolView } from '../../pool';
import {
  isFinished,
  useRequest,
  useTrackedRequests,
  waitForFinalResult,
  type RequestView,
  type TrackedRequest,
} from '../../requests';

const KEY = 'assignment';

export interface VmAssignmentView {
  /** The latest request made here (assign or release), kept until dismissed. */
  current: TrackedRequest | undefined;
  /** The result of that request, or of the one driving the VM now (a cold start begun elsewhere). */
  request: RequestView;
  /** Nothing was asked here, but someone else's request is running on the VM. */
  foreignRunning: boolean;
  /** A change (release, then assign) is under way. */
  changing: boolean;
  /** A request made here is under way: the assignment buttons wait for it. */
  inFlight: boolean;
  /** Why a change stopped after its release, in words. */
  changeError: string | null;
  assign(preferredVmId: string | undefined): void;
  release(options: ReleaseOptions): void;
  /** Release, wait until the release has finished, then assign another VM. */
  change(preferredVmId: string | undefined, options: ReleaseOptions): Promise<void>;
  dismiss(): void;
}

/** A competition's VM assignment as the VM setup page drives it: assign, release, change. */
export function useVmAssignment(
  competitionId: string,
  vm: VmRecord | undefined,
  pool: Pick<VMPoolView, 'assignVM' | 'releaseVM'>,
): VmAssignmentView {
  const { tracked, track, dismiss } = useTrackedRequests();
  const current = tracked[KEY];
  // Our own request, or the one driving the VM now (e.g. a cold start begun elsewhere).
  const followId = current?.requestId ?? (current === undefined ? (vm?.requestId ?? null) : null);
  const request = useRequest(followId);
  const foreignRunning =
    current === undefined && request.result !== null && !isFinished(request.result);
  const [changing, setChanging] = useState(false);
  const [changeError, setChangeError] = useState<string | null>(null);
  const inFlight =
    changing ||
    (current !== undefined && current.submitError === null && !isFinished(request.result));

  const assign = (preferredVmId: string | undefined) =>
    void track(KEY, 'assign', 'Assign VM', () => pool.assignVM(competitionId, preferredVmId));
  const release = (options: ReleaseOptions) =>
    void track(KEY, 'release', 'Release VM', () => pool.releaseVM(competitionId, options));
  const change = async (preferredVmId: string | undefined, options: ReleaseOptions) => {
    setChanging(true);
    setChangeError(null);
    try {
      const released = await track(KEY, 'release', 'Change VM: releasing the current VM', () =>
        pool.releaseVM(competitionId, options),
      );
      if (released === null) return;
      const result = await waitForFinalResult(released);
      if (result.state === 'failed') {
        setChangeError(
          `Release failed, so no new VM was assigned: ${result.error?.message ?? result.message}`,
        );
        return;
      }
      await track(KEY, 'assign', 'Change VM: assigning a new VM', () =>
        pool.assignVM(competitionId, preferredVmId),
      );
    } catch (error) {
      setChangeError(error instanceof Error ? error.message : String(error));
    } finally {
      setChanging(false);
    }
  };

  return {
    current,
    request,
    foreignRunning,
    changing,
    inFlight,
    changeError,
    assign,
    release,
    change,
    dismiss: () => dismiss(KEY),
  };
}
