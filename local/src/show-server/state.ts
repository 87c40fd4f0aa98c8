// The show state the real show server keeps (BRIEF §3), reduced to what a stand-in needs:
// the same field names and shapes, so that probes and the web app read it as they would
// read the real one.
import type { ObsControl } from '../obs-standin/simulation';

export interface ShowSegment {
  id: string;
  name: string;
  type: string;
  duration: number;
}

export interface ConnectedClient {
  id: string;
  name: string;
  role: string;
  connectedAt: number;
}

/** OBS as the show server sees it: the stand-in OBS's switchable state. */
export type ObsState = ObsControl;

export interface ShowStatus {
  currentSegmentIndex: number;
  currentSegment: ShowSegment | null;
  nextSegment: ShowSegment | null;
  isPlaying: boolean;
  isPaused: boolean;
  talentLocked: boolean;
  obsConnected: boolean;
  obsCurrentScene: string | null;
  obsIsStreaming: boolean;
  obsIsRecording: boolean;
  connectedClients: ConnectedClient[];
  showProgress: { completed: number; total: number };
  segmentStartTime: number | null;
  segmentElapsed: number;
}

export const DEMO_SEGMENTS: readonly ShowSegment[] = [
  { id: 'intro', name: 'Intro', type: 'video', duration: 30 },
  { id: 'floor-1', name: 'Floor rotation 1', type: 'live', duration: 600 },
  { id: 'vault-1', name: 'Vault rotation 1', type: 'live', duration: 600 },
  { id: 'outro', name: 'Outro', type: 'static', duration: 20 },
];

export function buildStatus(
  obs: ObsState,
  clients: readonly ConnectedClient[],
  segments: readonly ShowSegment[],
  segmentIndex: number,
  now: number,
  segmentStartTime: number | null,
): ShowStatus {
  return {
    currentSegmentIndex: segmentIndex,
    currentSegment: segments[segmentIndex] ?? null,
    nextSegment: segments[segmentIndex + 1] ?? null,
    isPlaying: false,
    isPaused: false,
    talentLocked: false,
    obsConnected: obs.connected,
    obsCurrentScene: obs.connected ? obs.scene : null,
    obsIsStreaming: obs.connected && obs.streaming,
    obsIsRecording: obs.connected && obs.recording,
    connectedClients: [...clients],
    showProgress: { completed: segmentIndex, total: segments.length },
    segmentStartTime,
    segmentElapsed: segmentStartTime === null ? 0 : Math.max(0, now - segmentStartTime),
  };
}
