// The show state the real show server keeps (BRIEF §3), reduced to what a stand-in needs:
// the same field names and shapes, so that probes and the web app read it as they would
// read the real one.

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

export interface ObsState {
  connected: boolean;
  streaming: boolean;
  recording: boolean;
  scene: string | null;
}

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

/** Validates a control request body for OBS; returns the errors, all of them. */
export function parseObsPatch(body: unknown): { patch: Partial<ObsState>; errors: string[] } {
  const errors: string[] = [];
  const patch: Partial<ObsState> = {};
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return { patch, errors: ['body must be a JSON object'] };
  }
  const record = body as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    const value = record[key];
    if (key === 'connected' || key === 'streaming' || key === 'recording') {
      if (typeof value === 'boolean') patch[key] = value;
      else errors.push(`${key} must be a boolean`);
    } else if (key === 'scene') {
      if (value === null || (typeof value === 'string' && value.length <= 200)) patch.scene = value;
      else errors.push('scene must be a string of at most 200 characters, or null');
    } else {
      errors.push(`unknown field ${key}`);
    }
  }
  return { patch, errors };
}
