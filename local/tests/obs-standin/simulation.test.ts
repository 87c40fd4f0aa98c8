import { describe, expect, it } from 'vitest';
import { parseObsControl, SimulatedObs } from '../../src/obs-standin/simulation';

const T0 = 1_000_000;

describe('SimulatedObs', () => {
  it('counts bytes, frames and duration while streaming, at the set bitrate', () => {
    const obs = new SimulatedObs(T0);
    obs.apply(T0, { streaming: true, bitrateKbps: 2000 });
    expect(obs.getStreamStatus(T0 + 10_000)).toMatchObject({
      outputActive: true,
      outputReconnecting: false,
      outputBytes: 2_500_000,
      outputDuration: 10_000,
      outputTotalFrames: 300,
      outputSkippedFrames: 0,
      outputTimecode: '00:00:10.000',
    });
  });

  it('copies OBS on a lost ingest: active, reconnecting, bytes 0, counters frozen; then a fresh start', () => {
    const obs = new SimulatedObs(T0);
    obs.apply(T0, { streaming: true });
    const events = obs.apply(T0 + 10_000, { ingestLost: true });
    expect(events).toEqual([
      {
        eventType: 'StreamStateChanged',
        intent: 64,
        eventData: { outputActive: false, outputState: 'OBS_WEBSOCKET_OUTPUT_RECONNECTING' },
      },
    ]);
    const lost = obs.getStreamStatus(T0 + 20_000);
    expect(lost).toMatchObject({
      outputActive: true,
      outputReconnecting: true,
      outputBytes: 0,
      outputDuration: 10_000,
      outputTotalFrames: 300,
    });
    expect(obs.apply(T0 + 20_000, { ingestLost: false })[0]?.eventData).toEqual({
      outputActive: true,
      outputState: 'OBS_WEBSOCKET_OUTPUT_RECONNECTED',
    });
    expect(obs.getStreamStatus(T0 + 22_000)).toMatchObject({
      outputReconnecting: false,
      outputDuration: 2000,
      outputTotalFrames: 60,
    });
  });

  it('skips the set share of frames', () => {
    const obs = new SimulatedObs(T0);
    obs.apply(T0, { streaming: true, droppedFramesPercent: 10 });
    expect(obs.getStreamStatus(T0 + 60_000)).toMatchObject({
      outputTotalFrames: 1800,
      outputSkippedFrames: 180,
      outputCongestion: 0.1,
    });
  });

  it('loses its outputs when OBS goes down and comes back with them off', () => {
    const obs = new SimulatedObs(T0);
    obs.apply(T0, { streaming: true, recording: true });
    obs.apply(T0 + 1000, { connected: false });
    obs.apply(T0 + 2000, { connected: true });
    expect(obs.state).toMatchObject({ connected: true, streaming: false, recording: false });
    expect(obs.getStreamStatus(T0 + 3000)).toMatchObject({ outputActive: false, outputBytes: 0 });
  });

  it('announces scene and record changes', () => {
    const obs = new SimulatedObs(T0);
    expect(obs.apply(T0, { scene: 'Vault', recording: true }).map((e) => e.eventType)).toEqual([
      'CurrentProgramSceneChanged',
      'RecordStateChanged',
      'RecordStateChanged',
    ]);
    expect(obs.scenes).toContain('Vault');
    obs.apply(T0, { scene: 'Sponsor break' });
    expect(obs.scenes).toContain('Sponsor break');
  });
});

describe('parseObsControl', () => {
  it('takes every switch and reports every bad field', () => {
    expect(
      parseObsControl({
        streaming: true,
        ingestLost: false,
        droppedFramesPercent: 5,
        scene: 'Floor',
      }),
    ).toEqual({
      patch: { streaming: true, ingestLost: false, droppedFramesPercent: 5, scene: 'Floor' },
      errors: [],
    });
    expect(
      parseObsControl({ noise: 'yes', droppedFramesPercent: 120, bitrateKbps: -1, volume: 3 })
        .errors,
    ).toEqual([
      'noise must be a boolean',
      'droppedFramesPercent must be a number in 0..100',
      'bitrateKbps must be a number in 0..100000',
      'unknown field volume',
    ]);
    expect(parseObsControl([]).errors).toEqual(['body must be a JSON object']);
  });
});
