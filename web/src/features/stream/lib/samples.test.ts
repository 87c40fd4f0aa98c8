import type { StreamStatus } from '@vmpool/core';
import { describe, expect, it } from 'vitest';
import {
  addSample,
  formatBitrate,
  formatStreamDuration,
  STREAM_HISTORY_MAX_SAMPLES,
  STREAM_HISTORY_MS,
} from './samples';

const T = 1_800_000_000_000;
const stream = (checkedAt: number, overrides: Partial<StreamStatus> = {}): StreamStatus => ({
  active: true,
  reconnecting: false,
  bitrateKbps: 2500,
  droppedFramesPercent: 0.5,
  congestion: 0,
  durationSeconds: 60,
  checkedAt,
  ...overrides,
});

describe('addSample', () => {
  it('adds each report once and keeps the same array for a repeat', () => {
    const one = addSample([], stream(T));
    expect(one).toEqual([{ at: T, active: true, bitrateKbps: 2500, droppedFramesPercent: 0.5 }]);
    expect(addSample(one, stream(T))).toBe(one);
    expect(addSample(one, null)).toBe(one);
    expect(
      addSample(one, stream(T + 5000, { bitrateKbps: 2600 })).map((s) => s.bitrateKbps),
    ).toEqual([2500, 2600]);
  });

  it('counts a stream that is not going out as 0 kbit/s, never its stale figures', () => {
    const [sample] = addSample(
      [],
      stream(T, { active: false, reconnecting: true, bitrateKbps: 900 }),
    );
    expect(sample).toMatchObject({ active: false, bitrateKbps: 0, droppedFramesPercent: 0 });
  });

  it('keeps the last minutes only, in time order, and at most the cap', () => {
    let samples = addSample([], stream(T));
    samples = addSample(samples, stream(T + STREAM_HISTORY_MS - 1000));
    samples = addSample(samples, stream(T + 2000));
    expect(samples.map((s) => s.at)).toEqual([T, T + 2000, T + STREAM_HISTORY_MS - 1000]);
    samples = addSample(samples, stream(T + STREAM_HISTORY_MS + 1500));
    expect(samples.map((s) => s.at)).toEqual([
      T + 2000,
      T + STREAM_HISTORY_MS - 1000,
      T + STREAM_HISTORY_MS + 1500,
    ]);
    let many: ReturnType<typeof addSample> = [];
    for (let i = 0; i < STREAM_HISTORY_MAX_SAMPLES + 10; i += 1)
      many = addSample(many, stream(T + i * 1000));
    expect(many).toHaveLength(STREAM_HISTORY_MAX_SAMPLES);
    expect(many[0]?.at).toBe(T + 10_000);
  });
});

describe('formatting', () => {
  it('writes durations and bitrates as a producer reads them', () => {
    expect(formatStreamDuration(0)).toBe('0:00');
    expect(formatStreamDuration(65)).toBe('1:05');
    expect(formatStreamDuration(3723)).toBe('1:02:03');
    expect(formatBitrate(2500)).toBe('2,500 kbit/s');
    expect(formatBitrate(12_345)).toBe('12.3 Mbit/s');
  });
});
