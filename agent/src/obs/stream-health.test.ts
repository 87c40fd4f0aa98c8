import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { GetStatsResponse, GetStreamStatusResponse } from './protocol';
import { FrameWindow, StreamHealth, type ObsSample } from './stream-health';

const stats: GetStatsResponse = {
  cpuUsage: 12.345,
  memoryUsage: 410.26,
  activeFps: 29.97,
  renderSkippedFrames: 0,
  renderTotalFrames: 9000,
  outputSkippedFrames: 0,
  outputTotalFrames: 0,
};

const idle: GetStreamStatusResponse = {
  outputActive: false,
  outputReconnecting: false,
  outputDuration: 0,
  outputCongestion: 0,
  outputBytes: 0,
  outputSkippedFrames: 0,
  outputTotalFrames: 0,
};

function sample(
  at: number,
  stream: Partial<GetStreamStatusResponse>,
  extra: Partial<ObsSample> = {},
) {
  return {
    at,
    version: '29.0.2',
    stats,
    stream: { ...idle, ...stream },
    recording: false,
    scene: 'Floor',
    ...extra,
  } satisfies ObsSample;
}

/** A stream at `kbps` that has been up `seconds`, 30 fps, `dropped` frames skipped. */
function live(seconds: number, kbps: number, dropped = 0): Partial<GetStreamStatusResponse> {
  return {
    outputActive: true,
    outputDuration: seconds * 1000,
    outputBytes: (kbps * 1000 * seconds) / 8,
    outputTotalFrames: seconds * 30,
    outputSkippedFrames: dropped,
  };
}

