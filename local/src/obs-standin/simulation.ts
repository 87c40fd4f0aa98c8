// What the stand-in OBS pretends to be doing: program scene, stream and record outputs with
// counters that advance with time, an ingest that can be lost, dropped frames. Time is passed
// in, so the numbers are exact in tests. The shapes and behaviours follow OBS 29.0.2 with
// obs-websocket 5.1.0 (agent/tests/real-obs.test.ts compares the two):
// - a lost ingest leaves the stream output active and reconnecting, with outputBytes at 0 and
//   duration and frame counters frozen;
// - a regained ingest starts a fresh connection: duration, bytes and frame counters from 0;
// - stopping the stream resets its counters;
// - StreamStateChanged says outputActive false for RECONNECTING, true for RECONNECTED
//   (while GetStreamStatus keeps saying outputActive true throughout).

export const STANDIN_OBS_VERSION = '29.0.2';
export const STANDIN_OBS_WEBSOCKET_VERSION = '5.1.0';
export const STANDIN_CANVAS = { width: 1280, height: 720, fps: 30 } as const;
export const STANDIN_SCENES = [
  'Starting Soon',
  'Floor',
  'Vault',
  'Beam',
  'Bars',
  'Interview',
  'Ending',
] as const;

/** The switchable state (POST /__control/obs, and the stack's /__local/vms/:vmId/obs). */
export interface ObsControl {
  /** OBS is running (its websocket answers); false: OBS is down. */
  connected: boolean;
  streaming: boolean;
  recording: boolean;
  scene: string | null;
  /** The ingest is gone: OBS keeps the output and reconnects. */
  ingestLost: boolean;
  /** Share of the stream output's frames skipped, 0..100. */
  droppedFramesPercent: number;
  bitrateKbps: number;
  /** The program shows noise (large JPEGs). */
  noise: boolean;
}

export const DEFAULT_OBS_CONTROL: ObsControl = {
  connected: true,
  streaming: false,
  recording: false,
  scene: 'Starting Soon',
  ingestLost: false,
  droppedFramesPercent: 0,
  bitrateKbps: 2500,
  noise: false,
};

export type OutputState =
  | 'OBS_WEBSOCKET_OUTPUT_STARTING'
  | 'OBS_WEBSOCKET_OUTPUT_STARTED'
  | 'OBS_WEBSOCKET_OUTPUT_STOPPING'
  | 'OBS_WEBSOCKET_OUTPUT_STOPPED'
  | 'OBS_WEBSOCKET_OUTPUT_RECONNECTING'
  | 'OBS_WEBSOCKET_OUTPUT_RECONNECTED';

export interface ObsEvent {
  eventType: string;
  /** The subscription bit the event belongs to (General 1, Scenes 4, Outputs 64). */
  intent: number;
  eventData: Record<string, unknown>;
}

interface Output {
  durationMs: number;
  bytes: number;
  frames: number;
  skipped: number;
}

const zeroOutput = (): Output => ({ durationMs: 0, bytes: 0, frames: 0, skipped: 0 });

function timecode(ms: number): string {
  const total = Math.floor(ms);
  const hours = Math.floor(total / 3_600_000);
  const minutes = Math.floor((total % 3_600_000) / 60_000);
  const seconds = Math.floor((total % 60_000) / 1000);
  const millis = total % 1000;
  const two = (n: number) => String(n).padStart(2, '0');
  return `${two(hours)}:${two(minutes)}:${two(seconds)}.${String(millis).padStart(3, '0')}`;
}

export class SimulatedObs {
  private control: ObsControl;
  private startedAt: number;
  private lastAdvance: number;
  private stream = zeroOutput();
  private record = zeroOutput();
  private renderFrames = 0;
  private sceneList: readonly string[] | null = null;

  constructor(now: number, initial: Partial<ObsControl> = {}) {
    this.control = { ...DEFAULT_OBS_CONTROL, ...initial };
    this.startedAt = now;
    this.lastAdvance = now;
  }

  get state(): ObsControl {
    return { ...this.control };
  }

  /** The scenes OBS has: the demo list and whatever scene was switched to. */
  get scenes(): string[] {
    const scene = this.control.scene;
    const list = this.sceneList ?? STANDIN_SCENES;
    return scene !== null && !list.includes(scene) ? [...list, scene] : [...list];
  }

  /** The scenes of a loaded scene collection (issue 12), and its program scene if it names one. */
  setSceneList(scenes: readonly string[], program: string | null): void {
    this.sceneList = [...scenes];
    if (program !== null && scenes.includes(program)) this.control.scene = program;
    else if (this.control.scene !== null && !scenes.includes(this.control.scene)) {
      this.control.scene = scenes[0] ?? null;
    }
  }

  get programFrame(): number {
    return Math.floor(this.renderFrames);
  }

  private advance(now: number): void {
    const dt = Math.max(0, now - this.lastAdvance);
    this.lastAdvance = now;
    if (!this.control.connected) return;
    const frames = (dt / 1000) * STANDIN_CANVAS.fps;
    this.renderFrames += frames;
    if (this.control.streaming && !this.control.ingestLost) {
      this.stream.durationMs += dt;
      this.stream.bytes += ((this.control.bitrateKbps * 1000) / 8) * (dt / 1000);
      this.stream.frames += frames;
      this.stream.skipped += (frames * this.control.droppedFramesPercent) / 100;
    }
    if (this.control.recording) {
      this.record.durationMs += dt;
      this.record.bytes += ((this.control.bitrateKbps * 1000) / 8) * (dt / 1000);
    }
  }

  /** Applies a control patch at `now`; returns the events OBS would send. */
  apply(now: number, patch: Partial<ObsControl>): ObsEvent[] {
    this.advance(now);
    const before = this.control;
    const next: ObsControl = { ...before, ...patch };
    const events: ObsEvent[] = [];
    if (!next.connected) {
      // OBS is gone: outputs die with it; a restarted OBS starts with them off.
      next.streaming = false;
      next.recording = false;
      next.ingestLost = patch.ingestLost ?? before.ingestLost;
      this.stream = zeroOutput();
      this.record = zeroOutput();
      this.control = next;
      return events;
    }
    if (!before.connected) {
      this.startedAt = now;
      this.renderFrames = 0;
    }
    if (next.scene !== before.scene && next.scene !== null) {
      events.push({
        eventType: 'CurrentProgramSceneChanged',
        intent: 4,
        eventData: { sceneName: next.scene },
      });
    }
    const streamEvent = (state: OutputState, active: boolean): void => {
      events.push({
        eventType: 'StreamStateChanged',
        intent: 64,
        eventData: { outputActive: active, outputState: state },
      });
    };
    if (next.streaming && !before.streaming) {
      this.stream = zeroOutput();
      streamEvent('OBS_WEBSOCKET_OUTPUT_STARTING', false);
      streamEvent('OBS_WEBSOCKET_OUTPUT_STARTED', true);
      if (next.ingestLost) streamEvent('OBS_WEBSOCKET_OUTPUT_RECONNECTING', false);
    } else if (!next.streaming && before.streaming) {
      this.stream = zeroOutput();
      streamEvent('OBS_WEBSOCKET_OUTPUT_STOPPING', false);
      streamEvent('OBS_WEBSOCKET_OUTPUT_STOPPED', false);
    } else if (next.streaming && next.ingestLost && !before.ingestLost) {
      this.stream.bytes = 0;
      streamEvent('OBS_WEBSOCKET_OUTPUT_RECONNECTING', false);
    } else if (next.streaming && !next.ingestLost && before.ingestLost) {
      this.stream = zeroOutput();
      streamEvent('OBS_WEBSOCKET_OUTPUT_RECONNECTED', true);
    }
    if (next.recording !== before.recording) {
      if (next.recording) this.record = zeroOutput();
      for (const [state, active] of next.recording
        ? ([
            ['OBS_WEBSOCKET_OUTPUT_STARTING', false],
            ['OBS_WEBSOCKET_OUTPUT_STARTED', true],
          ] as const)
        : ([
            ['OBS_WEBSOCKET_OUTPUT_STOPPING', false],
            ['OBS_WEBSOCKET_OUTPUT_STOPPED', false],
          ] as const)) {
        events.push({
          eventType: 'RecordStateChanged',
          intent: 64,
          eventData: { outputActive: active, outputState: state },
        });
      }
      if (!next.recording) this.record = zeroOutput();
    }
    this.control = next;
    return events;
  }