describe('StreamHealth', () => {
  it('reports an idle OBS: connected, not streaming, every stream figure 0', () => {
    const health = new StreamHealth();
    expect(health.sample(sample(1000, {}))).toEqual({
      stream: {
        active: false,
        reconnecting: false,
        bitrateKbps: 0,
        droppedFramesPercent: 0,
        congestion: 0,
        durationSeconds: 0,
        checkedAt: 1000,
      },
      obs: {
        connected: true,
        version: '29.0.2',
        activeFps: 30,
        renderSkippedFramesPercent: 0,
        cpuUsage: 12.3,
        memoryMb: 410.3,
        currentScene: 'Floor',
        recording: false,
        checkedAt: 1000,
      },
    });
  });

  it('measures the bitrate from the byte counter between samples, the first from the average', () => {
    const health = new StreamHealth();
    expect(health.sample(sample(10_000, live(10, 2000))).stream).toMatchObject({
      active: true,
      bitrateKbps: 2000,
      durationSeconds: 10,
    });
    // 5 more seconds at 6000 kbit/s: the rate between the samples, not the average.
    const next = live(10, 2000);
    const later = {
      ...next,
      outputDuration: 15_000,
      outputBytes: (next.outputBytes ?? 0) + (6000 * 1000 * 5) / 8,
      outputTotalFrames: 450,
    };
    expect(health.sample(sample(15_000, later)).stream).toMatchObject({
      bitrateKbps: 6000,
      durationSeconds: 15,
    });
  });

  it('reports a lost ingest (OBS: active, reconnecting, bytes 0) as not streaming, bitrate 0', () => {
    const health = new StreamHealth();
    health.sample(sample(10_000, live(10, 2500)));
    const lost = health.sample(
      sample(15_000, {
        outputActive: true,
        outputReconnecting: true,
        outputBytes: 0,
        outputDuration: 12_000,
        outputTotalFrames: 360,
      }),
    );
    expect(lost.stream).toEqual({
      active: false,
      reconnecting: true,
      bitrateKbps: 0,
      droppedFramesPercent: 0,
      congestion: 0,
      durationSeconds: 0,
      checkedAt: 15_000,
    });
    // Reconnected: OBS starts the counters again; the rate is the new connection's average.
    const back = health.sample(sample(20_000, live(2, 2400)));
    expect(back.stream).toMatchObject({ active: true, reconnecting: false, bitrateKbps: 2400 });
  });

  it('never reports a negative bitrate when the counters go backwards while active', () => {
    const health = new StreamHealth();
    health.sample(sample(10_000, live(60, 3000)));
    const reset = health.sample(sample(15_000, { ...live(4, 3000) }));
    expect(reset.stream.bitrateKbps).toBe(3000);
  });

  it('judges dropped frames over the last minute only', () => {
    const health = new StreamHealth();
    // The first minute drops 10% of its frames, the next minute none.
    health.sample(sample(0, { ...live(1, 2000), outputTotalFrames: 0, outputSkippedFrames: 0 }));
    const bad = health.sample(
      sample(60_000, { ...live(61, 2000), outputTotalFrames: 1800, outputSkippedFrames: 180 }),
    );
    expect(bad.stream.droppedFramesPercent).toBe(10);
    health.sample(
      sample(90_000, { ...live(91, 2000), outputTotalFrames: 2700, outputSkippedFrames: 180 }),
    );
    const recovered = health.sample(
      sample(120_000, { ...live(121, 2000), outputTotalFrames: 3600, outputSkippedFrames: 180 }),
    );
    expect(recovered.stream.droppedFramesPercent).toBe(0);
  });

  it('reports OBS down with why, and forgets the windows', () => {
    const health = new StreamHealth();
    health.sample(sample(10_000, live(10, 2500)));
    expect(health.disconnected(12_000, 'connect ECONNREFUSED 127.0.0.1:4455', '29.0.2')).toEqual({
      stream: {
        active: false,
        reconnecting: false,
        bitrateKbps: 0,
        droppedFramesPercent: 0,
        congestion: 0,
        durationSeconds: 0,
        checkedAt: 12_000,
      },
      obs: {
        connected: false,
        version: '29.0.2',
        activeFps: null,
        renderSkippedFramesPercent: null,
        cpuUsage: null,
        memoryMb: null,
        currentScene: null,
        recording: false,
        checkedAt: 12_000,
        detail: 'connect ECONNREFUSED 127.0.0.1:4455',
      },
    });
  });

  it('leaves OBS figures null when a request of the batch failed', () => {
    const health = new StreamHealth();
    const report = health.sample({
      ...sample(1000, {}),
      stats: null,
      stream: null,
      recording: null,
    });
    expect(report.obs).toMatchObject({
      connected: true,
      activeFps: null,
      cpuUsage: null,
      memoryMb: null,
      renderSkippedFramesPercent: null,
      recording: false,
    });
    expect(report.stream.active).toBe(false);
  });

  it('always reports figures the contract accepts, whatever OBS sends', () => {
    const counter = fc.oneof(fc.nat(), fc.constant(-5), fc.constant(Number.NaN));
    const reading = fc.record({
      outputActive: fc.boolean(),
      outputReconnecting: fc.boolean(),
      outputDuration: counter,
      outputCongestion: fc.oneof(
        fc.double({ min: -1, max: 3, noNaN: true }),
        fc.constant(Number.NaN),
      ),
      outputBytes: counter,
      outputSkippedFrames: counter,
      outputTotalFrames: counter,
    });
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat({ max: 30_000 }), reading), { maxLength: 30 }),
        (steps) => {
          const health = new StreamHealth();
          let at = 0;
          for (const [dt, stream] of steps) {
            at += dt;
            const { stream: report } = health.sample(sample(at, stream));
            for (const value of [report.bitrateKbps, report.durationSeconds, report.congestion]) {
              expect(Number.isFinite(value)).toBe(true);
              expect(value).toBeGreaterThanOrEqual(0);
            }
            expect(report.congestion).toBeLessThanOrEqual(1);
            expect(report.droppedFramesPercent).toBeGreaterThanOrEqual(0);
            expect(report.droppedFramesPercent).toBeLessThanOrEqual(100);
            if (!report.active) expect(report.bitrateKbps).toBe(0);
            if (report.reconnecting) expect(report.active).toBe(false);
          }
        },
      ),
    );
  });
});

describe('FrameWindow', () => {
  it('uses the counters since the output began for its first reading', () => {
    expect(new FrameWindow().add(1000, 3, 300)).toBe(1);
  });

  it('starts again when a counter goes backwards', () => {
    const window = new FrameWindow();
    window.add(0, 0, 0);
    expect(window.add(10_000, 30, 300)).toBe(10);
    expect(window.add(20_000, 0, 150)).toBe(0);
    expect(window.add(30_000, 15, 450)).toBe(5);
  });
});