  getStats(now: number): Record<string, unknown> {
    this.advance(now);
    const uptime = (now - this.startedAt) / 1000;
    const streaming = this.control.streaming && !this.control.ingestLost;
    return {
      activeFps: STANDIN_CANVAS.fps,
      availableDiskSpace: 51_200,
      averageFrameRenderTime: 2.4,
      // Busier while encoding, with a little wobble like a real process.
      cpuUsage: (streaming ? 21 : 6) + Math.abs(Math.sin(uptime / 7)) * 2,
      memoryUsage: 348 + (this.control.recording ? 24 : 0),
      outputSkippedFrames: Math.floor(this.stream.skipped),
      outputTotalFrames: Math.floor(this.stream.frames),
      renderSkippedFrames: 0,
      renderTotalFrames: Math.floor(this.renderFrames),
    };
  }

  getStreamStatus(now: number): Record<string, unknown> {
    this.advance(now);
    const active = this.control.streaming;
    const reconnecting = active && this.control.ingestLost;
    return {
      outputActive: active,
      outputBytes: reconnecting ? 0 : Math.floor(this.stream.bytes),
      outputCongestion:
        active && !reconnecting ? Math.min(1, this.control.droppedFramesPercent / 100) : 0,
      outputDuration: Math.floor(this.stream.durationMs),
      outputReconnecting: reconnecting,
      outputSkippedFrames: Math.floor(this.stream.skipped),
      outputTimecode: timecode(this.stream.durationMs),
      outputTotalFrames: Math.floor(this.stream.frames),
    };
  }

  getRecordStatus(now: number): Record<string, unknown> {
    this.advance(now);
    return {
      outputActive: this.control.recording,
      outputBytes: Math.floor(this.record.bytes),
      outputDuration: Math.floor(this.record.durationMs),
      outputPaused: false,
      outputTimecode: timecode(this.record.durationMs),
    };
  }

  /** The status line on the test card. */
  outputLabel(): string {
    if (!this.control.streaming) return 'OFF AIR';
    return this.control.ingestLost ? 'RECONNECTING' : 'LIVE';
  }
}

/** Validates a control patch; returns the patch and every problem found. */
export function parseObsControl(body: unknown): { patch: Partial<ObsControl>; errors: string[] } {
  const errors: string[] = [];
  const patch: Partial<ObsControl> = {};
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return { patch, errors: ['body must be a JSON object'] };
  }
  for (const [key, value] of Object.entries(body as Record<string, unknown>)) {
    switch (key) {
      case 'connected':
      case 'streaming':
      case 'recording':
      case 'ingestLost':
      case 'noise':
        if (typeof value === 'boolean') patch[key] = value;
        else errors.push(`${key} must be a boolean`);
        break;
      case 'scene':
        if (
          value === null ||
          (typeof value === 'string' && value.length > 0 && value.length <= 200)
        )
          patch.scene = value;
        else errors.push('scene must be a string of 1..200 characters, or null');
        break;
      case 'droppedFramesPercent':
        if (typeof value === 'number' && value >= 0 && value <= 100)
          patch.droppedFramesPercent = value;
        else errors.push('droppedFramesPercent must be a number in 0..100');
        break;
      case 'bitrateKbps':
        if (typeof value === 'number' && value >= 0 && value <= 100_000) patch.bitrateKbps = value;
        else errors.push('bitrateKbps must be a number in 0..100000');
        break;
      default:
        errors.push(`unknown field ${key}`);
    }
  }
  return { patch, errors };
}
